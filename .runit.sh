#!/bin/bash
# usage: .runit.sh <test path>  — one jest run, output to .state/logs/<name>.log
cd /work/i26 && source scripts/env.sh
export SHIPYARD_STATE=/work/i26/.state/test PULUMI_BACKEND_URL=file:///work/i26/.state/test/backend PULUMI_CONFIG_PASSPHRASE=shipyard-tests
unset PULUMI_CONFIG_PASSPHRASE_FILE; mkdir -p .state/test/backend .state/logs
n=$(basename "$1" .ts)
/usr/bin/time -f "wall %e s" node node_modules/.bin/jest --maxWorkers=1 "$@" > .state/logs/$n.log 2>&1
echo "rc=$?" >> .state/logs/$n.log
