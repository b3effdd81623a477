#!/usr/bin/env bash
# Debian's rconclt runs commands on fake-srcds: status, a long multi-packet command, say, changelevel (seen
# through A2S), a wrong password (exit 5), and quit (the server exits 0).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

root=$(game_root rcon)
port=$(free_port)
{
  echo 'hostname "rcon target"'
  echo 'rcon_password "pass word"'
  for i in $(seq 1 150); do echo "long_cvar_$i \"a value long enough to make cvarlist span several packets $i\""; done
} >"$root/left4dead2/cfg/server.cfg"
start_fake "$root" "$port" +map c1m1_hotel
wait_line "$root" "VAC secure mode"
rcon() { rconclt -t 5 "pass word@127.0.0.1:$port" "$@"; }

status=$(rcon status)
assert_contains "$status" "hostname: rcon target"
assert_contains "$status" "map     : c1m1_hotel"
assert_contains "$status" "players : 0 humans, 0 bots (4 max) (hibernating) (unreserved)"
assert_contains "$status" "# userid name uniqueid connected ping loss state rate"
wait_line "$root" 'command "status"'
pass "status"

cvarlist=$(rcon cvarlist)
[ ${#cvarlist} -gt 12000 ] || fail "cvarlist is only ${#cvarlist} bytes"
assert_contains "$cvarlist" "long_cvar_150"
assert_contains "$cvarlist" "total convars/concommands"
pass "cvarlist: ${#cvarlist} bytes over several packets"

assert_eq "" "$(rcon sv_cheats 1)" "setting a cvar"
assert_contains "$(rcon sv_cheats)" '"sv_cheats" = "1"'
assert_eq "" "$(rcon say hello everyone)" "say output"
wait_line "$root" "Console: hello everyone"
assert_contains "$(rcon echo round trip)" "round trip"
pass "cvars, say, echo"

rcon changelevel c2m1_highway >/dev/null
wait_until 5 a2s_answers "$port" c2m1_highway
assert_contains "$(rcon changelevel c99m1_nowhere)" "changelevel failed: c99m1_nowhere not found"
pass "changelevel"

expect_exit 5 rconclt -t 5 "wrong@127.0.0.1:$port" status
assert_contains "$OUT" "Wrong password"
wait_line "$root" "Bad Password"
pass "wrong password exits 5"

rcon quit >/dev/null || true
wait_exit "$FAKE_PID" 5
assert_eq 0 "$EXIT_CODE" "exit code after quit"
wait_line "$root" "Server shutting down (quit)"
pass "quit"
