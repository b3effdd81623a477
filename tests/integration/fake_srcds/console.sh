#!/usr/bin/env bash
# fake-srcds prints srcds' startup and map-load lines in protocols.md §3.4 order, mirrors them to console.log
# with -condebug, writes and removes -pidfile, quits cleanly on SIGINT and SIGTERM, and refuses bad input.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

root=$(game_root console)
port=$(free_port)
printf 'hostname "console test"\nrcon_password x\n' >"$root/left4dead2/cfg/server.cfg"
printf 'sv_tags "from_exec"\n' >"$root/left4dead2/cfg/extra.cfg"
start_fake "$root" "$port" +map "c2m1_highway versus" -condebug -pidfile "$root/srcds.pid" +exec extra.cfg \
  +sv_region 255 -unknownflag
wait_line "$root" "VAC secure mode"
assert_eq "$FAKE_PID" "$(cat "$root/srcds.pid")" pidfile

order=("Network: IP 127.0.0.1, mode MP, dedicated Yes, ports $port SV" "---- Host_NewGame ----"
       "Executing dedicated server config file server.cfg" "Connection to Steam servers successful."
       "   VAC secure mode is activated.")
last=0
for line in "${order[@]}"; do
  number=$(grep -nF -- "$line" "$root/stdout.log" | head -n 1 | cut -d: -f1)
  [ -n "$number" ] || fail "missing line '$line' in: $(cat "$root/stdout.log")"
  [ "$number" -gt "$last" ] || fail "line '$line' is out of order in: $(cat "$root/stdout.log")"
  last=$number
done
hibernating=$(grep -nF "Server is hibernating" "$root/stdout.log" | head -n 1 | cut -d: -f1)
[ "$hibernating" -lt "$(grep -nF 'Host_NewGame' "$root/stdout.log" | head -n 1 | cut -d: -f1)" ] ||
  fail "'Server is hibernating' must come before the map loads"
assert_contains "$(cat "$root/left4dead2/console.log")" "---- Host_NewGame ----" "console.log"
assert_contains "$(a2s_raw "$port")" "console test;c2m1_highway" "A2S"
json=$(quakestat -a2s "127.0.0.1:$port" -R -json -timeout 3 -interval 0.1)
assert_json "$json" 'j[0]["rules"]["game_tags"]' "versus,from_exec,secure" 'j[0]["rules"]["sv_region"]' 255
pass "startup lines in order, -condebug, +exec, +cvar"

kill -INT "$FAKE_PID"
wait_exit "$FAKE_PID" 5
assert_eq 0 "$EXIT_CODE" "exit code after SIGINT"
wait_line "$root" "Server shutting down (SIGINT)"
[ ! -e "$root/srcds.pid" ] || fail "pidfile left behind"
pass "SIGINT quits cleanly"

port=$(free_port)
start_fake "$root" "$port"
wait_line "$root" "WARNING: No map specified! Defaulting to c1m1_hotel"
wait_until 5 a2s_answers "$port" c1m1_hotel
kill -TERM "$FAKE_PID"
wait_exit "$FAKE_PID" 5
assert_eq 0 "$EXIT_CODE" "exit code after SIGTERM"
wait_line "$root" "Server shutting down (SIGTERM)"
pass "SIGTERM quits cleanly; no +map defaults to c1m1_hotel"

empty=$(mkdir -p "$T/empty" && echo "$T/empty")
(cd "$empty" && expect_exit 1 "$BIN_FAKE_SRCDS" -game left4dead2 -port "$port"
 assert_contains "$OUT" "ERROR: Invalid game type 'left4dead2' sepecified.")
(cd "$root" && expect_exit 2 "$BIN_FAKE_SRCDS" -port 99999
 assert_contains "$OUT" "-port: '99999' is not a port in 1..65535")
(cd "$root" && FAKE_SRCDS_PLAYERS=lots expect_exit 2 "$BIN_FAKE_SRCDS" -port "$port"
 assert_contains "$OUT" "FAKE_SRCDS_PLAYERS: 'lots' is not an integer")
pass "bad game dir, bad port and bad fault values are refused"

root=$(game_root unknown-map)
port=$(free_port)
start_fake "$root" "$port" +map c42m1_nowhere
wait_line "$root" "map load failed: c42m1_nowhere not found or invalid"
a2s_silent "$port" || fail "A2S answers without a map"
sleep 0.5
kill -0 "$FAKE_PID" 2>/dev/null || fail "the server exited after its start map failed to load (srcds keeps running)"
a2s_silent "$port" || fail "A2S answers without a map"
mkdir -p "$root/left4dead2/maps" && touch "$root/left4dead2/maps/custom_map.bsp"
root2=$(game_root custom-map)
mkdir -p "$root2/left4dead2/maps" && touch "$root2/left4dead2/maps/custom_map.bsp"
port=$(free_port)
start_fake "$root2" "$port" +map custom_map
wait_until 5 a2s_answers "$port" custom_map
pass "an unknown start map fails to load and the server keeps running, silent on A2S; maps/*.bsp load"

root=$(game_root lan)
port=$(free_port)
mkdir -p "$T/no-steam-home"
FAKE_HOME=$T/no-steam-home start_fake "$root" "$port" +map c1m1_hotel +sv_lan 0
wait_line "$root" "VAC secure mode"
log=$(cat "$root/stdout.log")
assert_contains "$log" "dlopen failed trying to load:" "console"
assert_contains "$log" "$T/no-steam-home/.steam/sdk32/steamclient.so" "console"
assert_contains "$log" "This server will operate in LAN mode only." "console"
[[ "$log" != *"Connection to Steam servers successful."* ]] || fail "a Steam logon without steamclient.so: $log"
wait_until 5 a2s_answers "$port" c1m1_hotel
pass "without ~/.steam/sdk32/steamclient.so the server runs in LAN mode only, whatever sv_lan says"
