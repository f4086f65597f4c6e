#!/usr/bin/env bash
# Builds the MinIO server from the Go module proxy (MinIO is not in Debian) into
# bin/ of this build context. Cached by version in $SHIPYARD_CACHE.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
# The newest MinIO release the Go module proxy serves (a pseudo-version: MinIO tags are not semver).
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
CACHE="${SHIPYARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shipyard}"
out="$CACHE/minio-$MINIO_VERSION/minio"
if [ ! -x "$out" ]; then
  command -v go >/dev/null || { echo "go not found: install Go 1.24 or later to build MinIO" >&2; exit 1; }
  mkdir -p "$(dirname "$out")"
  GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build" GOFLAGS=-modcacherw GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0 \
    GOBIN="$(dirname "$out")" go install -trimpath -ldflags "-s -w" "github.com/minio/minio@$MINIO_VERSION"
fi
mkdir -p "$HERE/bin"
cmp -s "$out" "$HERE/bin/minio" 2>/dev/null || install -m 0755 "$out" "$HERE/bin/minio"
