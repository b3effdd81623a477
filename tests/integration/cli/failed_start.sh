#!/usr/bin/env bash
# Issue 13, bug 1, on the built-in supervisor: a start that fails leaves the server stopped and keeps the
# reason. A map that follows the naming rules but does not exist: fake-srcds (as srcds) says the map failed
# to load and keeps running without answering A2S; `start --wait` times out, stops it again and status says
# why. With --keep-on-failure the server is left running, marked; a successful start clears the reason; a
# server that dies while starting ends stopped too.
. "$(dirname "$0")/../lib.sh"
setup_host_root
install_game
export LEFT4ME_RESTART_DELAY_MS=200   # the crash loop below gives up after 5 quick starts
ctl_json() { "$BIN_L4D2CTL" status "$1" --json; }
servers_on() { pgrep -f -- "[+]hostport $1( |$)" | wc -l; }

port=$(free_port)
write_spec "$T/typo.yaml" "$port"
sed -i 's/^map: .*/map: c2m9_typo/' "$T/typo.yaml"
expect_exit 0 "$BIN_L4D2CTL" initialize typo -f "$T/typo.yaml"
expect_exit 0 "$BIN_L4D2CTL" status typo --json
assert_eq null "$(json_get "$OUT" 'j["last_error"]')" "last_error before any start"

expect_exit 1 "$BIN_L4D2CTL" start typo --wait --timeout 3
assert_contains "$OUT" "start 'typo': the server did not answer with map 'c2m9_typo' within 3 s (nothing answered)"
assert_contains "$OUT" "it was stopped"
status=$(ctl_json typo)
assert_eq stopped "$(json_get "$status" 'j["state"]')" "state after a failed start"
assert_eq "the server did not answer with map 'c2m9_typo' within 3 s (nothing answered)" \
  "$(json_get "$status" 'j["last_error"]')" "last_error after a failed start"
assert_eq false "$(json_get "$status" 'j["mounted"]')" "mounted after a failed start"
assert_eq 0 "$(servers_on "$port")" "servers left running after a failed start"
assert_eq 0 "$(mounts_under "$LEFT4ME_ROOT/runtime/typo")" "mounts after a failed start"
expect_exit 0 "$BIN_L4D2CTL" logs typo --lines 100
assert_contains "$OUT" "map load failed: c2m9_typo not found or invalid" "the console says why"
expect_exit 0 "$BIN_L4D2CTL" status typo
assert_contains "$OUT" "typo: stopped, port $port"
assert_contains "$OUT" ", last start failed: the server did not answer with map 'c2m9_typo' within 3 s"
pass "a start whose map never loads ends stopped, with its reason in status"

expect_exit 1 "$BIN_L4D2CTL" start typo --wait --timeout 2 --keep-on-failure
assert_not_contains "$OUT" "it was stopped"
status=$(ctl_json typo)
assert_eq starting "$(json_get "$status" 'j["state"]')" "state after a failed start with --keep-on-failure"
assert_eq "the server did not answer with map 'c2m9_typo' within 2 s (nothing answered)" \
  "$(json_get "$status" 'j["last_error"]')" "last_error with --keep-on-failure"
assert_eq 1 "$(servers_on "$port")" "servers running after --keep-on-failure"
expect_exit 0 "$BIN_L4D2CTL" stop typo
pass "--keep-on-failure leaves the server running, marked with its reason"

sed -i 's/^map: .*/map: c2m1_highway/' "$T/typo.yaml"
expect_exit 0 "$BIN_L4D2CTL" initialize typo -f "$T/typo.yaml"
expect_exit 0 "$BIN_L4D2CTL" start typo --wait --timeout 30
status=$(ctl_json typo)
assert_eq running "$(json_get "$status" 'j["state"]')" "state after fixing the map"
assert_eq null "$(json_get "$status" 'j["last_error"]')" "last_error after a successful start"
expect_exit 0 "$BIN_L4D2CTL" stop typo
pass "a successful start clears the reason"

# A server that dies while starting (before its map loads): the supervisor gives up (5 starts in 60 s) and the start ends stopped.
port=$(free_port)
write_spec "$T/crash.yaml" "$port"
expect_exit 0 "$BIN_L4D2CTL" initialize crash -f "$T/crash.yaml"
FAKE_SRCDS_START_DELAY_MS=5000 FAKE_SRCDS_CRASH_AFTER=0.2 expect_exit 1 "$BIN_L4D2CTL" start crash --wait --timeout 60
assert_contains "$OUT" "it was stopped"
status=$(ctl_json crash)
assert_eq stopped "$(json_get "$status" 'j["state"]')" "state after a start that crashed"
# The supervisor may give up before or after start saw the server run: both say so.
reason=$(json_get "$status" 'j["last_error"]')
[[ "$reason" == "the server stopped while starting (failed); see l4d2ctl logs crash" ||
   "$reason" == "the server failed to start: "* ]] || fail "last_error after a start that crashed: $reason"
assert_eq 0 "$(servers_on "$port")" "servers left after a start that crashed"
assert_eq 0 "$(mounts_under "$LEFT4ME_ROOT")" "mounts at the end"
pass "failed start"
