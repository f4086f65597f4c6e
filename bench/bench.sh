#!/usr/bin/env bash
# Runs the benchmark (bench/run.ts) with this project's environment. The
# compose comparison needs Debian's docker-compose: installed here if missing.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/scripts/env.sh"
if ! command -v docker-compose >/dev/null 2>&1; then
  log="${SHIPYARD_CACHE:-$HOME/.cache/shipyard}/logs/apt-docker-compose.log"
  mkdir -p "$(dirname "$log")"
  echo "bench: installing Debian's docker-compose (log: $log)"
  if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y docker-compose; } >"$log" 2>&1; then
    echo "bench: could not install docker-compose (see $log); the compose runs will fail" >&2
  fi
fi
exec node -r "$ROOT/scripts/transpile.js" "$ROOT/bench/run.ts" "$@"
