#!/bin/sh
# Runs prometheus-node-exporter with the container args as its flags. Debian's
# build enables the systemd collector by default (upstream does not, and a
# container has no systemd), so --no-collector.systemd is added unless the args
# choose either way themselves (the flag may not be repeated).
for a; do
  case $a in
    --collector.systemd|--no-collector.systemd) exec /usr/bin/prometheus-node-exporter "$@" ;;
  esac
done
exec /usr/bin/prometheus-node-exporter --no-collector.systemd "$@"
