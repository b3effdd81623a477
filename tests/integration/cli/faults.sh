#!/usr/bin/env bash
# Faults on the built-in supervisor: crash loop -> failed, bind failure, a server hung on stop,
# kill -9 of the supervisor, and concurrent starts.
. "$(dirname "$0")/../lib.sh"
setup_host_root
install_game
export LEFT4ME_RESTART_DELAY_MS=200   # the policy (5 starts in 60 s) stays; only the wait is shorter

state_of() { "$BIN_L4D2CTL" status "$1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])'; }
state_is() { [ "$(state_of "$1")" == "$2" ]; }

# 1. A crashing server is restarted, then marked failed after the burst.
port=$(free_port)
write_spec "$T/crash.yaml" "$port"
expect_exit 0 "$BIN_L4D2CTL" initialize crash -f "$T/crash.yaml"
FAKE_SRCDS_CRASH_AFTER=0.3 expect_exit 0 "$BIN_L4D2CTL" start crash
wait_until 30 state_is crash failed
expect_exit 0 "$BIN_L4D2CTL" status crash --json
assert_eq 4 "$(json_get "$OUT" 'j["restarts"]')" "restarts before failing"
assert_eq null "$(json_get "$OUT" 'j["pid"]')" "pid of a failed instance"
assert_contains "$(json_get "$OUT" 'j["last_exit"]["description"]')" "killed by SIG" "last exit of a crash"
expect_exit 0 "$BIN_L4D2CTL" logs crash --lines 50
assert_contains "$OUT" "not restarting" "the console log says why"
expect_exit 0 "$BIN_L4D2CTL" stop crash
assert_eq 0 "$(mounts_under "$LEFT4ME_ROOT/runtime/crash")" "mounts of the failed instance after stop"

# 2. A port that is taken: the server fails to bind, and the instance ends failed.
# The blocker picks a free UDP port itself and holds it (no race with other tests for the number).
python3 -u -c "import socket,time; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('0.0.0.0', 0)); print(s.getsockname()[1]); time.sleep(120)" >"$T/blocker.port" &
blocker=$!
on_exit "kill $blocker 2>/dev/null"
wait_until 10 test -s "$T/blocker.port"
port=$(cat "$T/blocker.port")
write_spec "$T/bind.yaml" "$port"
expect_exit 0 "$BIN_L4D2CTL" initialize bind -f "$T/bind.yaml"
# start may see the first launch (exit 0: the supervisor gives up later and the instance ends
# failed) or the supervisor giving up (exit 1: start stops it, so it ends stopped with the reason).
set +e; OUT=$("$BIN_L4D2CTL" start bind 2>&1); code=$?; set -e
if [ $code == 0 ]; then
  wait_until 30 state_is bind failed
else
  assert_eq 1 "$code" "start of a server that cannot bind"
  assert_contains "$OUT" "failed to start" "start's message"
  assert_contains "$OUT" "it was stopped" "start's message"
  assert_eq stopped "$(state_of bind)" "state after a start that saw the failure"
  expect_exit 0 "$BIN_L4D2CTL" status bind --json
  assert_contains "$(json_get "$OUT" 'j["last_error"]')" "failed to start" "last_error of the failed start"
fi
expect_exit 0 "$BIN_L4D2CTL" logs bind --lines 100
assert_contains "$OUT" "Couldn't allocate any server IP port" "bind failure line"
expect_exit 1 "$BIN_L4D2CTL" start bind --wait --timeout 5
kill $blocker; wait $blocker 2>/dev/null || true
expect_exit 0 "$BIN_L4D2CTL" stop bind

# 3. A server that hangs and ignores SIGINT is killed after the stop timeout, leaving nothing behind.
port=$(free_port)
write_spec "$T/hang.yaml" "$port"
expect_exit 0 "$BIN_L4D2CTL" initialize hang -f "$T/hang.yaml"
FAKE_SRCDS_HANG_AFTER=1 expect_exit 0 "$BIN_L4D2CTL" start hang --wait --timeout 20
pid=$("$BIN_L4D2CTL" status hang --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
sleep 1.2
started=$SECONDS
expect_exit 0 "$BIN_L4D2CTL" stop hang --timeout 2
[ $((SECONDS - started)) -ge 2 ] || fail "stop returned before the timeout"
[ $((SECONDS - started)) -le 10 ] || fail "stop took far longer than the timeout"
[ ! -d "/proc/$pid" ] || fail "hung server $pid still alive"
assert_eq stopped "$(state_of hang)" "state after killing a hung server"
assert_eq 0 "$(mounts_under "$LEFT4ME_ROOT/runtime/hang")" "mounts after killing a hung server"

# 4. kill -9 of the supervisor: status reports the truth, and start works again.
port=$(free_port)
write_spec "$T/orphan.yaml" "$port"
expect_exit 0 "$BIN_L4D2CTL" initialize orphan -f "$T/orphan.yaml"
expect_exit 0 "$BIN_L4D2CTL" start orphan --wait --timeout 20
supervisor=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["supervisor"]["pid"])' \
  "$LEFT4ME_ROOT/runtime/orphan/state.json")
game=$("$BIN_L4D2CTL" status orphan --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
kill -9 "$supervisor"
wait_until 10 test ! -d "/proc/$game"   # the server does not outlive its supervisor
assert_eq failed "$(state_of orphan)" "state after kill -9 of the supervisor"
expect_exit 0 "$BIN_L4D2CTL" start orphan --wait --timeout 20
assert_eq running "$(state_of orphan)" "state after starting again"
expect_exit 0 "$BIN_L4D2CTL" stop orphan

# 5. Ten starts at the same moment give one server.
port=$(free_port)
write_spec "$T/race.yaml" "$port"
expect_exit 0 "$BIN_L4D2CTL" initialize race -f "$T/race.yaml"
pids=()
for i in $(seq 10); do "$BIN_L4D2CTL" start race >"$T/race.$i" 2>&1 & pids+=($!); done
for p in "${pids[@]}"; do wait "$p" || fail "a concurrent start failed: $(cat "$T"/race.*)"; done
wait_until 20 state_is race running
servers=$(pgrep -f -- "[+]hostport $port( |$)" | wc -l)
assert_eq 1 "$servers" "servers after 10 concurrent starts"
assert_eq 1 "$(awk -v d="$LEFT4ME_ROOT/runtime/race/merged" '$5 == d' /proc/self/mountinfo | wc -l)" "merged mounts"
expect_exit 0 "$BIN_L4D2CTL" stop race
assert_eq 0 "$(mounts_under "$LEFT4ME_ROOT")" "mounts at the end"
pass "faults"
