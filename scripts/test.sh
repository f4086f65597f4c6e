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
# Ports reserved by the last run (test/integration/helpers/net.ts freePort).
rm -rf "$SHIPYARD_STATE/ports"
export PULUMI_BACKEND_URL="file://$SHIPYARD_STATE/backend"
export PULUMI_CONFIG_PASSPHRASE="shipyard-tests"
unset PULUMI_CONFIG_PASSPHRASE_FILE
# Networks a blueprint shares between systems (`external: true`, e.g. CME's `external`) are made by the
# data layer when missing and never removed by a stack (components/database/databaseStack.ts). The suite
# removes the ones it made, at its end, when nothing uses them: the engine is left as it was found.
# test/unit/sharedNetworks.test.ts keeps this list equal to the blueprints' shared networks.
SHARED_NETWORKS=(external)
shared_made=()
for n in "${SHARED_NETWORKS[@]}"; do
  docker network inspect "$n" >/dev/null 2>&1 || shared_made+=("$n")
done
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
results="$SHIPYARD_STATE/jest-results.json"
rm -f "$SHIPYARD_STATE"/jest-*.json
rc=0
if [ $# -gt 0 ]; then
  step "test: jest $*"
  node node_modules/.bin/jest --runInBand --json --outputFile="$results" "$@" || rc=$?
else
  # Most files wait on the engine (health checks, Pulumi runs) more than they
  # compute, so they run in SHIPYARD_TEST_WORKERS jest workers (default 2). The
  # files that make this engine a Swarm run after, one at a time: leaving a
  # Swarm drops the DNS names of running containers on user-defined networks
  # (seen here on Docker 20.10.24 and again on 28.5.2), which would cut another
  # file's system apart.
  serial='test/integration/(swarm|swarm-nodes|traefik)\.test\.ts$'
  workers="${SHIPYARD_TEST_WORKERS:-2}"
  step "test: unit and integration (jest, $workers workers; Swarm files after, one at a time)"
  node node_modules/.bin/jest --maxWorkers="$workers" --json --outputFile="$SHIPYARD_STATE/jest-parallel.json" \
    --testPathIgnorePatterns '/node_modules/' "$serial" || rc=$?
  step "test: the files that make this engine a Swarm (jest --runInBand)"
  node node_modules/.bin/jest --runInBand --json --outputFile="$SHIPYARD_STATE/jest-serial.json" \
    --testPathPatterns "$serial" || rc=$?
fi
# One plain closing line for CI: "jest: N passed, N failed, N skipped" over both runs.
node -e '
const fs = require("fs");
const rs = process.argv.slice(1).filter((f) => fs.existsSync(f) && fs.statSync(f).size > 0).map((f) => require(f));
if (rs.length === 0) process.exit(0);
const sum = (k) => rs.reduce((n, r) => n + r[k], 0);
console.log(`jest: ${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed, ${sum("numPendingTests")} skipped`);
' "$results" "$SHIPYARD_STATE/jest-parallel.json" "$SHIPYARD_STATE/jest-serial.json"
for n in "${shared_made[@]}"; do
  if docker network inspect "$n" >/dev/null 2>&1; then
    if docker network rm "$n" >/dev/null 2>&1; then step "test: removed the shared network $n, which the tests made"
    else step "test: the shared network $n, which the tests made, is in use: left"; fi
  fi
done
step "test: done (exit $rc)"
exit "$rc"
