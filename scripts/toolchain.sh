#!/usr/bin/env bash
# Node dependencies, the Pulumi CLI and language host, and the provider plugins.
# SHIPYARD_TOOLCHAIN (scripts/versions.sh) picks where Pulumi comes from:
#   offline (default): the CLI, the language host and the plugins are built from
#     Go modules; every build is cached in $SHIPYARD_CACHE under a directory keyed
#     by its versions (or source hash), so a second run takes seconds.
#   released: a released pulumi >= PULUMI_VERSION must be on PATH (this script
#     downloads nothing itself); the upstream plugins come from
#     `pulumi plugin install`. Nothing is built from Go.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/scripts/lib.sh"
source "$ROOT/scripts/versions.sh"
case "$SHIPYARD_TOOLCHAIN" in
  offline | released) step "toolchain: SHIPYARD_TOOLCHAIN=$SHIPYARD_TOOLCHAIN" ;;
  *) die "SHIPYARD_TOOLCHAIN is \"$SHIPYARD_TOOLCHAIN\"" "set it to offline (build from Go modules, the default) or released (the released pulumi on PATH and the upstream plugins)" ;;
esac

# at_least_pinned VERSION: VERSION (without the v) is PULUMI_VERSION or newer.
at_least_pinned() { [ -n "$1" ] && [ "$(printf '%s\n%s\n' "$PULUMI_VERSION" "$1" | sort -V | head -1)" = "$PULUMI_VERSION" ]; }

# released: the CLI must already be there (checked first, before npm install).
if [ "$SHIPYARD_TOOLCHAIN" = released ]; then
  install_hint="curl -fsSL https://get.pulumi.com | sh -s -- --version $PULUMI_VERSION (in GitHub Actions: pulumi/actions with pulumi-version: $PULUMI_VERSION), or set SHIPYARD_TOOLCHAIN=offline to build it from Go modules"
  command -v pulumi >/dev/null 2>&1 || die "SHIPYARD_TOOLCHAIN=released and no pulumi on PATH" "install the released CLI: $install_hint"
  v=$(pulumi version 2>/dev/null | sed 's/^v//')
  at_least_pinned "$v" || die "SHIPYARD_TOOLCHAIN=released and $(command -v pulumi) is v${v:-unknown}, older than $PULUMI_VERSION" "install the released CLI: $install_hint"
  note=""
  [ "$(command -v pulumi)" = "$SHIPYARD_CACHE/pulumi-v$PULUMI_VERSION/bin/pulumi" ] && note=" (the offline path's build)"
  step "pulumi: using $(command -v pulumi) (v$v, >= $PULUMI_VERSION)$note; no Go builds"
fi

export GOMODCACHE="$SHIPYARD_CACHE/go/mod" GOCACHE="$SHIPYARD_CACHE/go/build"
export GOFLAGS=-modcacherw GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0

# --- Node dependencies (Node 22 comes as the npm package "node") -------------
lock_hash=$(cat "$ROOT/package.json" "$ROOT/package-lock.json" | sha256sum | cut -c1-16)
if [ -f "$ROOT/node_modules/.shipyard-lock-hash" ] && [ "$(cat "$ROOT/node_modules/.shipyard-lock-hash")" = "$lock_hash" ]; then
  step "node: dependencies up to date"
else
  command -v npm >/dev/null || die "npm not found" "install Node.js with npm (any version >= 18; Node 22 is installed from npm)"
  step "node: npm install (log: $SHIPYARD_LOGS/npm-install.log)"
  # A registry download that stalls must not hang setup (or CI): each attempt
  # is bounded (timeout ends npm's whole process group, including the nested
  # install of the node binary), shorter fetch timeouts make npm retry sooner,
  # and a half-installed node package is removed before the next attempt.
  installed=""
  for attempt in 1 2 3; do
    if (cd "$ROOT" && npm_config_fetch_timeout=120000 npm_config_fetch_retries=4 \
      run_logged npm-install timeout -k 10 600 npm install --no-audit --no-fund); then
      installed=1
      break
    fi
    step "node: npm install attempt $attempt failed or stalled (log: $SHIPYARD_LOGS/npm-install.log)"
    rm -rf "$ROOT/node_modules/node" "$ROOT/node_modules/.bin/node"
  done
  [ -n "$installed" ] || die "npm install failed three times" "read $SHIPYARD_LOGS/npm-install.log"
  echo "$lock_hash" >"$ROOT/node_modules/.shipyard-lock-hash"
