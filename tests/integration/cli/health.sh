#!/usr/bin/env bash
# Hang detection on the built-in supervisor (docs/design.md, "Health and hang detection"): one health monitor
# for every instance; a server that stops answering is restarted within the hang time plus 2 s, with the
# reason in status and the console log; a map change whose A2S silence outlasts the hang time inside the
# grace window is not restarted (sent by `l4d2ctl rcon`, or seen only on the console); a server that hangs
# after every start ends failed after the burst; a server that answers is never restarted; a killed monitor is
# replaced by the supervisors; a monitor that could not run for a while (starved) restarts no server for it; the
# monitor ends once no instance runs.
. "$(dirname "$0")/../lib.sh"
setup_host_root
install_game
export LEFT4ME_RESTART_DELAY_MS=200 LEFT4ME_HANG_SECONDS=3 LEFT4ME_MONITOR_INTERVAL_SECONDS=1
export LEFT4ME_MAP_CHANGE_GRACE_SECONDS=8 LEFT4ME_START_GRACE_SECONDS=20

field() { json_get "$("$BIN_L4D2CTL" status "$1" --json)" "$2"; }
# monitor_pids: the health monitors that run for this test's root; monitors: how many.
monitor_pids() {
  local pid
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -q ' __monitor ' || continue
    { tr '\0' '\n' <"/proc/$pid/environ"; } 2>/dev/null | grep -qx "LEFT4ME_ROOT=$LEFT4ME_ROOT" && echo "$pid"
  done
}
monitors() { monitor_pids | wc -l; }
no_monitor() { [ "$(monitors)" == 0 ]; }
restarted_from() {  # NAME OLD_PID: another server process runs and answers
  local pid
  pid=$(field "$1" 'j["pid"]')
  [ "$pid" != null ] && [ "$pid" != "$2" ] && state_is "$1" running
}
# What every instance and the monitor looked like, printed when a check fails.
monitor_report() {
  local name pid
  echo "-- at ${SECONDS} s into the test:"
  for name in steady hung mapchange console hangloop; do
    echo "$name: $("$BIN_L4D2CTL" status "$name" --json 2>&1)"
    echo "  health.json: $(cat "$LEFT4ME_ROOT/runtime/$name/health.json" 2>&1)"
  done
  python3 -c 'import json,sys,time; j=json.load(open(sys.argv[1]))
age, answered = round(time.time() * 1000 - j["written"]), sorted(j["answers"])
print(f"runtime/.monitor-live.json: written {age} ms ago, answers of {answered}")' \
    "$LEFT4ME_ROOT/runtime/.monitor-live.json" 2>&1
  for pid in $(monitor_pids); do
    echo "monitor $pid: $(grep State: "/proc/$pid/status") in $(cat "/proc/$pid/wchan"); kernel stack:"
    cat "/proc/$pid/stack"
  done
}
on_failure monitor_report
health_is() { [ "$(field "$1" 'j["health"]["state"]')" == "$2" ]; }
state_is() { [ "$(field "$1" 'j["state"]')" == "$2" ]; }
map_is() { [ "$(field "$1" 'j["live"]["map"]' 2>/dev/null)" == "$2" ]; }

for name in steady hung mapchange console hangloop; do
  write_spec "$T/$name.yaml" "$(free_port)"
  expect_exit 0 "$BIN_L4D2CTL" initialize "$name" -f "$T/$name.yaml"
  on_exit "'$BIN_L4D2CTL' stop $name --timeout 1 >/dev/null 2>&1"
done

