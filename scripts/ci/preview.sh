#!/usr/bin/env bash
# CI: preview one environment of every blueprint in $SHIPYARD_BLUEPRINTS
# (default: demo) with the policy pack, saving `pulumi preview --json` and the
# event log per stack into OUT_DIR for render-preview.
#   scripts/ci/preview.sh <env> <out-dir>
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$ROOT/scripts/lib.sh"
env_name="${1:?usage: preview.sh <env> <out-dir>}" out="${2:?usage: preview.sh <env> <out-dir>}"
pack=()
if [ -f "$ROOT/policies/PulumiPolicy.yaml" ]; then
  pack=(--policy-pack "$ROOT/policies")
else
  step "ci preview: no policies/ pack in this checkout; previewing without policies"
fi
rc=0
for bp in ${SHIPYARD_BLUEPRINTS:-demo}; do
  envs=$(bash "$ROOT/scripts/shipyard.sh" list | awk -F'\t' -v b="$bp" '$1==b {print $2}')
  case ",$envs," in
    *",$env_name,"*) ;;
    *) step "ci preview: $bp has no $env_name environment, skipped"; continue ;;
  esac
  step "ci preview: $bp $env_name"
  bash "$ROOT/scripts/shipyard.sh" preview-json "$bp" "$env_name" "$out" "${pack[@]}" || rc=1
done
exit "$rc"
