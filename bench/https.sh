#!/usr/bin/env bash
# Runs the HTTPS benchmark (bench/https.ts) with this project's environment:
#   bash bench/https.sh <blueprint> [<env>] [--port 18380]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/scripts/env.sh"
exec node -r "$ROOT/scripts/transpile.js" "$ROOT/bench/https.ts" "$@"
