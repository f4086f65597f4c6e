#!/usr/bin/env bash
# The Distribution registry for the tests (test/integration/helpers/registry.ts starts
# it on loopback): the binary of Debian's `docker-registry` package, the same software
# as the `registry:2` image, and `htpasswd` (apache2-utils) for its bcrypt password file.
# The .deb files are kept in $SHIPYARD_CACHE/registry-debs/<version>/, so a second run
# or machine installs the same builds without downloading. The registry's binary is
# taken out of its .deb (dpkg-deb -x, as images/lego/prebuild.sh does with lego)
# rather than installed: the package's postinst would start a system-wide registry on
# :5000, and the tests start their own. Idempotent.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/versions.sh"
SHIPYARD_CACHE="${SHIPYARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shipyard}"
dir="$SHIPYARD_CACHE/registry-debs/$REGISTRY_DEB_VERSION"
bin="$dir/docker-registry"
if [ -x "$bin" ] && command -v htpasswd >/dev/null; then
  step "test registry: docker-registry $REGISTRY_DEB_VERSION and htpasswd ready ($bin)"
  exit 0
fi
if ! ls "$dir"/docker-registry_*.deb "$dir"/apache2-utils_*.deb >/dev/null 2>&1; then
  tmp="$dir.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  (cd "$tmp" && apt-get download "docker-registry=$REGISTRY_DEB_VERSION" "apache2-utils=$APACHE2_UTILS_DEB_VERSION") \
    || die "apt-get download docker-registry=$REGISTRY_DEB_VERSION apache2-utils=$APACHE2_UTILS_DEB_VERSION failed" \
      "run apt-get update; if bookworm no longer carries these versions, set REGISTRY_DEB_VERSION / APACHE2_UTILS_DEB_VERSION in scripts/versions.sh (apt-cache madison docker-registry apache2-utils)"
  mkdir -p "$dir" && mv "$tmp"/*.deb "$dir"/ && rm -rf "$tmp"
fi
if [ ! -x "$bin" ]; then
  x=$(mktemp -d /tmp/shipyard-registry.XXXXXX)
  dpkg-deb -x "$dir"/docker-registry_*.deb "$x"
  install -m 0755 "$x/usr/bin/docker-registry" "$bin.tmp" && mv "$bin.tmp" "$bin"
  rm -rf "$x"
fi
if ! command -v htpasswd >/dev/null; then
  [ "$(id -u)" = 0 ] || die "htpasswd is missing and this is not root" "install apache2-utils, or run this as root"
  step "test registry: installing apache2-utils (htpasswd) from $dir"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$dir"/apache2-utils_*.deb >/dev/null
fi
step "test registry: docker-registry $REGISTRY_DEB_VERSION at $bin, $(command -v htpasswd)"
