# Shared helpers for integration tests. Source it first: `. "$(dirname "$0")/lib.sh"`.
# Every test runs with `set -euo pipefail`, gets a private temporary directory in $T
# (removed on exit, after the test's own cleanup hooks), and finds binaries in $BIN.
set -euo pipefail

: "${LEFT4ME_BUILD:?run through ctest (LEFT4ME_BUILD is not set)}"
: "${LEFT4ME_SOURCE:?run through ctest (LEFT4ME_SOURCE is not set)}"
BIN_FAKE_SRCDS="$LEFT4ME_BUILD/src/testing/fake_srcds/fake-srcds"
BIN_FAKE_STEAMCMD="$LEFT4ME_BUILD/src/testing/fake_steamcmd/fake-steamcmd"
BIN_L4D2CTL="$LEFT4ME_BUILD/src/cli/l4d2ctl"
NODE_BIN="$LEFT4ME_SOURCE/node_modules/.bin"

T=$(mktemp -d /tmp/left4me-it.XXXXXX)
_cleanups=()
on_exit() { _cleanups+=("$*"); }
_run_cleanups() {
  local status=$?
  local i
  for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do eval "${_cleanups[i]}" || true; done
  rm -rf "$T"
  exit $status
}
trap _run_cleanups EXIT

# on_failure CMD: CMD runs when a check fails, before the clean-ups, its output with the failure's: what the
# test saw, for a failure in CI that does not happen again where it is looked at.
_failure_reports=()
on_failure() { _failure_reports+=("$*"); }
fail() {
  echo "FAIL: $*" >&2
  local report
  for report in "${_failure_reports[@]}"; do eval "$report" >&2 2>&1 || true; done
  exit 1
}
pass() { echo "ok: $*"; }

assert_eq() {  # expected actual [what]
  [ "$1" == "$2" ] || fail "${3:-value}: expected '$1', got '$2'"
}
assert_contains() {  # haystack needle [what]
  [[ "$1" == *"$2"* ]] || fail "${3:-output} does not contain '$2': $1"
}
assert_not_contains() {
  [[ "$1" != *"$2"* ]] || fail "${3:-output} contains '$2': $1"
}
# expect_exit CODE CMD...: runs CMD, captures stdout+stderr in $OUT, checks the exit code.
expect_exit() {
  local want=$1; shift
  set +e
  OUT=$("$@" 2>&1)
  local got=$?
  set -e
  [ "$got" == "$want" ] || fail "'$*' exited $got, expected $want; output: $OUT"
}
# wait_until SECONDS CMD...: retries CMD every 0.1 s until it succeeds or time runs out.
wait_until() {
  local seconds=$1; shift
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || fail "timed out after ${seconds}s waiting for: $*"
    sleep 0.1
  done
}
# free_port: a TCP+UDP port free on 127.0.0.1 right now.
free_port() {
  python3 - <<'PY'
import socket
while True:
    t = socket.socket(); t.bind(("127.0.0.1", 0)); port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", port)); print(port); break
    except OSError:
        pass
    finally:
        u.close(); t.close()
PY
}
# json_get JSON EXPR: evaluates a Python expression on the parsed JSON `j`, prints the result.
json_get() {
  python3 -c 'import json,sys; j=json.loads(sys.argv[1]); r=eval(sys.argv[2]); print(json.dumps(r) if isinstance(r,(dict,list,bool)) or r is None else r)' "$1" "$2"
}

# unmount_all_under DIR: detaches every mount below DIR, innermost first (a safety net for cleanup).
unmount_all_under() {
  local dir=$1 mountpoint
  awk -v d="$dir/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r | while read -r mountpoint; do
    umount -l "$mountpoint" 2>/dev/null || true
  done
}
# mounts_under DIR: how many mount table entries lie below DIR.
mounts_under() {
  awk -v d="$1/" 'index($5, d) == 1' /proc/self/mountinfo | wc -l
}

# A host root for l4d2ctl in $T/root, with fake-steamcmd as steamcmd and the built-in supervisor.
# Every process and mount it makes is cleaned up on exit.
setup_host_root() {
  export LEFT4ME_ROOT="$T/root"
  export LEFT4ME_HOST_ENV="$T/host.env"
  export LEFT4ME_STEAMCMD="$BIN_FAKE_STEAMCMD"
  export LEFT4ME_SUPERVISOR=builtin
  export FAKE_SRCDS="$BIN_FAKE_SRCDS"
  : >"$LEFT4ME_HOST_ENV"
  mkdir -p "$LEFT4ME_ROOT"
  on_exit "kill_supervisors_under '$LEFT4ME_ROOT'; unmount_all_under '$LEFT4ME_ROOT'"
}
# kill_supervisors_under ROOT: SIGKILL every process whose command line mentions ROOT or whose
# working directory lies under it (supervisors and their servers).
kill_supervisors_under() {
  local root=$1 pid
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    [ "$pid" == "$$" ] && continue
    if [[ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" == "$root"* ]] ||
       { tr '\0' '\n' <"/proc/$pid/environ"; } 2>/dev/null | grep -qx "LEFT4ME_ROOT=$root"; then
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  sleep 0.2
}
# install_game: a fake installation via `l4d2ctl install`.
install_game() {
  "$BIN_L4D2CTL" install --json >"$T/install.log" 2>&1 || { cat "$T/install.log"; fail "l4d2ctl install failed"; }
}
# write_spec FILE PORT [extra yaml lines...]
write_spec() {
  local file=$1 port=$2; shift 2
  { echo "port: $port"; echo "hostname: \"it-$port\""; echo "map: c2m1_highway"; echo "rcon_password: \"secret-$port\""
    for line in "$@"; do echo "$line"; done; } >"$file"
}
