#!/usr/bin/env bash
# Puts lego (the ACME client, go-acme/lego) into bin/ of this build context: the binary of
# Debian's `lego` package from the unstable suite (bookworm's own lego is 4.9, older than
# the ARI-aware `renew` the program's loop relies on), cached by package version.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
exec "$HERE/../../scripts/deb-binary.sh" lego 4.35.2-3 usr/bin/lego "$HERE/bin/lego"
