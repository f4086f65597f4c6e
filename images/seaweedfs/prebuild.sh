#!/usr/bin/env bash
# Builds SeaweedFS's `weed` binary from the Go module proxy (SeaweedFS is not in Debian) into
# bin/ of this build context, with the upstream image's docker/entrypoint.sh and
# docker/filer.toml from the same module version. Cached by version in $SHIPYARD_CACHE.
#
# `go install github.com/seaweedfs/seaweedfs/weed@VERSION` refuses the module: its go.mod has
# replace directives (apache/thrift, tyler-smith/go-bip39), which apply only when it is the
# main module. So the served module is copied out of the module cache and built in place,
# as upstream's docker/Dockerfile.go_build builds it from a checkout (`cd weed && go build`).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
# The newest SeaweedFS the Go module proxy serves, 4.53 (weed/util/version/constants.go); a
# pseudo-version: SeaweedFS tags (4.53) are not semver, so the proxy lists no versions.
SEAWEEDFS_VERSION=v0.0.0-20261109003541-7506e5f91cd6
CACHE="${SHIPYARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shipyard}"
dest="$CACHE/seaweedfs-$SEAWEEDFS_VERSION"
out="$dest/weed"
export GOMODCACHE="$CACHE/go/mod" GOCACHE="$CACHE/go/build" GOFLAGS=-modcacherw GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0
module_dir() {
  local dir
  dir=$(cd /tmp && go mod download -json "github.com/seaweedfs/seaweedfs@$SEAWEEDFS_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$dir" ] || { echo "go mod download github.com/seaweedfs/seaweedfs@$SEAWEEDFS_VERSION failed" >&2; exit 1; }
  echo "$dir"
}
if [ ! -x "$out" ] || [ ! -f "$dest/entrypoint.sh" ] || [ ! -f "$dest/filer.toml" ]; then
  command -v go >/dev/null || { echo "go not found: install Go 1.26 or later to build SeaweedFS" >&2; exit 1; }
  dir=$(module_dir)
  mkdir -p "$dest"
  install -m 0755 "$dir/docker/entrypoint.sh" "$dest/entrypoint.sh"
  install -m 0644 "$dir/docker/filer.toml" "$dest/filer.toml"
fi
if [ ! -x "$out" ]; then
  src="$dest/src"
  rm -rf "$src"; mkdir -p "$src"
  cp -r "$(module_dir)/." "$src/"
  chmod -R u+w "$src"
  echo "building weed $SEAWEEDFS_VERSION (go $(go env GOVERSION)) in $src"
  start=$(date +%s)
  # As upstream's Dockerfile.go_build:25 (CGO off, static), with the commit stamped and stripped.
  (cd "$src/weed" && go build -trimpath -o "$out.tmp" \
      -ldflags "-s -w -extldflags -static -X github.com/seaweedfs/seaweedfs/weed/util/version.COMMIT=${SEAWEEDFS_VERSION##*-}" .)
  mv "$out.tmp" "$out"
  rm -rf "$src"
  echo "built $out in $(( $(date +%s) - start )) s"
fi
mkdir -p "$HERE/bin"
for f in weed entrypoint.sh filer.toml; do
  cmp -s "$dest/$f" "$HERE/bin/$f" 2>/dev/null || install -m "$([ "$f" = filer.toml ] && echo 0644 || echo 0755)" "$dest/$f" "$HERE/bin/$f"
done
