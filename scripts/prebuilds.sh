#!/usr/bin/env bash
# Runs the images' prebuild.sh scripts (host-side builds: npm installs and Go
# builds, cached in $SHIPYARD_CACHE) in two lanes at once, npm and Go, so the
# registry downloads overlap the compiling (and setup.sh overlaps both with the
# toolchain build). Each writes $SHIPYARD_LOGS/prebuild-<name>.log and, when it
# is done, its exit code to STATUS_DIR/<name>; images.sh waits for that file
# when SHIPYARD_PREBUILD_STATUS names the directory.
# Usage: prebuilds.sh STATUS_DIR
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/scripts/lib.sh"
dir=${1:?usage: prebuilds.sh STATUS_DIR}
mkdir -p "$dir"

one() {
  local name=$1 rc=0 t0
  t0=$(date +%s)
  "$ROOT/images/$name/prebuild.sh" >"$SHIPYARD_LOGS/prebuild-$name.log" 2>&1 || rc=$?
  echo "$rc" >"$dir/$name.tmp" && mv "$dir/$name.tmp" "$dir/$name"
  if [ "$rc" = 0 ]; then
    step "prebuild: $name ready ($(( $(date +%s) - t0 ))s)"
  else
    step "prebuild: $name FAILED (exit $rc; log: $SHIPYARD_LOGS/prebuild-$name.log)"
  fi
}
lane() { for n in "$@"; do one "$n"; done; }

# Bases first (an image other images are built FROM, e.g. node), then by name.
first=() rest=()
for f in "$ROOT"/images/*/prebuild.sh; do
  [ -x "$f" ] || continue
  n=$(basename "$(dirname "$f")")
  if grep -qsE "^FROM[[:space:]]+shipyard/$n:" "$ROOT"/images/*/Dockerfile; then first+=("$n"); else rest+=("$n"); fi
done
go=() npm=()
for n in "${first[@]}" "${rest[@]}"; do
  if grep -qE '(^|[^A-Za-z_])go (build|install|mod)' "$ROOT/images/$n/prebuild.sh"; then go+=("$n"); else npm+=("$n"); fi
done
step "prebuild: npm lane: ${npm[*]:-none}; Go lane: ${go[*]:-none}"
lane "${npm[@]}" &
lane "${go[@]}" &
wait
