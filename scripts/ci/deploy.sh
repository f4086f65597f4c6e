#!/usr/bin/env bash
# CI: deploy one environment of a blueprint, or of every blueprint in
# $SHIPYARD_BLUEPRINTS (default: demo) that has it, data layer then app layer.
#   scripts/ci/deploy.sh <env> [blueprint]
# SHIPYARD_IMAGE_PINS (JSON, a dispatch's pin from cli/ci/dispatch.ts) is set as
# shipyard:imagePins; without it the deploy clears earlier pins.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$ROOT/scripts/lib.sh"
env_name="${1:?usage: deploy.sh <env> [blueprint]}"
for bp in ${2:-${SHIPYARD_BLUEPRINTS:-demo}}; do
  envs=$(bash "$ROOT/scripts/shipyard.sh" list | awk -F'\t' -v b="$bp" '$1==b {print $2}')
  case ",$envs," in
    *",$env_name,"*) ;;
    *) step "ci deploy: $bp has no $env_name environment, skipped"; continue ;;
  esac
  step "ci deploy: $bp $env_name"
  pins=()
  if [ -n "${SHIPYARD_IMAGE_PINS:-}" ]; then pins=(--set "imagePins=$SHIPYARD_IMAGE_PINS"); fi
  bash "$ROOT/scripts/shipyard.sh" up "$bp" "$env_name" "${pins[@]}"
done
