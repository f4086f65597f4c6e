cd /work/offsite && source scripts/env.sh >/dev/null 2>&1
export SHIPYARD_STATE=/work/offsite/.state/test PULUMI_BACKEND_URL=file:///work/offsite/.state/test/backend PULUMI_CONFIG_PASSPHRASE=shipyard-tests
unset PULUMI_CONFIG_PASSPHRASE_FILE; mkdir -p .state/test/backend
node node_modules/.bin/jest --maxWorkers=1 "$@"
