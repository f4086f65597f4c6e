#!/usr/bin/env bash
# One command from a fresh machine to a deployed dev environment:
#   toolchain (Node, Pulumi CLI, plugins) -> Docker engine -> local images ->
#   deploy the dev environment of a blueprint (default: demo).
# Usage: scripts/setup.sh [--no-deploy] [BLUEPRINT] [ENV]
# SHIPYARD_TOOLCHAIN=offline (default: build Pulumi and the plugins/ stand-ins from
# Go modules) | released (a released pulumi on PATH, upstream plugins).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/scripts/lib.sh"
deploy=1
args=()
for a in "$@"; do
  case "$a" in
    --no-deploy) deploy=0 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) args+=("$a") ;;
  esac
done
blueprint="${args[0]:-demo}" env="${args[1]:-dev}"

step "setup: toolchain"
bash "$ROOT/scripts/toolchain.sh"
step "setup: docker engine"
bash "$ROOT/scripts/engine.sh"
step "setup: local images"
bash "$ROOT/scripts/images.sh"
if [ "$deploy" = 1 ]; then
  step "setup: deploying $blueprint/$env"
  source "$ROOT/scripts/env.sh"
  bash "$ROOT/scripts/shipyard.sh" up "$blueprint" "$env" \
    || die "deploying $blueprint/$env failed" "read the error above; fix it and run: npm run deploy -- up $blueprint $env"
fi
step "setup: done"
