#!/usr/bin/env bash
# CI: what a workflow run concerns, for GITHUB_OUTPUT.
#   scripts/ci/environments.sh changed <base-ref>   envs=["dev",...] (from git diff base...HEAD)
#   scripts/ci/environments.sh branch <branch>      targets=[{"blueprint":…,"environment":…},…]
#     (per blueprint in $SHIPYARD_BLUEPRINTS, from its branch map; [] if the branch deploys nothing)
#   scripts/ci/environments.sh dispatch <blueprint> <env> <image-key> <digest|tag>
#                                                   targets=[{"blueprint":…,"environment":…,"pins":…}]
#     (an application repository's dispatch, checked by cli/ci/dispatch.ts; a wrong input fails here)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
case "${1:-}" in
  changed)
    base="${2:?usage: environments.sh changed <base-ref>}"
    echo "envs=$(git -C "$ROOT" diff --name-only "$base"...HEAD | bash "$ROOT/scripts/shipyard.sh" affected-envs)"
    ;;
  branch)
    echo "targets=$(bash "$ROOT/scripts/shipyard.sh" branch-targets "${2:?usage: environments.sh branch <branch>}")"
    ;;
  dispatch)
    shift
    targets=$(bash "$ROOT/scripts/shipyard.sh" dispatch-check "$@")
    echo "targets=$targets"
    ;;
  *) echo "usage: environments.sh changed <base-ref> | branch <branch> | dispatch <blueprint> <env> <image-key> <digest|tag>" >&2; exit 2 ;;
esac
