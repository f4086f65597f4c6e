#!/usr/bin/env bash
# Builds Traefik v3 from the Go module proxy (Traefik is not in Debian) into bin/ of
# this build context. Cached by version and by the wrapper's inputs in $SHIPYARD_CACHE.
#
# Traefik's module cannot be built as published here: its replace directives (forks of
# go-http-auth and mux, the local dynamic/ext module) only apply inside its own
# repository, and lego's DNS-provider registry (github.com/go-acme/lego/v5/providers/dns)
# imports SDKs that the proxy refuses. build/ is a wrapper module that requires
# traefik/v3 at the served version and repeats those replaces; lego/v5 is replaced by a
# copy of the served module whose providers/dns package is build/legodns/: one DNS provider,
# lego's own dnsupdate (RFC 2136 dynamic updates with TSIG, also named rfc2136), the only
# provider directory kept; everything else is upstream's code.
# The web UI's assets are not built (no Node build of webui/): the dashboard stays off.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
TRAEFIK_VERSION=$(sed -n 's/^[[:space:]]*\(require \)\{0,1\}github.com\/traefik\/traefik\/v3 \(v[^ ]*\).*/\2/p' "$HERE/build/go.mod")
[ -n "$TRAEFIK_VERSION" ] || { echo "no github.com/traefik/traefik/v3 requirement in $HERE/build/go.mod" >&2; exit 1; }
LEGO_VERSION=v5.4.1 # the version traefik/v3@$TRAEFIK_VERSION requires
CACHE="${SHIPYARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shipyard}"
key=$(cd "$HERE/build" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)
out="$CACHE/traefik-$TRAEFIK_VERSION-$key/traefik"
export GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build" GOFLAGS=-modcacherw GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0
if [ ! -x "$out" ]; then
  command -v go >/dev/null || { echo "go not found: install Go 1.26 or later to build Traefik $TRAEFIK_VERSION" >&2; exit 1; }
  src="$CACHE/traefik-$TRAEFIK_VERSION-$key/src"
  rm -rf "$src"; mkdir -p "$src"
  cp -r "$HERE/build/." "$src/"
  lego=$(cd "$src/.." && go mod download -json "github.com/go-acme/lego/v5@$LEGO_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$lego" ] || { echo "go mod download github.com/go-acme/lego/v5@$LEGO_VERSION failed" >&2; exit 1; }
  mkdir -p "$src/lego"
  cp -r "$lego/." "$src/lego/"
  chmod -R u+w "$src/lego"
  mv "$src/lego/providers/dns/dnsupdate" "$src/lego-dnsupdate"
  rm -rf "$src/lego/providers/dns" "$src/lego/cmd" "$src/lego/e2e"
  mkdir -p "$src/lego/providers/dns"
  mv "$src/lego-dnsupdate" "$src/lego/providers/dns/dnsupdate"
  mv "$src/legodns/dns_providers.go" "$src/lego/providers/dns/"
  rmdir "$src/legodns"
  echo "building traefik $TRAEFIK_VERSION (go $(go env GOVERSION)) in $src"
  start=$(date +%s)
  (cd "$src" && go build -trimpath -o "$out.tmp" -ldflags "-s -w \
      -X github.com/traefik/traefik/v3/pkg/version.Version=$TRAEFIK_VERSION \
      -X github.com/traefik/traefik/v3/pkg/version.Codename=shipyard \
      -X github.com/traefik/traefik/v3/pkg/version.BuildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
      github.com/traefik/traefik/v3/cmd/traefik)
  mv "$out.tmp" "$out"
  echo "built $out in $(( $(date +%s) - start )) s"
fi
mkdir -p "$HERE/bin"
cmp -s "$out" "$HERE/bin/traefik" 2>/dev/null || install -m 0755 "$out" "$HERE/bin/traefik"
