#!/bin/bash
# Entry point for shipyard/postgres, following the official postgres image:
#   POSTGRES_PASSWORD / POSTGRES_PASSWORD_FILE (required unless
#     POSTGRES_HOST_AUTH_METHOD=trust)
#   POSTGRES_USER / _FILE (default postgres), POSTGRES_DB / _FILE (default
#     $POSTGRES_USER), POSTGRES_INITDB_ARGS, POSTGRES_INITDB_WALDIR,
#   POSTGRES_HOST_AUTH_METHOD (default scram-sha-256) for non-local hosts,
#   PGDATA (default /var/lib/postgresql/data).
#   /docker-entrypoint-initdb.d/*.sql, *.sql.gz, *.sql.xz, *.sh run once, on
#   first init, against $POSTGRES_DB as $POSTGRES_USER.
# Arguments starting with "-" are passed to postgres.
set -Eeo pipefail
shopt -s nullglob

log() { printf '%s [Entrypoint]: %s\n' "$(date --rfc-3339=seconds)" "$*" >&2; }
fail() { log "ERROR: $*"; exit 1; }

# file_env VAR [default]: VAR from $VAR or the file named by $VAR_FILE.
file_env() {
  local var=$1 def=${2:-} fvar="${1}_FILE"
  if [ -n "${!var:-}" ] && [ -n "${!fvar:-}" ]; then
    fail "both $var and $fvar are set (but are exclusive)"
  fi
  local val=$def
  if [ -n "${!var:-}" ]; then val=${!var}
  elif [ -n "${!fvar:-}" ]; then val=$(< "${!fvar}")
  fi
  export "$var"="$val"
  unset "$fvar"
}

setup_env() {
  file_env POSTGRES_PASSWORD
  file_env POSTGRES_USER postgres
  file_env POSTGRES_DB "$POSTGRES_USER"
  file_env POSTGRES_INITDB_ARGS
  : "${POSTGRES_HOST_AUTH_METHOD:=}"
  DATABASE_ALREADY_EXISTS=
  [ -s "$PGDATA/PG_VERSION" ] && DATABASE_ALREADY_EXISTS=true
  return 0
}

create_db_directories() {
  local user; user=$(id -u)
  mkdir -p "$PGDATA"
  chmod 00700 "$PGDATA" || :
  mkdir -p /var/run/postgresql || :
  chmod 03775 /var/run/postgresql || :
  if [ -n "${POSTGRES_INITDB_WALDIR:-}" ]; then
    mkdir -p "$POSTGRES_INITDB_WALDIR"
    [ "$user" = 0 ] && find "$POSTGRES_INITDB_WALDIR" \! -user postgres -exec chown postgres '{}' +
    chmod 700 "$POSTGRES_INITDB_WALDIR"
  fi
  if [ "$user" = 0 ]; then
    find "$PGDATA" \! -user postgres -exec chown postgres '{}' +
    find /var/run/postgresql \! -user postgres -exec chown postgres '{}' +
  fi
}

verify_minimum_env() {
  if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
    fail "Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE) to a non-empty
       value for the superuser, or set POSTGRES_HOST_AUTH_METHOD=trust to allow
       all connections without a password (not recommended)."
  fi
  if [ "$POSTGRES_HOST_AUTH_METHOD" = trust ]; then
    log "WARNING: POSTGRES_HOST_AUTH_METHOD=trust: every host may connect without a password"
  fi
}

init_database_dir() {
  if [ -n "${POSTGRES_INITDB_WALDIR:-}" ]; then
    set -- --waldir "$POSTGRES_INITDB_WALDIR" "$@"
  fi
  # shellcheck disable=SC2086  # POSTGRES_INITDB_ARGS is split like upstream
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
    $POSTGRES_INITDB_ARGS "$@"
}

setup_hba_conf() {
  local auth=$POSTGRES_HOST_AUTH_METHOD
  if [ -z "$auth" ]; then
    auth=$(postgres -C password_encryption -D "$PGDATA" 2>/dev/null || echo scram-sha-256)
    [ "$auth" = on ] && auth=md5
  fi
  { printf '\n'
    printf 'host all all all %s\n' "$auth"
  } >> "$PGDATA/pg_hba.conf"
}

temp_server_start() {
  # the temporary server listens on the Unix socket only
  set -- "$@" -c listen_addresses='' -p "${PGPORT:-5432}"
  PGUSER=$POSTGRES_USER pg_ctl -D "$PGDATA" -w -t 60 -o "$(printf '%q ' "$@")" start
}

temp_server_stop() {
  PGUSER=$POSTGRES_USER pg_ctl -D "$PGDATA" -m fast -w stop
}

# docker_process_sql [psql args]: SQL from stdin or -f, as $POSTGRES_USER
# (also usable from sourced initdb.d/*.sh).
docker_process_sql() {
  local query_runner=(psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc)
  if [ -n "$POSTGRES_DB" ]; then query_runner+=(--dbname "$POSTGRES_DB"); fi
  PGHOST= PGHOSTADDR= "${query_runner[@]}" "$@"
}

setup_db() {
  local exists
  exists=$(POSTGRES_DB= docker_process_sql --dbname postgres --set db="$POSTGRES_DB" --tuples-only <<-'EOSQL'
	SELECT 1 FROM pg_database WHERE datname = :'db' ;
	EOSQL
  )
  if [ -z "$exists" ]; then
    POSTGRES_DB= docker_process_sql --dbname postgres --set db="$POSTGRES_DB" <<-'EOSQL'
	CREATE DATABASE :"db" ;
	EOSQL
    printf '\n'
  fi
}

process_init_files() {
  local f
  printf '\n'
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh)
        if [ -x "$f" ]; then log "$0: running $f"; "$f"
        else log "$0: sourcing $f"; . "$f"; fi ;;
      *.sql)     log "$0: running $f"; docker_process_sql -f "$f"; printf '\n' ;;
      *.sql.gz)  log "$0: running $f"; gunzip -c "$f" | docker_process_sql; printf '\n' ;;
      *.sql.xz)  log "$0: running $f"; xzcat "$f" | docker_process_sql; printf '\n' ;;
      *.sql.zst) log "$0: running $f"; zstd -dc "$f" | docker_process_sql; printf '\n' ;;
      *)         log "$0: ignoring $f" ;;
    esac
    printf '\n'
  done
}

if [ "${1:0:1}" = - ]; then
  set -- postgres "$@"
fi

if [ "$1" = postgres ]; then
  for arg; do
    case "$arg" in -'?'|--help|--describe-config|-V|--version) exec "$@" ;; esac
  done
  setup_env
  create_db_directories
  if [ "$(id -u)" = 0 ]; then
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$BASH_SOURCE" "$@"
  fi
  if [ -z "$DATABASE_ALREADY_EXISTS" ]; then
    verify_minimum_env
    ls /docker-entrypoint-initdb.d/ >/dev/null
    init_database_dir
    setup_hba_conf
    export PGPASSWORD=${PGPASSWORD:-$POSTGRES_PASSWORD}
    temp_server_start "${@:2}"
    setup_db
    process_init_files
    temp_server_stop
    unset PGPASSWORD
    log "PostgreSQL init process complete; ready for start up."
  else
    log "PostgreSQL Database directory appears to contain a database; Skipping initialization"
  fi
fi

exec "$@"
