#!/bin/bash
# /usr/local/bin/entrypoint.sh, as frappe_docker's resources/core/main-entrypoint.sh:
# link the image's built assets into the mounted sites volume, then run the command.
set -e
ASSETS_PATH="/home/frappe/frappe-bench/sites/assets"
BAKED_PATH="/home/frappe/frappe-bench/assets"
rm -rf "$ASSETS_PATH"
mkdir -p "$(dirname "$ASSETS_PATH")"
ln -s "$BAKED_PATH" "$ASSETS_PATH"
exec "$@"
