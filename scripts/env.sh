# Environment for running Pulumi from this project: Node 22 and the pinned CLI
# first on PATH, offline settings, file backend and passphrase. Sourced by the
# deploy and test commands; `source scripts/env.sh` in a shell does the same.
# With SHIPYARD_TOOLCHAIN=released (scripts/versions.sh) the pulumi already on
# PATH is used and Pulumi may download plugins; otherwise (offline, the default)
# the CLI built by scripts/toolchain.sh comes first and plugin downloads are off.
_SHIPYARD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$_SHIPYARD_ROOT/scripts/versions.sh"
export SHIPYARD_TOOLCHAIN
SHIPYARD_CACHE="${SHIPYARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shipyard}"
export SHIPYARD_CACHE
# Image set: registry images, unless this machine chose the local stand-ins.
# scripts/setup.sh records `local` in $SHIPYARD_CACHE/image-set when it builds
# them (--no-stand-ins removes it); SHIPYARD_IMAGE_SET set by hand wins. The
# programs read it (stacks/imageSet.ts) and say which set runs and why.
if [ -z "${SHIPYARD_IMAGE_SET:-}" ] && [ -s "$SHIPYARD_CACHE/image-set" ]; then
  SHIPYARD_IMAGE_SET="$(cat "$SHIPYARD_CACHE/image-set")"
  export SHIPYARD_IMAGE_SET
fi
if [ "$SHIPYARD_TOOLCHAIN" != released ] && [ -x "$SHIPYARD_CACHE/pulumi-v$PULUMI_VERSION/bin/pulumi" ]; then
  PATH="$SHIPYARD_CACHE/pulumi-v$PULUMI_VERSION/bin:$PATH"
fi
PATH="$_SHIPYARD_ROOT/node_modules/.bin:$PATH"
export PATH
export PULUMI_SKIP_UPDATE_CHECK=true
if [ "$SHIPYARD_TOOLCHAIN" != released ]; then
  export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
  export PULUMI_DISABLE_REGISTRY_RESOLVE=true
fi
export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true
# State: Pulumi's file backend in .state/ (git-ignored) unless one is chosen.
export SHIPYARD_STATE="${SHIPYARD_STATE:-$_SHIPYARD_ROOT/.state}"
mkdir -p "$SHIPYARD_STATE/backend"
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$SHIPYARD_STATE/backend}"
# Secrets: passphrase provider. Without a passphrase given, one is generated
# once into .state/passphrase (keep a copy: it decrypts the stacks' secrets).
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  if [ ! -s "$SHIPYARD_STATE/passphrase" ]; then
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$SHIPYARD_STATE/passphrase")
  fi
  export PULUMI_CONFIG_PASSPHRASE_FILE="$SHIPYARD_STATE/passphrase"
fi
unset _SHIPYARD_ROOT
export PULUMI_NODEJS_TRANSPILE_ONLY=true  # tsc checks types in the tests; deploys skip it
# V8's compiled code of every module, kept between runs: the deploy command, the
# language host's program and the policy pack each load @pulumi/pulumi (and the
# program @pulumi/docker), which takes about half as long from this cache.
export NODE_COMPILE_CACHE="${NODE_COMPILE_CACHE:-$SHIPYARD_CACHE/node-compile-cache}"
