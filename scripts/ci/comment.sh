#!/usr/bin/env bash
# CI: render every preview saved under DIR into one Markdown comment, then
# create or update the pull request's comment (when GITHUB_TOKEN and
# PR_NUMBER are set; otherwise the comment is only printed).
#   scripts/ci/comment.sh <dir> [title]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$ROOT/scripts/lib.sh"
dir="${1:?usage: comment.sh <dir> [title]}"
mapfile -t files < <(find "$dir" -name '*.json' -type f | sort)
[ "${#files[@]}" -gt 0 ] || die "no preview JSON under $dir" "check the preview jobs' artifacts"
bash "$ROOT/scripts/shipyard.sh" render-preview --title "${2:-Pulumi preview}" "${files[@]}" >"$dir/comment.md"
cat "$dir/comment.md"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then cat "$dir/comment.md" >>"$GITHUB_STEP_SUMMARY"; fi
if [ -n "${GITHUB_TOKEN:-}" ] && [ -n "${PR_NUMBER:-}" ]; then
  bash "$ROOT/scripts/shipyard.sh" pr-comment "$dir/comment.md"
else
  step "ci comment: GITHUB_TOKEN or PR_NUMBER not set; printed only"
fi
