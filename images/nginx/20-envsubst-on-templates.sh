#!/bin/sh
# As upstream: render $NGINX_ENVSUBST_TEMPLATE_DIR (/etc/nginx/templates)/*.template
# into $NGINX_ENVSUBST_OUTPUT_DIR (/etc/nginx/conf.d), substituting only
# variables that are set in the environment (optionally filtered by the
# NGINX_ENVSUBST_FILTER regex).
set -e
ME=$(basename "$0")
entrypoint_log() { [ -z "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ] && echo "$@" || true; }

template_dir="${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}"
suffix="${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}"
output_dir="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"
filter="${NGINX_ENVSUBST_FILTER:-}"

[ -d "$template_dir" ] || exit 0
if [ ! -w "$output_dir" ]; then
  entrypoint_log "$ME: ERROR: $template_dir exists, but $output_dir is not writable"
  exit 0
fi
defined_envs=$(printf '${%s} ' $(awk "END { for (name in ENVIRON) { print ( name ~ /${filter}/ ) ? name : \"\" } }" < /dev/null))
find "$template_dir" -follow -type f -name "*$suffix" -print | while read -r template; do
  relative_path="${template#"$template_dir/"}"
  output_path="$output_dir/${relative_path%"$suffix"}"
  subdir=$(dirname "$relative_path")
  mkdir -p "$output_dir/$subdir"
  entrypoint_log "$ME: Running envsubst on $template to $output_path"
  envsubst "$defined_envs" < "$template" > "$output_path"
done
