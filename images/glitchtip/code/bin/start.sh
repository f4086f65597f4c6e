#!/usr/bin/env sh
# As GlitchTip's bin/start.sh: the role picks the script.
set -e
SERVER_ROLE="${SERVER_ROLE:-web}"
case $SERVER_ROLE in
  web) SCRIPT="./bin/run-web.sh" ;;
  worker) SCRIPT="./bin/run-celery.sh" ;;
  beat) SCRIPT="./bin/run-celery-with-beat.sh" ;;
  worker_with_beat) SCRIPT="./bin/run-celery-with-beat.sh" ;;
  *) echo "Unknown server role provided: $SERVER_ROLE. Should be web|worker|beat."; exit 1 ;;
esac
. "$SCRIPT"
