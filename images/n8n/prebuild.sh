#!/usr/bin/env bash
# Installs the real n8n from the npm registry (npm install -g into a prefix, on
# this machine: the image build has no trust for the registry's TLS path here)
# and puts it into bin/n8n.tgz of this build context. Cached by version in
# $SHIPYARD_CACHE: the first run takes minutes, later runs a second.
# Install scripts are not run (--ignore-scripts; npm 11 would ask anyway):
# n8n's only native addons then missing are sqlite3 (its prebuilt download is
# unreachable here) and optional ones; with DB_TYPE=postgresdb n8n does not load sqlite3.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
N8N_VERSION=2.41.1
CACHE="${SHIPYARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shipyard}/n8n-$N8N_VERSION"
out="$CACHE/n8n.tgz"
command -v npm >/dev/null || { echo "npm not found: run scripts/setup.sh (it installs Node 22 with npm)" >&2; exit 1; }
if [ ! -s "$out" ]; then
  rm -rf "$CACHE/prefix"; mkdir -p "$CACHE/prefix"
  echo "npm install -g n8n@$N8N_VERSION (minutes; progress below)"
  npm install -g --prefix "$CACHE/prefix" --ignore-scripts --omit=dev --no-audit --no-fund \
    --loglevel=http "n8n@$N8N_VERSION"
  echo "packing $(du -sh "$CACHE/prefix/lib/node_modules/n8n" | cut -f1)"
  tar -C "$CACHE/prefix/lib/node_modules" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
    -czf "$out.tmp" n8n
  mv "$out.tmp" "$out"; rm -rf "$CACHE/prefix"
fi
mkdir -p "$HERE/bin"
cmp -s "$out" "$HERE/bin/n8n.tgz" 2>/dev/null || cp "$out" "$HERE/bin/n8n.tgz"
