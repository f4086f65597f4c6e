#!/usr/bin/env bash
# Installs an image's npm dependencies (IMAGE_DIR/app/package-lock.json) on this machine
# (the image build has no trust for the registry's TLS path here) into
# bin/node_modules.tgz of the build context. Cached by the lockfile's hash in
# $SHIPYARD_CACHE. Install scripts are not run (msgpackr-extract, an optional
# speed-up of msgpackr, falls back to JavaScript).
set -euo pipefail
HERE="$(cd "${1:?usage: npm-deps.sh IMAGE_DIR}" && pwd)"
NAME="$(basename "$HERE")"
key=$(cat "$HERE/app/package.json" "$HERE/app/package-lock.json" | sha256sum | cut -c1-16)
CACHE="${SHIPYARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shipyard}/npm-$NAME-$key"
out="$CACHE/node_modules.tgz"
command -v npm >/dev/null || { echo "npm not found: run scripts/setup.sh (it installs Node 22 with npm)" >&2; exit 1; }
if [ ! -s "$out" ]; then
  rm -rf "$CACHE/app"; mkdir -p "$CACHE/app"
  cp "$HERE/app/package.json" "$HERE/app/package-lock.json" "$CACHE/app/"
  (cd "$CACHE/app" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=http)
  tar -C "$CACHE/app" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -czf "$out.tmp" node_modules
  mv "$out.tmp" "$out"; rm -rf "$CACHE/app"
fi
mkdir -p "$HERE/bin"
cmp -s "$out" "$HERE/bin/node_modules.tgz" 2>/dev/null || cp "$out" "$HERE/bin/node_modules.tgz"
