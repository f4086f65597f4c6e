#!/usr/bin/env bash
# Copies one file out of a Debian package of a pinned version (Debian's unstable suite
# carries newer upstream releases than bookworm) into an image's build context, cached
# by package version in $SHIPYARD_CACHE so a machine downloads each .deb once.
# The package comes from the host's apt sources (scripts/engine-install.sh adds unstable
# at priority 100); where they lack it, from a private apt state with only Debian's
# unstable suite, the host's own configuration untouched.
# Usage: deb-binary.sh PACKAGE VERSION PATH-IN-PACKAGE DEST
set -euo pipefail
pkg=${1:?usage: deb-binary.sh PACKAGE VERSION PATH-IN-PACKAGE DEST} version=${2:?} inside=${3:?} dest=${4:?}
CACHE="${SHIPYARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shipyard}"
out="$CACHE/$pkg-$version/$(basename "$inside")"
if [ ! -x "$out" ]; then
  tmp=$(mktemp -d "/tmp/shipyard-$pkg.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  if ! (cd "$tmp" && apt-get download "$pkg=$version" 2>/dev/null); then
    echo "$pkg $version is not in the host's apt sources: reading Debian's unstable suite into $tmp/apt"
    mkdir -p "$tmp/apt/lists/partial" "$tmp/apt/cache/archives/partial"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian unstable main" >"$tmp/apt/sources.list"
    opts=(-o "Dir::Etc::SourceList=$tmp/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
          -o "Dir::State::Lists=$tmp/apt/lists" -o "Dir::Cache=$tmp/apt/cache" -o Dir::Etc::Preferences=/dev/null
          -o Dir::Etc::PreferencesParts=/dev/null)
    apt-get "${opts[@]}" update >/dev/null && (cd "$tmp" && apt-get "${opts[@]}" download "$pkg=$version") || {
      echo "apt-get download $pkg=$version failed, from the host's sources and from Debian's unstable suite (http://deb.debian.org/debian): is deb.debian.org reachable, and does unstable still carry $version (apt-cache madison $pkg)? Then change the pinned version in the image's prebuild.sh" >&2
      exit 1
    }
  fi
  dpkg-deb -x "$tmp"/"${pkg}"_*.deb "$tmp/root"
  mkdir -p "$(dirname "$out")"
  install -m 0755 "$tmp/root/$inside" "$out.tmp"
  mv "$out.tmp" "$out"
  echo "$pkg $version from Debian: $out"
fi
mkdir -p "$(dirname "$dest")"
cmp -s "$out" "$dest" 2>/dev/null || install -m 0755 "$out" "$dest"
