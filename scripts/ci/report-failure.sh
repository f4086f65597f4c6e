#!/usr/bin/env bash
# CI: post a failed deploy (the run, the layer, the error) to the alert webhook
# (deploy.yml's last step; cli/ci/deployFailure.ts reads the deploy's log).
#   scripts/ci/report-failure.sh <deploy log>
# Needs DEPLOY_FAILURE_WEBHOOK_URL (the same Slack-compatible or generic receiver
# the alerts go to), TARGET_BLUEPRINT, TARGET_ENV; DEPLOY_FAILURE_FORMAT slack
# (default) or alertmanager.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
exec bash "$ROOT/scripts/shipyard.sh" deploy-failure "${1:-/dev/null}"
