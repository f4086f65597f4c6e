#!/usr/bin/env bash
# Builds a Next.js app of an image's build context on this machine (the image
# build has no trust for the registry's TLS path here): `npm ci` of app/ and
# `next build` with output "standalone", then packs what Next's standalone
# output runs (server.js, the traced node_modules, .next/static, public/) into
# bin/standalone.tgz of the build context. Cached in $SHIPYARD_CACHE by a hash
# of app/ (sources, package.json, package-lock.json) and the Node version: the
# first run takes a minute or more, later runs a second.
# Usage: next-standalone.sh <image dir>   (called by images/<name>/prebuild.sh)
# Install scripts are not run (--ignore-scripts): Next's compiler is the
# prebuilt @next/swc-* package, sharp's binary the prebuilt @img/sharp-* one.
# --prefer-offline: tarballs already in npm's cache (Next for the second app)
# are not fetched again.
set -euo pipefail
ctx="$(cd "$1" && pwd)"
name="$(basename "$ctx")"
command -v npm >/dev/null || { echo "npm not found: run scripts/setup.sh (it installs Node 22 with npm)" >&2; exit 1; }
key=$( { node --version
         cd "$ctx/app" && find . -type f -not -path './node_modules/*' -not -path './.next/*' -print0 \
           | LC_ALL=C sort -z | xargs -0 sha256sum; } | sha256sum | cut -c1-16)
CACHE="${SHIPYARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shipyard}/next-$name-$key"
out="$CACHE/standalone.tgz"
mkdir -p "$CACHE"
# One build per cache entry at a time (a second caller waits, then copies).
exec 9>"$CACHE.lock"
flock 9
if [ ! -s "$out" ]; then
  rm -rf "$CACHE/app"; mkdir -p "$CACHE/app"
  (cd "$ctx/app" && tar --exclude=./node_modules --exclude=./.next -cf - .) | tar -C "$CACHE/app" -xf -
  cd "$CACHE/app"
  echo "npm ci ($name)"
  npm ci --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=http
  echo "next build ($name)"
  NEXT_TELEMETRY_DISABLED=1 node node_modules/next/dist/bin/next build
  s=.next/standalone
  [ -f "$s/server.js" ] || { echo "next build wrote no $s/server.js (is output: \"standalone\" set?)" >&2; exit 1; }
  # As Next's docs say: the standalone folder does not copy public/ and .next/static.
  mkdir -p "$s/.next"; cp -r .next/static "$s/.next/static"
  [ ! -d public ] || cp -r public "$s/public"
  echo "packing $(du -sh "$s" | cut -f1)"
  tar -C "$s" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -I "gzip -1" -cf "$out.tmp" .
  mv "$out.tmp" "$out"
  cd /; rm -rf "$CACHE/app"
fi
mkdir -p "$ctx/bin"
cmp -s "$out" "$ctx/bin/standalone.tgz" 2>/dev/null || cp "$out" "$ctx/bin/standalone.tgz"
