#!/usr/bin/env bash
# Runs the benchmark (bench/run.ts) with this project's environment. The
# comparison runs `docker compose` (Compose v2, the CLI plugin), which
# scripts/engine.sh installs with the engine (Debian's docker-compose 2.x).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/scripts/env.sh"
if ! docker compose version >/dev/null 2>&1; then
  echo "bench: 'docker compose' (Compose v2) is not installed; install Debian's docker-compose 2.x (scripts/engine-install.sh does) or Docker's compose plugin" >&2
  exit 1
fi
exec node -r "$ROOT/scripts/transpile.js" "$ROOT/bench/run.ts" "$@"
