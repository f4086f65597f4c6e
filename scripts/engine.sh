#!/usr/bin/env bash
# Make sure a Docker engine answers. Starts Debian's dockerd only when none does;
# never starts a second one.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/versions.sh"

# An engine that answers but refuses this docker CLI (Docker 29.0-29.2 refuse
# API below 1.44, i.e. CLIs older than 25) is not a missing engine: say which CLI.
too_old=$(docker version 2>&1 >/dev/null | grep -o 'client version [0-9.]* is too old.*' || true)
[ -z "$too_old" ] || die "the engine refuses the docker CLI on PATH ($(command -v docker), $(docker version --format '{{.Client.Version}}' 2>/dev/null || true)): $too_old" \
  "put a docker CLI of Docker 25 or newer (API 1.44) first on PATH; jobs, backups and scripts run it"

if docker info >/dev/null 2>&1; then
  step "docker engine: already answering ($(docker info --format '{{.ServerVersion}}'))"
  exit 0
fi

# No engine answers: install the current one (Docker 28 from Debian's newer suite)
# unless a supported dockerd (26 or newer) is already installed.
dockerd_major() { dockerd --version 2>/dev/null | sed -n 's/^Docker version \([0-9]*\)\..*/\1/p'; }
if ! command -v dockerd >/dev/null 2>&1 || [ "$(dockerd_major)" -lt 26 ] 2>/dev/null; then
  [ "$(id -u)" = 0 ] || die "no Docker engine (26 or newer) and not root" "install Docker 26 or newer, or run this as root"
  step "docker engine: installing Docker from Debian's $DOCKER_ENGINE_SUITE suite (log: $SHIPYARD_LOGS/apt-docker.log)"
  run_logged apt-docker bash "$(dirname "$0")/engine-install.sh" \
    || die "installing the Docker engine failed" "read $SHIPYARD_LOGS/apt-docker.log"
  step "docker engine: installed $(dockerd --version), $(docker compose version 2>/dev/null || echo 'no compose plugin')"
fi

# A dockerd we started earlier may still be starting: do not start another.
pidfile=/var/run/docker.pid
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  step "docker engine: dockerd (pid $(cat "$pidfile")) is starting, waiting"
else
  # Every per-customer site stack has its own network, and Docker's default
  # address pools hold about 30 networks (a WebMeteor fleet stopped at its
  # 28th site here). Unless /etc/docker/daemon.json sets its own pools, the
  # engine we start hands out /24s from SHIPYARD_ADDRESS_POOL: 256 networks.
  pools=()
  if ! grep -qs default-address-pools /etc/docker/daemon.json; then
    pools=(--default-address-pool "base=${SHIPYARD_ADDRESS_POOL:-10.200.0.0/16},size=24")
  fi
  # The last engine's log says why it stopped (a panic, a signal): keep it beside the new one.
  [ ! -s "$SHIPYARD_LOGS/dockerd.log" ] || mv -f "$SHIPYARD_LOGS/dockerd.log" "$SHIPYARD_LOGS/dockerd.previous.log"
  step "docker engine: starting dockerd in the background (log: $SHIPYARD_LOGS/dockerd.log, the previous one's: dockerd.previous.log)"
  setsid nohup dockerd "${pools[@]}" >"$SHIPYARD_LOGS/dockerd.log" 2>&1 </dev/null &
fi

for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    step "docker engine: answering ($(docker info --format '{{.ServerVersion}}'))"
    exit 0
  fi
  sleep 1
done
die "dockerd did not answer within 60s" "read $SHIPYARD_LOGS/dockerd.log"
