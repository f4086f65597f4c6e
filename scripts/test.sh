#!/usr/bin/env bash
# The whole test suite: typecheck, lint, unit tests, then the tests against the
# real Pulumi engine and the local Docker engine. Needs scripts/setup.sh first.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/scripts/lib.sh"
source "$ROOT/scripts/env.sh"
cd "$ROOT"
command -v pulumi >/dev/null || die "pulumi not found" "run scripts/setup.sh --no-deploy first"
docker info >/dev/null 2>&1 || die "no Docker engine answers" "run scripts/engine.sh"
# Tests get their own state directory, so they never touch your stacks.
export SHIPYARD_STATE="$ROOT/.state/test"
mkdir -p "$SHIPYARD_STATE/backend"
export PULUMI_BACKEND_URL="file://$SHIPYARD_STATE/backend"
export PULUMI_CONFIG_PASSPHRASE="shipyard-tests"
unset PULUMI_CONFIG_PASSPHRASE_FILE
step "test: typecheck"
node node_modules/.bin/tsc --noEmit -p tsconfig.json
step "test: lint"
node node_modules/.bin/eslint .
node node_modules/.bin/prettier --check . >/dev/null || { node node_modules/.bin/prettier --check . ; exit 1; }
step "test: workflows (actionlint)"
bash "$ROOT/scripts/actionlint.sh"
step "test: provider stand-ins (go test ./... in plugins/)"
if command -v go >/dev/null; then
  (cd "$ROOT/plugins" && GOMODCACHE="$SHIPYARD_CACHE/go/mod" GOCACHE="$SHIPYARD_CACHE/go/build" \
    GOFLAGS=-modcacherw GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0 go test ./...)
else
  step "test: no go on PATH; the plugins' unit tests are skipped"
fi
step "test: unit and integration (jest)"
results="$SHIPYARD_STATE/jest-results.json"
rm -f "$results"
rc=0
node node_modules/.bin/jest --runInBand --json --outputFile="$results" "$@" || rc=$?
# One plain closing line for CI: "jest: N passed, N failed, N skipped".
if [ -s "$results" ]; then
  node -e 'const r=require(process.argv[1]); console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`)' "$results"
fi
step "test: done (exit $rc)"
exit "$rc"
