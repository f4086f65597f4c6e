#!/usr/bin/env bash
# Builds cAdvisor from the Go module proxy (cAdvisor is not in Debian) into bin/
# of this build context. The proxy serves github.com/google/cadvisor and
# github.com/google/cadvisor/lib but refuses github.com/google/cadvisor/cmd
# (upstream's main package), so src/main.go repeats that main package on
# upstream's packages. Cached in $SHIPYARD_CACHE by version and by src/ hash.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
CADVISOR_VERSION=v0.61.0
CACHE="${SHIPYARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shipyard}"
src_hash=$(cat "$HERE/src/main.go" | sha256sum | cut -c1-12)
out="$CACHE/cadvisor-$CADVISOR_VERSION-$src_hash/cadvisor"
if [ ! -x "$out" ]; then
  command -v go >/dev/null || { echo "go not found: install Go 1.25 or later to build cAdvisor" >&2; exit 1; }
  work="$CACHE/work/cadvisor-$CADVISOR_VERSION-$src_hash"
  rm -rf "$work"; mkdir -p "$work" "$(dirname "$out")"
  cp "$HERE/src/main.go" "$work/main.go"
  cat > "$work/go.mod" <<MOD
module shipyard.local/cadvisor

go 1.25.0

require (
	github.com/google/cadvisor $CADVISOR_VERSION
	github.com/google/cadvisor/lib $CADVISOR_VERSION
)
MOD
  export GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build" GOFLAGS=-modcacherw GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0
  (cd "$work" && go mod tidy && go build -trimpath -tags netgo -o "$out.tmp" \
    -ldflags "-s -w -X github.com/google/cadvisor/lib/version.Version=$CADVISOR_VERSION -X github.com/google/cadvisor/lib/version.Revision=shipyard-$src_hash" .)
  mv "$out.tmp" "$out"
fi
mkdir -p "$HERE/bin"
cmp -s "$out" "$HERE/bin/cadvisor" 2>/dev/null || install -m 0755 "$out" "$HERE/bin/cadvisor"
