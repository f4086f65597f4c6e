# Shared helpers for the setup scripts: progress lines, logs, failure messages.
# Sourced, never run directly.

SHIPYARD_CACHE="${SHIPYARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/shipyard}"
SHIPYARD_LOGS="$SHIPYARD_CACHE/logs"
mkdir -p "$SHIPYARD_LOGS"
_SHIPYARD_T0=${_SHIPYARD_T0:-$(date +%s)}
export _SHIPYARD_T0

elapsed() { echo "$(( $(date +%s) - _SHIPYARD_T0 ))s"; }

# step "message": one progress line with the time since setup started.
step() { printf '[%6s] %s\n' "$(elapsed)" "$*" >&2; }

# die "cause" "next step": one line, then exit non-zero.
die() {
  printf '[%6s] FAILED: %s -- next: %s\n' "$(elapsed)" "$1" "$2" >&2
  exit 1
}

# run_logged LOGNAME cmd...: run a long command with its output in a log file.
run_logged() {
  local log="$SHIPYARD_LOGS/$1.log"; shift
  if ! "$@" >"$log" 2>&1; then
    tail -n 15 "$log" >&2
    return 1
  fi
}
