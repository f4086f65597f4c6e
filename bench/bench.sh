#!/usr/bin/env bash
# Runs the benchmark (bench/run.ts) with this project's environment.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/scripts/env.sh"
exec node "$ROOT/node_modules/.bin/ts-node" --transpile-only "$ROOT/bench/run.ts" "$@"
