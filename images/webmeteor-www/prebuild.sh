#!/usr/bin/env bash
# Builds the Angular application in app/ with the Angular CLI from the npm
# registry (`ng build`, production configuration) into bin/html of this build
# context; the image copies it into nginx's html root, as a multi-stage
# `FROM node ... ng build` + `FROM nginx` Dockerfile does. Cached by the hash
# of app/ in $SHIPYARD_CACHE (npm install and build run only when it changes).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CACHE="${SHIPYARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shipyard}"
# Node 22 from the project's node_modules (the npm package node@22), else the one on PATH.
[ -x "$ROOT/node_modules/.bin/node" ] && export PATH="$ROOT/node_modules/.bin:$PATH"
key=$(cd "$HERE/app" && find . -type f -not -path './node_modules/*' -not -path './dist/*' -print0 \
  | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
work="$CACHE/webmeteor-www-$key"
if [ ! -f "$work/dist/webmeteor-www/browser/index.html" ]; then
  command -v npm >/dev/null || { echo "npm not found: install Node.js and npm to build the Angular app" >&2; exit 1; }
  mkdir -p "$work"
  (cd "$HERE/app" && tar -c --exclude=./node_modules --exclude=./dist .) | tar -C "$work" -x
  cd "$work"
  [ -d node_modules/@angular/cli ] || npm install --no-audit --no-fund --loglevel=error
  NG_CLI_ANALYTICS=false NG_FORCE_TTY=false node node_modules/@angular/cli/bin/ng.js build --configuration production
fi
rm -rf "$HERE/bin/html"
mkdir -p "$HERE/bin"
cp -r "$work/dist/webmeteor-www/browser" "$HERE/bin/html"
