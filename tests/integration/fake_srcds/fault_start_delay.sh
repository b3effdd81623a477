#!/usr/bin/env bash
# FAKE_SRCDS_START_DELAY_MS: the port is bound and the Network line printed at once, but neither A2S nor
# RCON answers until the map has loaded.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

root=$(game_root slow)
port=$(free_port)
printf 'rcon_password pw\n' >"$root/left4dead2/cfg/server.cfg"
FAKE_SRCDS_START_DELAY_MS=3000 start_fake "$root" "$port"
wait_line "$root" "Network: IP 127.0.0.1"
a2s_silent "$port" || fail "A2S answered before the map loaded"
expect_exit 4 rconclt -t 1 "pw@127.0.0.1:$port" status
grep -qF "Host_NewGame" "$root/stdout.log" && fail "map loaded too early"
pass "bound but silent while loading"

wait_line "$root" "VAC secure mode" 10
wait_until 5 a2s_answers "$port" c1m1_hotel
assert_contains "$(rconclt -t 2 "pw@127.0.0.1:$port" status)" "map     : c1m1_hotel"
pass "answers once the map is loaded"
