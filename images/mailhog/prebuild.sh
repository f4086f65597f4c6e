#!/usr/bin/env bash
# Builds MailHog v1.0.1 (github.com/mailhog/MailHog, not in Debian) from the Go
# module proxy into bin/ of this build context. MailHog predates Go modules
# (the proxy synthesizes its go.mod), so src/go.mod pins it and what it
# imports; go.sum fixes every module's hash. The proxy refuses the version
# list of github.com/ian-kent/linkio (used by MailHog-Server's chaos monkey
# "Jim"), so it is pinned to the revision MailHog's vendor/vendor.json names
# (77fb4b01842c), which the proxy serves. Cached by version and the hash of
# src/ in $SHIPYARD_CACHE.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
MAILHOG_VERSION=v1.0.1
CACHE="${SHIPYARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shipyard}"
key=$(cat "$HERE/src/go.mod" "$HERE/src/go.sum" "$HERE/src/tools.go" | sha256sum | cut -c1-16)
out="$CACHE/mailhog-$MAILHOG_VERSION-$key/MailHog"
if [ ! -x "$out" ]; then
  command -v go >/dev/null || { echo "go not found: install Go 1.24 or later to build MailHog" >&2; exit 1; }
  mkdir -p "$(dirname "$out")"
  (cd "$HERE/src" && GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build" GOFLAGS="-modcacherw -mod=readonly" \
    GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X main.version=${MAILHOG_VERSION#v}" -o "$out.tmp" github.com/mailhog/MailHog)
  mv "$out.tmp" "$out"
fi
mkdir -p "$HERE/bin"
cmp -s "$out" "$HERE/bin/MailHog" 2>/dev/null || install -m 0755 "$out" "$HERE/bin/MailHog"
