#!/usr/bin/env bash
# Builds the admin dashboard (app/, Next.js 15 with basePath /admin and output
# "standalone") on this machine into bin/standalone.tgz; cached by the sources'
# hash (scripts/next-standalone.sh).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
exec "$HERE/../../scripts/next-standalone.sh" "$HERE"
