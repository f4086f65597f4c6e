#!/usr/bin/env bash
# Builds Mailpit from the Go module proxy (github.com/axllent/mailpit, not in
# Debian) into bin/ of this build context, the way the upstream Dockerfile
# builds it (CGO_ENABLED=0, -X config.Version). Cached by version in $SHIPYARD_CACHE.
# v1.27.11 is the release nearest the seed's v1.20 that the proxy serves
# (v1.20.x answers 403; the proxy lists v1.27.11 and v1.33.1).
# The web UI bundle (server/ui/dist, built by npm upstream) is not in the module:
# the UI page is empty, the API, SMTP, /livez and /readyz are complete.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
MAILPIT_VERSION=v1.27.11
CACHE="${SHIPYARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shipyard}"
out="$CACHE/mailpit-$MAILPIT_VERSION/mailpit"
if [ ! -x "$out" ]; then
  command -v go >/dev/null || { echo "go not found: install Go 1.24 or later to build Mailpit" >&2; exit 1; }
  mkdir -p "$(dirname "$out")"
  GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build" GOFLAGS=-modcacherw GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0 \
    GOBIN="$(dirname "$out")" go install -trimpath \
    -ldflags "-s -w -X github.com/axllent/mailpit/config.Version=$MAILPIT_VERSION" \
    "github.com/axllent/mailpit@$MAILPIT_VERSION"
fi
mkdir -p "$HERE/bin"
cmp -s "$out" "$HERE/bin/mailpit" 2>/dev/null || install -m 0755 "$out" "$HERE/bin/mailpit"
