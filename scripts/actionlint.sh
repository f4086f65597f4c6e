#!/usr/bin/env bash
# Lints .github/workflows with actionlint. actionlint is built once from the Go
# module proxy into $SHIPYARD_CACHE/actionlint-<version>/ and reused after that.
#   scripts/actionlint.sh            build if needed, then lint the workflows
#   scripts/actionlint.sh --build    only make sure the binary is there
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/scripts/lib.sh"
source "$ROOT/scripts/versions.sh"

DIR="$SHIPYARD_CACHE/actionlint-$ACTIONLINT_VERSION"
BIN="$DIR/actionlint"

build_actionlint() {
  command -v go >/dev/null || return 3
  export GOMODCACHE="$SHIPYARD_CACHE/go/mod" GOCACHE="$SHIPYARD_CACHE/go/build"
  export GOFLAGS=-modcacherw GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0
  local t0 work="$SHIPYARD_CACHE/work/actionlint-$ACTIONLINT_VERSION"
  t0=$(date +%s)
  mkdir -p "$work" "$DIR"
  step "actionlint: building $ACTIONLINT_VERSION from Go modules (log: $SHIPYARD_LOGS/build-actionlint.log)"
  (cd "$work" && run_logged build-actionlint env GOBIN="$DIR.tmp" \
    go install -trimpath -ldflags "-s -w" \
    "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION") \
    || die "building actionlint failed" "read $SHIPYARD_LOGS/build-actionlint.log"
  mv "$DIR.tmp/actionlint" "$BIN" && rmdir "$DIR.tmp"
  step "actionlint: built in $(( $(date +%s) - t0 ))s -> $BIN"
}

if [ ! -x "$BIN" ]; then
  build_actionlint || {
    step "actionlint: SKIPPED -- Go is not installed and no cached build in $DIR (install Go 1.25+ to lint workflows)"
    exit 0
  }
fi
[ "${1:-}" = "--build" ] && exit 0
cd "$ROOT"
step "actionlint: $("$BIN" -version | head -1) on .github/workflows"
"$BIN" -no-color .github/workflows/*.yml
