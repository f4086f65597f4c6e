#!/bin/bash
# Entry point for shipyard/mariadb, following the official mariadb image:
#   MARIADB_ROOT_PASSWORD / MARIADB_ROOT_PASSWORD_FILE
#   MARIADB_ALLOW_EMPTY_ROOT_PASSWORD=1, MARIADB_RANDOM_ROOT_PASSWORD=1
#   MARIADB_ROOT_HOST (default %)
#   MARIADB_DATABASE, MARIADB_USER, MARIADB_PASSWORD / MARIADB_PASSWORD_FILE
#   MYSQL_* spellings of the above are accepted when MARIADB_* is unset.
#   /docker-entrypoint-initdb.d/*.sql, *.sql.gz, *.sh run once, on first init.
# Arguments starting with "-" are passed to mariadbd.
# Not done (unlike upstream): time zone tables are not loaded, no auto-upgrade.
set -eo pipefail
shopt -s nullglob

log() {
  local level=$1; shift
  printf '%s [%s] [Entrypoint]: %s\n' "$(date --rfc-3339=seconds)" "$level" "$*" >&2
}
note() { log Note "$@"; }
warn() { log Warn "$@"; }
fail() { log ERROR "$@"; exit 1; }

# file_env VAR [default]: VAR from $VAR or the file named by $VAR_FILE, with
# MYSQL_* as a fallback spelling for MARIADB_*.
file_env() {
  local var=$1 def=${2:-} alt=${1/MARIADB_/MYSQL_}
  local fvar="${var}_FILE" afvar="${alt}_FILE"
  if [ -n "${!var:-}" ] && [ -n "${!fvar:-}" ]; then
    fail "both $var and $fvar are set (but are exclusive)"
  fi
  local val=$def
  if [ -n "${!var:-}" ]; then val=${!var}
  elif [ -n "${!fvar:-}" ]; then val=$(< "${!fvar}")
  elif [ -n "${!alt:-}" ]; then val=${!alt}
  elif [ -n "${!afvar:-}" ]; then val=$(< "${!afvar}")
  fi
  export "$var"="$val"
  unset "$fvar" "$alt" "$afvar"
}