# 1. A server whose process lives but no longer answers (stopped with SIGSTOP) is restarted.
expect_exit 0 "$BIN_L4D2CTL" start steady --wait --timeout 30
expect_exit 0 "$BIN_L4D2CTL" start hung --wait --timeout 30
assert_eq 1 "$(monitors)" "health monitors for two instances"
steady_pid=$(field steady 'j["pid"]')
wait_until 10 health_is hung ready
# Each round the monitor also measures every running server's mount and writable layer, for list to show
# (runtime/.monitor-live.json, of the game process it measured).
layer_measured() {  # NAME PID
  python3 -c 'import json,sys; l=json.load(open(sys.argv[1]))["layers"].get(sys.argv[2]) or {}
sys.exit(0 if l.get("pid") == int(sys.argv[3]) and l.get("mounted") is True and l.get("upper_bytes", 0) > 0 else 1)' \
    "$LEFT4ME_ROOT/runtime/.monitor-live.json" "$1" "$2"
}
wait_until 5 layer_measured steady "$steady_pid"
expect_exit 0 "$BIN_L4D2CTL" list --json
assert_eq true "$(json_get "$OUT" '[i for i in j if i["name"] == "steady"][0]["mounted"]')" "list: steady mounted"
# Once a round it also writes each answering server's whole list entry (runtime/.monitor-list), which
# `list --json` prints as it is while the instance's directories stand.
list_entry() {  # NAME [FILE]: the monitor's entry of NAME in FILE (the snapshot), one line per version it holds
  python3 -c 'import sys
for line in open(sys.argv[1]).read().splitlines():
    parts = line.split(" ", 8)
    if parts[0] == sys.argv[2] and not line.startswith("left4me-monitor-list "): print(parts[8].split("\t")[0])' \
    "${2:-$LEFT4ME_ROOT/runtime/.monitor-list}" "$1"
}
has_list_entry() { [ -n "$(list_entry "$1")" ]; }
wait_until 10 has_list_entry steady
# printed_entry NAME: list --json printed the monitor's entry of NAME, as one version of the file had it. The
# entry changes every round (the answer's query_ms) and a list may take a round (sanitizers), so every version
# written while list ran is kept (the file is replaced by a rename; a copy is one whole version).
printed_entry() {
  local list="$LEFT4ME_ROOT/runtime/.monitor-list" copier
  [ -n "$(list_entry "$1")" ] || return 1
  cat "$list" > "$T/seen"
  ( while :; do cat "$list" >> "$T/seen" 2>/dev/null; sleep 0.05; done ) &
  copier=$!
  "$BIN_L4D2CTL" list --json > "$T/list.json"
  kill "$copier"; wait "$copier" 2>/dev/null
  cat "$list" >> "$T/seen"
  list_entry "$1" "$T/seen" > "$T/seen-entries"
  python3 -c 'import json,sys
printed = [i for i in json.load(open(sys.argv[1])) if i["name"] == sys.argv[2]]
seen = [json.loads(line) for line in open(sys.argv[3]).read().splitlines()]
sys.exit(0 if len(printed) == 1 and printed[0] in seen else 1)' "$T/list.json" "$1" "$T/seen-entries"
}
wait_until 10 printed_entry steady
expect_exit 0 "$BIN_L4D2CTL" status steady --json
assert_eq "$(json_get "$OUT" 'j["pid"]')" "$(list_entry steady | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')" \
  "the monitor's entry is of the running game"
hung_pid=$(field hung 'j["pid"]')
kill -STOP -- "-$hung_pid"
stopped_at=$EPOCHREALTIME
# The monitor's part is the kill, within the hang time plus 2 s; the restart that follows is the supervisor's
# (its delay, then the server's own start, which a loaded machine slows down).
wait_until 20 test ! -d "/proc/$hung_pid"
took=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$stopped_at" "$EPOCHREALTIME")
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) <= 3 + 2 else 1)" "$took" ||
  fail "the hung server was killed after ${took} s, more than the hang time (3 s) plus 2 s"
wait_until 20 restarted_from hung "$hung_pid"
expect_exit 0 "$BIN_L4D2CTL" status hung --json
assert_eq 1 "$(json_get "$OUT" 'j["restarts"]')" "restarts after one hang"
assert_contains "$(json_get "$OUT" 'j["health"]["last_restart_reason"]')" "unresponsive: no A2S answer for " "health"
assert_eq "killed by SIGKILL" "$(json_get "$OUT" 'j["last_exit"]["description"]')" "last exit of the hung server"
expect_exit 0 "$BIN_L4D2CTL" status hung
assert_contains "$OUT" "last restarted by the monitor: unresponsive: no A2S answer for " "status"
expect_exit 0 "$BIN_L4D2CTL" logs hung --lines 200
assert_contains "$OUT" "left4me: monitor: unresponsive: no A2S answer for " "the console log says why"
wait_until 10 health_is hung ready
pass "a hung server is killed after ${took} s (hang time 3 s) and restarted, the reason in status and the log"

# 1b. A killed monitor is replaced by the running servers' supervisors within seconds (not only at the next
# start); the hangs below are handled by its replacement.
killed_monitor=$(monitor_pids)
assert_eq 1 "$(wc -w <<<"$killed_monitor")" "health monitors before kill -9"
kill -9 "$killed_monitor"
replaced() { local now; now=$(monitor_pids); [ -n "$now" ] && [ "$now" != "$killed_monitor" ]; }
wait_until 10 replaced || fail "the killed monitor was not replaced within 10 s"
assert_eq 1 "$(monitors)" "health monitors after the replacement"
pass "a monitor killed with SIGKILL is replaced by the supervisors"

