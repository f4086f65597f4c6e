#!/usr/bin/env bash
# One command from a fresh machine to a deployed dev environment:
#   toolchain (Node, Pulumi CLI, plugins) -> Docker engine -> local images ->
#   deploy the dev environment of a blueprint (default: demo).
# Usage: scripts/setup.sh [--no-deploy] [--no-stand-ins] [BLUEPRINT] [ENV]
# Building the local stand-ins makes them this machine's image set (recorded in
# $SHIPYARD_CACHE/image-set, exported as SHIPYARD_IMAGE_SET by scripts/env.sh).
# --no-stand-ins builds none and removes that record: registry images only (CI's
# deploy, a real server).
# SHIPYARD_TOOLCHAIN=offline (default: build Pulumi and the plugins/ stand-ins from
# Go modules) | released (a released pulumi on PATH, upstream plugins).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/scripts/lib.sh"
deploy=1
stand_ins=1
args=()
for a in "$@"; do
  case "$a" in
    --no-deploy) deploy=0 ;;
    --no-stand-ins) stand_ins=0 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) args+=("$a") ;;
  esac
done
blueprint="${args[0]:-demo}" env="${args[1]:-dev}"

# Each lane is its own process group, stopped with setup if another fails.
# Three lanes at once: the images' host-side prebuilds (npm and Go, in the
# background), the toolchain, and the engine then the images (which wait for
# their prebuilds). Registry downloads overlap compiling; on a fresh machine
# this saves the longest downloads (n8n's npm install) outright.
prestatus="$SHIPYARD_CACHE/prebuilds.$$"
rm -rf "$prestatus"
prepid=""
if [ "$stand_ins" = 1 ]; then
  step "setup: image prebuilds in the background (logs: $SHIPYARD_LOGS/prebuild-<image>.log)"
  setsid bash "$ROOT/scripts/prebuilds.sh" "$prestatus" &
  prepid=$!
  export SHIPYARD_PREBUILD_STATUS="$prestatus" SHIPYARD_PREBUILD_PID="$prepid"
else
  step "setup: no stand-ins (--no-stand-ins): registry images only"
fi
lanes=()
cleanup() {
  for p in "${lanes[@]}"; do kill -- "-$p" 2>/dev/null || true; done
  [ -z "$prepid" ] || kill -- "-$prepid" 2>/dev/null || true
  rm -rf "$prestatus"
}
trap cleanup EXIT
step "setup: toolchain"
setsid bash "$ROOT/scripts/toolchain.sh" &
toolchain=$!
lanes+=("$toolchain")
if [ "$stand_ins" = 1 ]; then
  # The test registry (Debian's docker-registry and htpasswd, from .debs cached by version) beside the engine.
  setsid bash -c 'bash "$1/scripts/engine.sh" && bash "$1/scripts/registry-install.sh" && bash "$1/scripts/images.sh"' engine-and-images "$ROOT" &
else
  setsid bash "$ROOT/scripts/engine.sh" &
fi
images=$!
lanes+=("$images")
rc=0
wait "$toolchain" || rc=$?
[ "$rc" = 0 ] || die "the toolchain did not build (exit $rc)" "read the FAILED line above, fix it and run scripts/setup.sh again"
wait "$images" || rc=$?
[ "$rc" = 0 ] || die "the engine or the images did not get ready (exit $rc)" "read the FAILED line above, fix it and run scripts/setup.sh again"
[ -z "$prepid" ] || wait "$prepid" || true
trap - EXIT
rm -rf "$prestatus"
# The machine's image set (scripts/env.sh exports it as SHIPYARD_IMAGE_SET).
if [ "$stand_ins" = 1 ]; then
  echo local >"$SHIPYARD_CACHE/image-set"
  step "setup: this machine's image set: local (the stand-ins just built; recorded in $SHIPYARD_CACHE/image-set)"
else
  rm -f "$SHIPYARD_CACHE/image-set"
  step "setup: this machine's image set: upstream (registry images)"
fi
if [ "$deploy" = 1 ]; then
  step "setup: deploying $blueprint/$env"
  source "$ROOT/scripts/env.sh"
  # The prebuilds' bookkeeping is per run: left in the environment it would enter the
  # fast path's fingerprint (cli/fastpath/sources.ts) and the user's next `up` would not skip.
  unset SHIPYARD_PREBUILD_STATUS SHIPYARD_PREBUILD_PID
  bash "$ROOT/scripts/shipyard.sh" up "$blueprint" "$env" \
    || die "deploying $blueprint/$env failed" "read the error above; fix it and run: npm run deploy -- up $blueprint $env"
fi
step "setup: done"