fi
"$ROOT/node_modules/.bin/node" -e 'require("fs/promises").glob || process.exit(1)' \
  || die "node_modules/.bin/node lacks fs/promises.glob" "remove node_modules and run this again"
step "node: $("$ROOT/node_modules/.bin/node" --version) from node_modules/.bin"

# --- SHIPYARD_TOOLCHAIN=released: the upstream provider plugins ----------------
# At the versions the npm SDKs ask for, from Pulumi's release servers. An offline
# stand-in from plugins/ installed under the same name and version is replaced.
if [ "$SHIPYARD_TOOLCHAIN" = released ]; then
  PULUMI_HOME_DIR="${PULUMI_HOME:-$HOME/.pulumi}"
  for spec in "docker:$DOCKER_PLUGIN_VERSION" "random:$RANDOM_PLUGIN_VERSION" "command:$COMMAND_PLUGIN_VERSION"; do
    name=${spec%%:*} ver=${spec##*:}
    bin="$PULUMI_HOME_DIR/plugins/resource-$name-v$ver/pulumi-resource-$name"
    reinstall=()
    if [ -x "$bin" ] && ! grep -q "shipyard offline" "$bin"; then
      step "plugin $name $ver: upstream release installed"
      continue
    elif [ -x "$bin" ]; then
      step "plugin $name $ver: the offline stand-in from plugins/ is installed; replacing it with the upstream release"
      reinstall=(--reinstall)
    fi
    step "plugin $name $ver: pulumi plugin install resource $name $ver (log: $SHIPYARD_LOGS/install-plugin-$name.log)"
    run_logged "install-plugin-$name" timeout -k 10 300 pulumi plugin install resource "$name" "$ver" "${reinstall[@]}" \
      || die "pulumi plugin install resource $name $ver failed: SHIPYARD_TOOLCHAIN=released downloads the upstream plugin from Pulumi's release servers (get.pulumi.com, github.com), and the download did not succeed (the log's last lines are above)" \
        "give this machine access to those servers and run this again, or set SHIPYARD_TOOLCHAIN=offline to build the stand-ins from plugins/ with Go"
  done
  step "toolchain ready (released): pulumi $(pulumi version), plugins: $(pulumi plugin ls 2>/dev/null | awk 'NR>1 && $2=="resource" {printf "%s %s, ", $1, $3}')"
  exit 0
fi

# --- Pulumi CLI and nodejs language host ---------------------------------------
CLI_DIR="$SHIPYARD_CACHE/pulumi-v$PULUMI_VERSION"
have_pulumi=""
if command -v pulumi >/dev/null 2>&1 && [ "$(command -v pulumi)" != "$CLI_DIR/bin/pulumi" ]; then
  v=$(pulumi version 2>/dev/null | sed 's/^v//')
  if at_least_pinned "$v"; then
    have_pulumi="$(command -v pulumi)"
    step "pulumi: using $have_pulumi (v$v, >= $PULUMI_VERSION)"
  else
    step "pulumi: $(command -v pulumi) is v${v:-unknown}, older than $PULUMI_VERSION; building the pinned one"
  fi
fi

build_cli() {
  local work="$SHIPYARD_CACHE/work/cli-$PULUMI_VERSION" ldflags
  command -v go >/dev/null || die "go not found" "install Go 1.25 or later, or put a pulumi >= $PULUMI_VERSION on PATH"
  mkdir -p "$work" "$CLI_DIR/bin.tmp"
  cat >"$work/go.mod" <<EOM
module shipyard.local/pulumi-cli

go 1.25.11

require (
	github.com/pulumi/pulumi/pkg/v3 v$PULUMI_VERSION
	github.com/pulumi/pulumi/sdk/v3 v$PULUMI_VERSION
)

replace github.com/atotto/clipboard => $CLIPBOARD_REPLACE
EOM
  printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"\n' >"$work/tools.go"
  ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
  step "pulumi: building CLI v$PULUMI_VERSION from Go modules (first time 5-10 min; log: $SHIPYARD_LOGS/build-cli.log)"
  (cd "$work" && run_logged build-cli bash -c "go mod tidy && go build -trimpath -tags osusergo,grpcnotrace -ldflags '$ldflags' -o '$CLI_DIR/bin.tmp/pulumi' github.com/pulumi/pulumi/pkg/v3/cmd/pulumi") \
    || die "building the Pulumi CLI failed" "read $SHIPYARD_LOGS/build-cli.log"

  work="$SHIPYARD_CACHE/work/langhost-$LANGHOST_SDK_VERSION"
  mkdir -p "$work"
  printf 'module shipyard.local/pulumi-language-nodejs\n\ngo 1.21\n\nrequire github.com/pulumi/pulumi/sdk/v3 v%s\n' "$LANGHOST_SDK_VERSION" >"$work/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"\n' >"$work/tools.go"
  ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$LANGHOST_SDK_VERSION"
  step "pulumi: building pulumi-language-nodejs (sdk v$LANGHOST_SDK_VERSION; log: $SHIPYARD_LOGS/build-langhost.log)"
  (cd "$work" && run_logged build-langhost bash -c "go mod tidy && go build -trimpath -tags osusergo,grpcnotrace -ldflags '$ldflags' -o '$CLI_DIR/bin.tmp/pulumi-language-nodejs-base' github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs") \
    || die "building pulumi-language-nodejs failed" "read $SHIPYARD_LOGS/build-langhost.log"

  # The dynamic-provider launcher script ships in the sdk module.
  local sdkdir
  sdkdir=$(cd "$SHIPYARD_CACHE/work/cli-$PULUMI_VERSION" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
  install -m 0755 "$sdkdir/nodejs/dist/pulumi-resource-pulumi-nodejs" "$CLI_DIR/bin.tmp/"
  rm -rf "$CLI_DIR/bin" && mv "$CLI_DIR/bin.tmp" "$CLI_DIR/bin"
}

if [ -z "$have_pulumi" ]; then
  # Caches from before the shipyard language host named the SDK's host
  # pulumi-language-nodejs; it is the base host now.
  if [ -x "$CLI_DIR/bin/pulumi-language-nodejs" ] && [ ! -e "$CLI_DIR/bin/pulumi-language-nodejs-base" ] \
    && ! grep -q "shipyard langhost" "$CLI_DIR/bin/pulumi-language-nodejs"; then
    mv "$CLI_DIR/bin/pulumi-language-nodejs" "$CLI_DIR/bin/pulumi-language-nodejs-base"
  fi
  if [ -x "$CLI_DIR/bin/pulumi" ] && [ -x "$CLI_DIR/bin/pulumi-language-nodejs-base" ]; then
    step "pulumi: cached v$PULUMI_VERSION in $CLI_DIR/bin"
  else
    build_cli
  fi
  export PATH="$CLI_DIR/bin:$PATH"
fi
[ "$(pulumi version)" = "v$PULUMI_VERSION" ] || [ -n "$have_pulumi" ] \
  || die "pulumi version is $(pulumi version), expected v$PULUMI_VERSION" "remove $CLI_DIR and run this again"

# --- Language host with RunPlugin ---------------------------------------------
# The SDK's host (v$LANGHOST_SDK_VERSION) cannot run plugins written in Node.js,
# which is how the CLI starts policy packs. plugins/cmd/pulumi-language-nodejs
# forwards every call to it and answers RunPlugin itself.
src_hash=$(cd "$ROOT/plugins" && find . -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
PLUGIN_DIR="$SHIPYARD_CACHE/plugins-$src_hash"
if [ -z "$have_pulumi" ]; then
  if [ ! -x "$PLUGIN_DIR/pulumi-language-nodejs" ]; then
    command -v go >/dev/null || die "go not found" "install Go 1.25 or later to build the language host"
    step "language host: building from plugins/ (log: $SHIPYARD_LOGS/build-langhost-proxy.log)"
    mkdir -p "$PLUGIN_DIR"
    (cd "$ROOT/plugins" && run_logged build-langhost-proxy go build -trimpath -ldflags "-s -w" \
      -o "$PLUGIN_DIR/pulumi-language-nodejs" ./cmd/pulumi-language-nodejs) \
      || die "building the language host failed" "read $SHIPYARD_LOGS/build-langhost-proxy.log"
  fi
  if ! cmp -s "$PLUGIN_DIR/pulumi-language-nodejs" "$CLI_DIR/bin/pulumi-language-nodejs"; then
    step "language host: installing beside pulumi"
    install -m 0755 "$PLUGIN_DIR/pulumi-language-nodejs" "$CLI_DIR/bin/pulumi-language-nodejs"
  else
    step "language host: up to date"
  fi
fi

# --- Provider plugins -----------------------------------------------------------
# Where a plugin of the wanted version is already installed and is not ours,
# it is the upstream one: keep it. Otherwise install the shipyard offline build
# (plugins/), rebuilt when its source changes.
PULUMI_HOME_DIR="${PULUMI_HOME:-$HOME/.pulumi}"
for spec in "docker:$DOCKER_PLUGIN_VERSION" "random:$RANDOM_PLUGIN_VERSION" "command:$COMMAND_PLUGIN_VERSION"; do
  name=${spec%%:*} ver=${spec##*:}
  installed="$PULUMI_HOME_DIR/plugins/resource-$name-v$ver"
  marker="$installed/.shipyard-build"
  if [ -x "$installed/pulumi-resource-$name" ] && ! grep -q "shipyard offline" "$installed/pulumi-resource-$name"; then
    step "plugin $name $ver: upstream build already installed, keeping it"
    continue
  fi
  if [ -f "$marker" ] && [ "$(cat "$marker")" = "$src_hash" ]; then
    step "plugin $name $ver: up to date"
    continue
  fi
  if [ ! -x "$PLUGIN_DIR/pulumi-resource-$name" ]; then
    command -v go >/dev/null || die "go not found" "install Go 1.25 or later to build the provider plugins"
    step "plugin $name $ver: building from plugins/ (log: $SHIPYARD_LOGS/build-plugin-$name.log)"
    mkdir -p "$PLUGIN_DIR"
    (cd "$ROOT/plugins" && run_logged "build-plugin-$name" go build -trimpath -ldflags "-s -w -X main.Version=$ver" \
      -o "$PLUGIN_DIR/pulumi-resource-$name" "./cmd/pulumi-resource-$name") \
      || die "building plugin $name failed" "read $SHIPYARD_LOGS/build-plugin-$name.log"
  fi
  step "plugin $name $ver: installing"
  run_logged "install-plugin-$name" pulumi plugin install resource "$name" "$ver" --file "$PLUGIN_DIR/pulumi-resource-$name" --reinstall \
    || die "pulumi plugin install $name failed" "read $SHIPYARD_LOGS/install-plugin-$name.log"
  echo "$src_hash" >"$marker"
done
step "toolchain ready: pulumi $(pulumi version), plugins: $(pulumi plugin ls 2>/dev/null | awk 'NR>1 && $2=="resource" {printf "%s %s, ", $1, $3}')"