# 1c. A monitor that could not run for twice the hang time (stopped here, as one starved of CPU on a loaded host
# would be) watched no silence meanwhile: when it runs again, it restarts no server that answers.
paused_monitor=$(monitor_pids)
hung_pid=$(field hung 'j["pid"]')
kill -STOP "$paused_monitor"
on_exit "kill -CONT $paused_monitor 2>/dev/null"
sleep 7
kill -CONT "$paused_monitor"
sleep 4  # four rounds: a wrong verdict would have been acted on
assert_eq "$steady_pid" "$(field steady 'j["pid"]')" "pid of steady after the monitor was paused"
assert_eq "$hung_pid" "$(field hung 'j["pid"]')" "pid of hung (answering again) after the monitor was paused"
assert_eq 1 "$(field hung 'j["restarts"]')" "restarts of hung after the monitor was paused"
assert_eq "$paused_monitor" "$(monitor_pids)" "the monitor after its pause"
pass "a monitor paused for twice the hang time restarts no server that answers when it runs again"

# 2. A map change with A2S silent for 6 s (twice the hang time), inside the grace window, is not restarted:
# sent by `l4d2ctl rcon`, and sent by another RCON client (seen only on the console).
FAKE_SRCDS_MAPCHANGE_QUIET_MS=6000 expect_exit 0 "$BIN_L4D2CTL" start mapchange --wait --timeout 30
FAKE_SRCDS_MAPCHANGE_QUIET_MS=6000 expect_exit 0 "$BIN_L4D2CTL" start console --wait --timeout 30
wait_until 10 health_is mapchange ready
wait_until 10 health_is console ready
mapchange_pid=$(field mapchange 'j["pid"]')
console_pid=$(field console 'j["pid"]')
expect_exit 0 "$BIN_L4D2CTL" rcon mapchange changelevel c1m1_hotel
console_port=$(field console 'j["port"]')
rconclt -t 2 "secret-$console_port@127.0.0.1:$console_port" changelevel c1m1_hotel >/dev/null
sleep 3
[ "$(field mapchange 'j["live"]')" == null ] || fail "A2S answered during the quiet map change"
wait_until 15 map_is mapchange c1m1_hotel
wait_until 15 map_is console c1m1_hotel
sleep 2  # past the hang time after the silence: a wrong verdict would have been acted on
for name in mapchange console; do
  expect_exit 0 "$BIN_L4D2CTL" status "$name" --json
  assert_eq 0 "$(json_get "$OUT" 'j["restarts"]')" "$name: restarts after a map change"
  assert_eq ready "$(json_get "$OUT" 'j["health"]["state"]')" "$name: health after a map change"
  assert_eq null "$(json_get "$OUT" 'j["health"]["last_restart_reason"]')" "$name: last restart reason"
done
assert_eq "$mapchange_pid" "$(field mapchange 'j["pid"]')" "pid after a map change sent by l4d2ctl rcon"
assert_eq "$console_pid" "$(field console 'j["pid"]')" "pid after a map change seen on the console"
pass "a map change quiet for twice the hang time, inside the grace window, is not restarted"

# 3. A server that hangs 3 s after every start is restarted each time, then failed after the burst.
FAKE_SRCDS_HANG_AFTER=3 expect_exit 0 "$BIN_L4D2CTL" start hangloop --wait --timeout 30
wait_until 90 state_is hangloop failed
expect_exit 0 "$BIN_L4D2CTL" status hangloop --json
assert_eq 4 "$(json_get "$OUT" 'j["restarts"]')" "restarts before failing"
assert_contains "$(json_get "$OUT" 'j["health"]["last_restart_reason"]')" "unresponsive" "health of the failed instance"
assert_eq null "$(json_get "$OUT" 'j["health"]["state"]')" "health state of a failed instance"
expect_exit 0 "$BIN_L4D2CTL" logs hangloop --lines 400
assert_eq 5 "$(grep -c 'left4me: monitor: unresponsive' <<<"$OUT")" "monitor restarts in the console log"
assert_contains "$OUT" "not restarting" "the console log says why it gave up"
pass "a server that hangs after every start ends failed after the burst"

# 4. The server that answered all along was never restarted; one monitor ran; it ends with the last server.
assert_eq "$steady_pid" "$(field steady 'j["pid"]')" "pid of the server that always answered"
assert_eq 0 "$(field steady 'j["restarts"]')" "restarts of the server that always answered"
assert_eq 1 "$(monitors)" "health monitors for five instances"
for name in steady hung mapchange console hangloop; do expect_exit 0 "$BIN_L4D2CTL" stop "$name" --timeout 1; done
wait_until 10 no_monitor
pass "one monitor for every instance, ending with the last server"
