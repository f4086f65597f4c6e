#!/usr/bin/env bash
# Build the local images: a Debian base from debootstrap, then service images
# from Debian packages (images/<name>/Dockerfile). Each image is tagged
# shipyard/<name>:bookworm and labelled with a hash of its inputs; an image whose
# label matches is skipped. Usage: images.sh [name ...]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BASE=shipyard/debian:bookworm

docker info >/dev/null 2>&1 || die "no Docker engine answers" "run scripts/engine.sh"

if ! docker image inspect "$BASE" >/dev/null 2>&1; then
  command -v debootstrap >/dev/null 2>&1 || {
    step "images: installing debootstrap"
    run_logged apt-debootstrap bash -c 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends debootstrap' \
      || die "apt-get install debootstrap failed" "read $SHIPYARD_LOGS/apt-debootstrap.log"
  }
  step "images: building $BASE with debootstrap (log: $SHIPYARD_LOGS/debootstrap.log)"
  mirror=$( (grep -hoE "https?://deb.debian.org/debian/?" /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null || true) | head -1)
  dir=$(mktemp -d /tmp/shipyard-rootfs.XXXXXX)
  trap 'rm -rf "$dir"' EXIT
  run_logged debootstrap debootstrap --variant=minbase bookworm "$dir" "${mirror:-http://deb.debian.org/debian}" \
    || die "debootstrap failed" "read $SHIPYARD_LOGS/debootstrap.log"
  # The image gets the host's apt sources so builds reach the same mirror.
  rm -f "$dir/etc/apt/sources.list"
  mkdir -p "$dir/etc/apt/sources.list.d"
  # Not the newer suites scripts/engine-install.sh adds for the Docker engine:
  # images are bookworm's.
  for f in /etc/apt/sources.list.d/*; do
    if [ -f "$f" ] && [ "$(basename "$f")" != shipyard-newer.sources ]; then cp "$f" "$dir/etc/apt/sources.list.d/"; fi
  done
  [ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$dir/etc/apt/sources.list"
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
  tar -C "$dir" -c . | docker import -c 'CMD ["/bin/bash"]' - "$BASE" >/dev/null
  rm -rf "$dir"; trap - EXIT
  step "images: $BASE ready"
fi

# setup.sh runs the prebuilds in the background (scripts/prebuilds.sh): wait for
# this image's, and fail with its log if it failed or the runner is gone.
wait_prebuild() {
  local name=$1 status="$SHIPYARD_PREBUILD_STATUS/$1" said=""
  while [ ! -f "$status" ]; do
    if [ -n "${SHIPYARD_PREBUILD_PID:-}" ] && ! kill -0 "$SHIPYARD_PREBUILD_PID" 2>/dev/null && [ ! -f "$status" ]; then
      die "the background prebuild of $name did not finish" "read $SHIPYARD_LOGS/prebuild-$name.log, then run scripts/images.sh $name"
    fi
    [ -n "$said" ] || { step "images: waiting for the $name prebuild (log: $SHIPYARD_LOGS/prebuild-$name.log)"; said=1; }
    sleep 2
  done
  [ "$(cat "$status")" = 0 ] || { tail -n 15 "$SHIPYARD_LOGS/prebuild-$name.log" >&2; die "prebuild of $name failed" "read $SHIPYARD_LOGS/prebuild-$name.log"; }
}

declare -A built=()
build() {
  local name=$1 ctx="$ROOT/images/$1" tag="shipyard/$1:bookworm" hash have from
  [ -n "${built[$name]:-}" ] && return 0
  [ -f "$ctx/Dockerfile" ] || die "no image named $name" "choose one of: $(ls "$ROOT/images" | tr '\n' ' ')"
  # An image built FROM another local image (shipyard/app, shipyard/node) builds
  # that one first, and its hash covers it: a rebuilt base rebuilds it.
  from=$(sed -n 's/^FROM[[:space:]]\{1,\}shipyard\/\([a-z0-9-]*\):bookworm.*/\1/p' "$ctx/Dockerfile" | grep -vx debian | head -1 || true)
  [ -z "$from" ] || build "$from"
  # An image whose server is not packaged by Debian builds it first from Go
  # modules (prebuild.sh puts the binary into the build context, git-ignored).
  if [ -x "$ctx/prebuild.sh" ]; then
    if [ -n "${SHIPYARD_PREBUILD_STATUS:-}" ]; then
      wait_prebuild "$name"
    else
      step "images: $name prebuild (log: $SHIPYARD_LOGS/prebuild-$name.log)"
      run_logged "prebuild-$name" "$ctx/prebuild.sh" || die "prebuild of $name failed" "read $SHIPYARD_LOGS/prebuild-$name.log"
    fi
  fi
  # inputs: file contents, file modes (an entrypoint made executable must
  # rebuild) and the base image (a rebuilt base rebuilds every image)
  hash=$( { docker image inspect -f '{{.Id}}' "$BASE"
            [ -z "$from" ] || docker image inspect -f '{{.Id}}' "shipyard/$from:bookworm"
            cd "$ctx" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
            find . -type f -printf '%m %p\n' | LC_ALL=C sort; } | sha256sum | cut -c1-16)
  have=$(docker image inspect -f '{{index .Config.Labels "shipyard.image.hash"}}' "$tag" 2>/dev/null || true)
  built[$name]=1
  if [ "$have" = "$hash" ]; then
    step "images: $tag up to date"
    return 0
  fi
  step "images: building $tag (log: $SHIPYARD_LOGS/image-$name.log)"
  DOCKER_BUILDKIT=0 run_logged "image-$name" docker build --force-rm --network host \
    --label "shipyard.image.hash=$hash" -t "$tag" "$ctx" \
    || die "building image $tag failed" "read $SHIPYARD_LOGS/image-$name.log"
}

names=("$@")
# All images: those without a prebuild first, so they build while prebuilds run.
[ ${#names[@]} -gt 0 ] || mapfile -t names < <(
  for d in "$ROOT"/images/*/; do n=$(basename "$d"); [ -x "$d/prebuild.sh" ] && echo "1 $n" || echo "0 $n"; done \
    | LC_ALL=C sort | cut -d' ' -f2)
for n in "${names[@]}"; do build "$n"; done
