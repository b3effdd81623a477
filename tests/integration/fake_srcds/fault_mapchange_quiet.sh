#!/usr/bin/env bash
# FAKE_SRCDS_MAPCHANGE_QUIET_MS: after changelevel, A2S is silent for that long, then reports the new map.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

root=$(game_root quiet)
port=$(free_port)
printf 'rcon_password pw\n' >"$root/left4dead2/cfg/server.cfg"
FAKE_SRCDS_MAPCHANGE_QUIET_MS=2500 start_fake "$root" "$port" +map c1m1_hotel
wait_until 5 a2s_answers "$port" c1m1_hotel
rconclt -t 2 "pw@127.0.0.1:$port" changelevel c4m1_milltown_a >/dev/null
changed=$SECONDS
a2s_silent "$port" || fail "A2S still answers right after changelevel"
wait_line "$root" "---- Host_Changelevel ----" 10
wait_until 10 a2s_answers "$port" c4m1_milltown_a
[ $((SECONDS - changed)) -ge 2 ] || fail "A2S came back too early"
pass "A2S quiet during the map change, then the new map"
