#!/usr/bin/env bash
# Install the Docker engine from Debian's newer suite (run by scripts/engine.sh,
# as root, output in its log). docker.io, containerd, docker-cli, docker-compose
# (Compose v2) and tini-static come from $DOCKER_ENGINE_SUITE; everything else
# (runc, iptables, libc) stays bookworm's: apt preferences give the newer suites
# priority 100, so apt takes from them only what is asked for by suite.
# The .deb files are kept in $SHIPYARD_CACHE/engine-debs/<version>/, so a second
# machine installs the same build even when the suite has moved on.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/versions.sh"
export DEBIAN_FRONTEND=noninteractive
# choose: reads `apt-cache madison docker.io` lines on stdin and prints "SUITE VERSION":
# the pinned build if the suite carries it, else that suite's build if it is
# DOCKER_ENGINE_MIN_MAJOR or newer, else the fallback suite's; fails if none.
choose() {
  awk -v pinned="$DOCKER_ENGINE_VERSION" -v suite="$DOCKER_ENGINE_SUITE" \
    -v fallback="$DOCKER_ENGINE_FALLBACK_SUITE" -v min="$DOCKER_ENGINE_MIN_MAJOR" '
    { v = $3; gsub(/ /, "", v); s = $0; sub(/.*\| *[^ ]+ /, "", s); sub(/\/.*/, "", s) }
    s == suite && v == pinned { have_pinned = 1 }
    s == suite && !(suite in newest) { newest[suite] = v }
    s == fallback && !(fallback in newest) { newest[fallback] = v }
    END {
      if (have_pinned) { print suite, pinned; exit 0 }
      if ((suite in newest) && newest[suite] + 0 >= min) { print suite, newest[suite]; exit 0 }
      if (fallback in newest) { print fallback, newest[fallback]; exit 0 }
      exit 1
    }'
}
[ "${1:-}" = --choose ] && { choose; exit; }

pkgs=(docker.io containerd docker-cli docker-compose tini-static)

install_from() { # DIR: install every .deb there (dependencies from bookworm)
  apt-get install -y --no-install-recommends "$1"/*.deb
}

cached="$SHIPYARD_CACHE/engine-debs/$DOCKER_ENGINE_VERSION"
if ls "$cached"/docker.io_*.deb >/dev/null 2>&1; then
  echo "engine-install: cached .debs of $DOCKER_ENGINE_VERSION in $cached"
  apt-get update || true # bookworm's lists, for runc and iptables
  install_from "$cached"
  exit 0
fi

cat >/etc/apt/sources.list.d/shipyard-newer.sources <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: $DOCKER_ENGINE_SUITE $DOCKER_ENGINE_FALLBACK_SUITE
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
cat >/etc/apt/preferences.d/shipyard-newer <<PREF
# scripts/engine-install.sh: nothing comes from these suites unless asked for by name.
Package: *
Pin: release a=$DOCKER_ENGINE_SUITE
Pin-Priority: 100

Package: *
Pin: release n=$DOCKER_ENGINE_FALLBACK_SUITE
Pin-Priority: 100
PREF
apt-get update

chosen=$(apt-cache madison docker.io | choose) || {
  echo "engine-install: neither $DOCKER_ENGINE_SUITE nor $DOCKER_ENGINE_FALLBACK_SUITE carries docker.io" >&2
  exit 1
}
suite=${chosen%% *} version=${chosen#* }
if [ "$version" != "$DOCKER_ENGINE_VERSION" ]; then
  echo "engine-install: $DOCKER_ENGINE_SUITE does not carry docker.io $DOCKER_ENGINE_VERSION; taking $suite's $version"
fi
dir="$SHIPYARD_CACHE/engine-debs/$version"
tmp="$dir.tmp.$$"
rm -rf "$tmp" && mkdir -p "$tmp"
(cd "$tmp" && apt-get download "${pkgs[@]/%//$suite}")
rm -rf "$dir" && mv "$tmp" "$dir"
echo "engine-install: docker.io $version from $suite, .debs kept in $dir"
install_from "$dir"
