#!/usr/bin/env bash
# Builds the CMS (app/: Payload CMS 3.62.1 on Next.js 15, output "standalone")
# on this machine into bin/standalone.tgz; cached by the sources' hash
# (scripts/next-standalone.sh). The first build takes a few minutes (Payload's
# admin panel is compiled with it), later runs a second.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
exec "$HERE/../../scripts/next-standalone.sh" "$HERE"
