#!/usr/bin/env bash
# Puts Caddy into bin/ of this build context: the binary of Debian's `caddy` package from
# the unstable suite (2.11, the release line of the official caddy:2 image; bookworm's and
# trixie's 2.6 predate certmagic's lock around ACME account registration, caddyserver/
# certmagic#293, so several certificates ordered at once registered several accounts and
# could store one account's key beside another's ID: every order then failed with Pebble's
# "JWS verification error"). Cached by package version.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
exec "$HERE/../../scripts/deb-binary.sh" caddy 2.11.4-1 usr/bin/caddy "$HERE/bin/caddy"
