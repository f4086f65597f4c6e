#!/bin/sh
# /entrypoint.sh: as the matomo image's entrypoint. file_env: <NAME>_FILE fills
# <NAME> from a file (both set is an error); Matomo is copied into the working
# directory when matomo.php is missing; then the command runs.
set -e

file_env() {
  var=$1
  fileVar="${var}_FILE"
  eval "val=\${$var:-}"
  eval "fileVal=\${$fileVar:-}"
  if [ -n "$val" ] && [ -n "$fileVal" ]; then
    echo >&2 "error: both $var and $fileVar are set (but are exclusive)"
    exit 1
  fi
  if [ -n "$fileVal" ]; then
    export "$var"="$(cat "$fileVal")"
  fi
  unset "$fileVar"
}

file_env MATOMO_DATABASE_HOST
file_env MATOMO_DATABASE_USERNAME
file_env MATOMO_DATABASE_PASSWORD
file_env MATOMO_DATABASE_DBNAME

if [ ! -e matomo.php ]; then
  if [ "$(id -u)" = 0 ]; then user=www-data group=www-data; else user=$(id -u) group=$(id -g); fi
  tar cf - --one-file-system -C /usr/src/matomo . | tar xf -
  chown -R "$user:$group" .
fi

exec "$@"