# SQL string literal / identifier escaping.
sql_str() {
  local s=${1//\\/\\\\}
  s=${s//$'\n'/\\n}
  printf '%s' "${s//\'/\\\'}"
}
sql_ident() { printf '%s' "${1//\`/\`\`}"; }

# datadir and socket as the server would see them with these args
server_paths() {
  "$@" --verbose --help --log-bin-index="$(mktemp -u)" 2>/dev/null \
    | awk '($1 == "datadir" || $1 == "socket") && NF == 2 { print $1 "=" $2 }'
}

# docker_process_sql [mariadb args]: run SQL from stdin against the
# temporary server as root (also usable from sourced initdb.d/*.sh).
docker_process_sql() {
  MYSQL_PWD=$MARIADB_ROOT_PASSWORD mariadb --protocol=socket -uroot -hlocalhost \
    --socket="$SOCKET" --comments "$@"
}

setup_env() {
  local line
  while IFS= read -r line; do
    case $line in
      datadir=*) DATADIR=${line#datadir=} ;;
      socket=*) SOCKET=${line#socket=} ;;
    esac
  done < <(server_paths "$@")
  DATADIR=${DATADIR%/}
  : "${DATADIR:=/var/lib/mysql}" "${SOCKET:=/run/mysqld/mysqld.sock}"
  file_env MARIADB_ROOT_HOST '%'
  file_env MARIADB_DATABASE
  file_env MARIADB_USER
  file_env MARIADB_PASSWORD
  file_env MARIADB_ROOT_PASSWORD
  file_env MARIADB_ALLOW_EMPTY_ROOT_PASSWORD
  file_env MARIADB_RANDOM_ROOT_PASSWORD
  file_env MARIADB_INITDB_SKIP_TZINFO
}

verify_env() {
  if [ -z "$MARIADB_ROOT_PASSWORD" ] && [ -z "$MARIADB_ALLOW_EMPTY_ROOT_PASSWORD" ] \
     && [ -z "$MARIADB_RANDOM_ROOT_PASSWORD" ]; then
    fail "Database is uninitialized and password option is not specified
	You need to specify one of MARIADB_ROOT_PASSWORD, MARIADB_ROOT_PASSWORD_FILE, MARIADB_ALLOW_EMPTY_ROOT_PASSWORD and MARIADB_RANDOM_ROOT_PASSWORD"
  fi
  if [ -n "$MARIADB_USER" ] && [ "$MARIADB_USER" = root ]; then
    fail "MARIADB_USER=root: use MARIADB_ROOT_PASSWORD for the root account"
  fi
  if [ -n "$MARIADB_PASSWORD" ] && [ -z "$MARIADB_USER" ]; then
    warn "MARIADB_PASSWORD set without MARIADB_USER: it is ignored"
  fi
}

start_temp_server() {
  "$@" --skip-networking --default-time-zone=SYSTEM --socket="$SOCKET" \
    --wsrep_on=OFF --expire-logs-days=0 --skip-slave-start \
    --loose-innodb_buffer_pool_load_at_startup=0 \
    --loose-innodb_buffer_pool_dump_at_shutdown=0 &
  TEMP_PID=$!
  local i
  for ((i = 0; i < 600; i++)); do
    if MYSQL_PWD= mariadb --protocol=socket -uroot -hlocalhost --socket="$SOCKET" \
         -e 'SELECT 1' >/dev/null 2>&1; then
      return 0
    fi
    kill -0 "$TEMP_PID" 2>/dev/null || fail "temporary server exited during init"
    sleep 0.1
  done
  fail "temporary server did not start within 60s"
}

stop_temp_server() {
  kill "$TEMP_PID"
  wait "$TEMP_PID" || fail "temporary server did not stop cleanly"
}

run_initdb_files() {
  local f db_args=()
  [ -n "$MARIADB_DATABASE" ] && db_args=(--database="$MARIADB_DATABASE")
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh)
        if [ -x "$f" ]; then note "$0: running $f"; "$f"
        else note "$0: sourcing $f"; . "$f"; fi ;;
      *.sql)     note "$0: running $f"; docker_process_sql "${db_args[@]}" < "$f" ;;
      *.sql.gz)  note "$0: running $f"; gunzip -c "$f" | docker_process_sql "${db_args[@]}" ;;
      *.sql.xz)  note "$0: running $f"; xzcat "$f" | docker_process_sql "${db_args[@]}" ;;
      *.sql.zst) note "$0: running $f"; zstd -dc "$f" | docker_process_sql "${db_args[@]}" ;;
      *)         note "$0: ignoring $f" ;;
    esac
  done
}

init_database() {
  note "Initializing database files in $DATADIR"
  mariadb-install-db --datadir="$DATADIR" --rpm --auth-root-authentication-method=normal \
    --skip-test-db --skip-name-resolve --old-mode='UTF8_IS_UTF8MB3' \
    --default-time-zone=SYSTEM --enforce-storage-engine= --skip-log-bin \
    --expire-logs-days=0 --loose-innodb_buffer_pool_load_at_startup=0 \
    --loose-innodb_buffer_pool_dump_at_shutdown=0 "${@:2}" >/dev/null
  note "Database files initialized"

  note "Starting temporary server"
  start_temp_server "$@"
  note "Temporary server started"

  if [ -n "$MARIADB_RANDOM_ROOT_PASSWORD" ]; then
    MARIADB_ROOT_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -d '/+=' | head -c 32)
    export MARIADB_ROOT_PASSWORD
    note "GENERATED ROOT PASSWORD: $MARIADB_ROOT_PASSWORD"
  fi
  local rootpw hcpw host user db
  rootpw=$(sql_str "$MARIADB_ROOT_PASSWORD")
  host=$(sql_str "$MARIADB_ROOT_HOST")
  hcpw=$(head -c 24 /dev/urandom | base64 | tr -d '/+=' | head -c 32)

  local root_remote=
  if [ "$MARIADB_ROOT_HOST" != localhost ]; then
    root_remote="CREATE USER 'root'@'$host' IDENTIFIED BY '$rootpw';
