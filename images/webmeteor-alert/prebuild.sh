#!/usr/bin/env bash
# Installs the alert service's npm dependencies (socket.io, from the npm
# registry, no install scripts: socket.io 4 is plain JavaScript) into
# bin/node_modules of this build context, as `npm ci` in a node image would.
# Cached by the hash of app/package.json in $SHIPYARD_CACHE.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CACHE="${SHIPYARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shipyard}"
[ -x "$ROOT/node_modules/.bin/node" ] && export PATH="$ROOT/node_modules/.bin:$PATH"
key=$(sha256sum "$HERE/app/package.json" | cut -c1-16)
work="$CACHE/webmeteor-alert-$key"
if [ ! -f "$work/node_modules/socket.io/package.json" ]; then
  command -v npm >/dev/null || { echo "npm not found: install Node.js and npm to fetch socket.io" >&2; exit 1; }
  mkdir -p "$work"
  cp "$HERE/app/package.json" "$work/"
  (cd "$work" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
rm -rf "$HERE/bin/node_modules"
mkdir -p "$HERE/bin"
cp -r "$work/node_modules" "$HERE/bin/node_modules"
