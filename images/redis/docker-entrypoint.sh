#!/bin/bash
# Entry point for shipyard/redis (see the Dockerfile header for the contract).
set -eo pipefail

# "docker run image --appendonly yes" and "image my.conf" mean redis-server
if [ "${1:0:1}" = - ] || [ "${1%.conf}" != "$1" ]; then
  set -- redis-server "$@"
fi

if [ "$1" = redis-server ]; then
  shift
  for arg; do
    case "$arg" in -h|--help|-v|--version|--test-memory|--check-system) exec redis-server "$@" ;; esac
  done
  if [ "$(id -u)" = 0 ]; then
    mkdir -p /data
    find /data \! -user redis -exec chown redis '{}' +
    exec setpriv --reuid=redis --regid=redis --init-groups "$BASH_SOURCE" redis-server "$@"
  fi
  conf=()
  if [ $# -gt 0 ] && [ "${1:0:1}" != - ]; then conf=("$1"); shift; fi

  pw=${REDIS_PASSWORD:-}
  if [ -n "$pw" ] && [ -n "${REDIS_PASSWORD_FILE:-}" ]; then
    echo "both REDIS_PASSWORD and REDIS_PASSWORD_FILE are set (but are exclusive)" >&2; exit 1
  fi
  [ -z "$pw" ] && [ -n "${REDIS_PASSWORD_FILE:-}" ] && pw=$(< "$REDIS_PASSWORD_FILE")
  has_requirepass=
  for arg; do [ "$arg" = --requirepass ] && has_requirepass=1; done
  if [ -n "$pw" ] && [ -z "$has_requirepass" ]; then
    # a private config file: requirepass stays out of the process arguments
    dir=$(mktemp -d /tmp/redis-conf.XXXXXX)
    gen="$dir/redis.conf"
    (
      umask 077
      [ ${#conf[@]} -gt 0 ] && printf 'include %s\n' "$(realpath "${conf[0]}")"
      pw=${pw//\\/\\\\}; pw=${pw//\"/\\\"}
      printf 'requirepass "%s"\n' "$pw"
    ) > "$gen"
    conf=("$gen")
  fi
  unset REDIS_PASSWORD pw
  umask 0077
  exec redis-server "${conf[@]}" --bind 0.0.0.0 --protected-mode no --dir /data "$@"
fi

exec "$@"
