#!/bin/bash
# docker-entrypoint.sh: what docker-library/wordpress's entrypoint does (as
# FrankenWP runs it, for a `frankenphp ...` command): copy WordPress from
# /usr/src/wordpress into the working directory when it is not there, keeping
# plugins and themes the wp-content volume already has; write wp-config.php
# from wp-config-docker.php when WORDPRESS_* variables are set and there is no
# wp-config.php yet, random values for the keys left unset; then exec the command.
set -Eeuo pipefail

if [[ "${1-}" == frankenphp* ]] || [ "${1-}" = php-fpm ]; then
  uid=$(id -u)
  gid=$(id -g)
  if [ "$uid" = 0 ]; then user=www-data group=www-data; else user=$uid group=$gid; fi

  if [ ! -e index.php ] && [ ! -e wp-includes/version.php ]; then
    echo >&2 "WordPress not found in $PWD - copying now..."
    src=(--create --file - --directory /usr/src/wordpress --owner "$user" --group "$group")
    dst=(--extract --file -)
    [ "$uid" = 0 ] || dst+=(--no-overwrite-dir)
    # a plugin or theme the volume already holds is kept, not downgraded
    for p in /usr/src/wordpress/wp-content/*/*/; do
      p=${p%/}
      [ -e "$p" ] || continue
      rel=${p#/usr/src/wordpress/}
      if [ -e "$PWD/$rel" ]; then
        echo >&2 "WARNING: '$PWD/$rel' exists! (not copying the WordPress version)"
        src+=(--exclude "./$rel")
      fi
    done
    tar "${src[@]}" . | tar "${dst[@]}"
    echo >&2 "Complete! WordPress has been successfully copied to $PWD"
  fi

  wpEnvs=("${!WORDPRESS_@}")
  if [ ! -s wp-config.php ] && [ "${#wpEnvs[@]}" -gt 0 ]; then
    echo >&2 "No 'wp-config.php' found in $PWD, but 'WORDPRESS_...' variables supplied; writing it from wp-config-docker.php (${wpEnvs[*]})"
    awk '
      /put your unique phrase here/ {
        cmd = "head -c1m /dev/urandom | sha1sum | cut -d\\  -f1"
        cmd | getline str
        close(cmd)
        gsub("put your unique phrase here", str)
      }
      { print }
    ' /usr/src/wordpress/wp-config-docker.php > wp-config.php
    [ "$uid" != 0 ] || chown "$user:$group" wp-config.php || true
  fi
fi

exec "$@"