GRANT ALL ON *.* TO 'root'@'$host' WITH GRANT OPTION;
GRANT PROXY ON ''@'%' TO 'root'@'$host' WITH GRANT OPTION;"
  fi
  local user_sql=
  if [ -n "$MARIADB_USER" ]; then
    user=$(sql_str "$MARIADB_USER")
    user_sql="CREATE USER '$user'@'%' IDENTIFIED BY '$(sql_str "$MARIADB_PASSWORD")';"
    if [ -n "$MARIADB_DATABASE" ]; then
      user_sql+=$'\n'"GRANT ALL ON \`$(sql_ident "$MARIADB_DATABASE")\`.* TO '$user'@'%';"
    fi
  fi
  local db_sql=
  if [ -n "$MARIADB_DATABASE" ]; then
    db_sql="CREATE DATABASE IF NOT EXISTS \`$(sql_ident "$MARIADB_DATABASE")\`;"
  fi

  note "Securing system users"
  MARIADB_ROOT_PASSWORD= docker_process_sql --database=mysql --binary-mode <<-EOSQL
	SET @@SESSION.SQL_LOG_BIN=0;
	SET @@SESSION.SQL_MODE=REPLACE(@@SESSION.SQL_MODE, 'NO_BACKSLASH_ESCAPES', '');
	DROP USER IF EXISTS root@'127.0.0.1', root@'::1';
	EXECUTE IMMEDIATE CONCAT('DROP USER IF EXISTS root@\'', @@hostname,'\'');
	SET PASSWORD FOR 'root'@'localhost' = PASSWORD('$rootpw');
	$root_remote
	CREATE USER healthcheck@'127.0.0.1' IDENTIFIED BY '$hcpw';
	CREATE USER healthcheck@'::1' IDENTIFIED BY '$hcpw';
	CREATE USER healthcheck@localhost IDENTIFIED BY '$hcpw';
	DROP DATABASE IF EXISTS test;
	$db_sql
	$user_sql
	EOSQL
  (umask 077; printf '[mariadb-client]\nsocket=%s\nuser=healthcheck\npassword=%s\n' \
    "$SOCKET" "$hcpw" > "$DATADIR/.my-healthcheck.cnf")

  run_initdb_files

  note "Stopping temporary server"
  stop_temp_server
  note "Temporary server stopped"
  note "MariaDB init process done. Ready for start up."
}

if [ "${1:0:1}" = - ]; then
  set -- mariadbd "$@"
fi

if [ "$1" = mariadbd ] || [ "$1" = mysqld ]; then
  for arg; do
    case "$arg" in
      -'?'|--help|--print-defaults|-V|--version) exec "$@" ;;
    esac
  done
  setup_env "$@"
  if [ "$(id -u)" = 0 ]; then
    mkdir -p "$DATADIR" "$(dirname "$SOCKET")"
    find "$DATADIR" "$(dirname "$SOCKET")" \! -user mysql -exec chown mysql:mysql '{}' +
    exec setpriv --reuid=mysql --regid=mysql --init-groups "$BASH_SOURCE" "$@"
  fi
  if [ ! -d "$DATADIR/mysql" ]; then
    verify_env
    init_database "$@"
  fi
  # the password variables are not needed by the server
  unset MARIADB_PASSWORD MARIADB_RANDOM_ROOT_PASSWORD
  exec "$@"
fi

exec "$@"
