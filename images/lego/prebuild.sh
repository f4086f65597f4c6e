#!/usr/bin/env bash
# Puts lego (the ACME client, go-acme/lego) into bin/ of this build context: the binary of
# Debian's `lego` package, taken from the host's apt sources (the unstable suite that
# scripts/engine-install.sh adds at priority 100; bookworm's own lego is 4.9, older than
# the ARI-aware `renew` the program's loop relies on). Cached by package version in
# $SHIPYARD_CACHE, so a machine downloads it once.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
LEGO_DEB_VERSION=4.35.2-3
CACHE="${SHIPYARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shipyard}"
out="$CACHE/lego-$LEGO_DEB_VERSION/lego"
if [ ! -x "$out" ]; then
  tmp=$(mktemp -d /tmp/shipyard-lego.XXXXXX)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && apt-get download "lego=$LEGO_DEB_VERSION") || {
    echo "apt-get download lego=$LEGO_DEB_VERSION failed: the host's apt sources need Debian's unstable suite (scripts/engine-install.sh adds it), then apt-get update" >&2
    exit 1
  }
  dpkg-deb -x "$tmp"/lego_*.deb "$tmp/root"
  mkdir -p "$(dirname "$out")"
  install -m 0755 "$tmp/root/usr/bin/lego" "$out.tmp"
  mv "$out.tmp" "$out"
  echo "lego $LEGO_DEB_VERSION from Debian unstable: $out"
fi
mkdir -p "$HERE/bin"
cmp -s "$out" "$HERE/bin/lego" 2>/dev/null || install -m 0755 "$out" "$HERE/bin/lego"
