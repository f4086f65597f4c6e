#!/usr/bin/env bash
# Runs the deploy command (cli/main.ts) with this project's environment.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/scripts/env.sh"
exec node -r "$ROOT/scripts/transpile.js" "$ROOT/cli/main.ts" "$@"
