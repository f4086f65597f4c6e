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
  if ! (cd "$tmp" && apt-get download "lego=$LEGO_DEB_VERSION" 2>/dev/null); then
    # The host's sources lack the suite (Docker was there already, so scripts/engine-install.sh
    # did not add it): a private apt state with only Debian's unstable suite, the host's own
    # configuration untouched.
    echo "lego $LEGO_DEB_VERSION is not in the host's apt sources: reading Debian's unstable suite into $tmp/apt"
    mkdir -p "$tmp/apt/lists/partial" "$tmp/apt/cache/archives/partial"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian unstable main" >"$tmp/apt/sources.list"
    opts=(-o "Dir::Etc::SourceList=$tmp/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
          -o "Dir::State::Lists=$tmp/apt/lists" -o "Dir::Cache=$tmp/apt/cache" -o Dir::Etc::Preferences=/dev/null
          -o Dir::Etc::PreferencesParts=/dev/null)
    apt-get "${opts[@]}" update >/dev/null && (cd "$tmp" && apt-get "${opts[@]}" download "lego=$LEGO_DEB_VERSION") || {
      echo "apt-get download lego=$LEGO_DEB_VERSION failed, from the host's sources and from Debian's unstable suite (http://deb.debian.org/debian): is deb.debian.org reachable, and does unstable still carry $LEGO_DEB_VERSION (apt-cache madison lego)? Then set LEGO_DEB_VERSION in images/lego/prebuild.sh" >&2
      exit 1
    }
  fi
  dpkg-deb -x "$tmp"/lego_*.deb "$tmp/root"
  mkdir -p "$(dirname "$out")"
  install -m 0755 "$tmp/root/usr/bin/lego" "$out.tmp"
  mv "$out.tmp" "$out"
  echo "lego $LEGO_DEB_VERSION from Debian unstable: $out"
fi
mkdir -p "$HERE/bin"
cmp -s "$out" "$HERE/bin/lego" 2>/dev/null || install -m 0755 "$out" "$HERE/bin/lego"
