#!/usr/bin/env bash
# This image's npm dependencies (app/package-lock.json) into bin/node_modules.tgz,
# cached by the lockfile's hash (scripts/npm-deps.sh).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
exec "$HERE/../../scripts/npm-deps.sh" "$HERE"
