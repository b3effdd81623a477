#!/usr/bin/env bash
# The whole contract once: install, initialize, start --wait, status, logs, rcon, stop, delete, delete again.
. "$(dirname "$0")/../lib.sh"
setup_host_root
install_game
assert_contains "$(tail -n 1 "$T/install.log")" '"phase":"done"' "install --json"

port=$(free_port)
write_spec "$T/alpha.yaml" "$port" 'cvars:' '  sv_cheats: 0'
expect_exit 0 "$BIN_L4D2CTL" initialize alpha -f "$T/alpha.yaml"
[ -f "$LEFT4ME_ROOT/instances/alpha/instance.env" ] || fail "instance.env missing"
assert_contains "$(cat "$LEFT4ME_ROOT/instances/alpha/instance.env")" "L4D2_PORT=$port"
lowerdirs=$(grep '^L4D2_LOWERDIRS=' "$LEFT4ME_ROOT/instances/alpha/instance.env" | cut -d= -f2-)
assert_eq "$LEFT4ME_ROOT/installation" "${lowerdirs##*:}" "installation is the bottom layer"

expect_exit 0 "$BIN_L4D2CTL" status alpha --json
assert_eq stopped "$(json_get "$OUT" 'j["state"]')" "state before start"

expect_exit 0 "$BIN_L4D2CTL" start alpha --wait --timeout 30
expect_exit 0 "$BIN_L4D2CTL" status alpha --json
status=$OUT
assert_eq running "$(json_get "$status" 'j["state"]')" "state"
assert_eq "$port" "$(json_get "$status" 'j["port"]')" "port"
assert_eq true "$(json_get "$status" 'j["mounted"]')" "mounted"
assert_eq c2m1_highway "$(json_get "$status" 'j["live"]["map"]')" "live map"
assert_eq "it-$port" "$(json_get "$status" 'j["live"]["hostname"]')" "live hostname from server.cfg"
assert_eq builtin "$(json_get "$status" 'j["supervisor"]')" "supervisor"
pid=$(json_get "$status" 'j["pid"]')
[ -d "/proc/$pid" ] || fail "pid $pid from status is not alive"
[ "$(json_get "$status" 'j["since"]')" != null ] || fail "since is null while running"

# Already running: success and the same server.
expect_exit 0 "$BIN_L4D2CTL" start alpha
expect_exit 0 "$BIN_L4D2CTL" status alpha --json
assert_eq "$pid" "$(json_get "$OUT" 'j["pid"]')" "pid after a second start"

expect_exit 0 "$BIN_L4D2CTL" list --json
assert_eq 1 "$(json_get "$OUT" 'len(j)')" "list length"
assert_eq alpha "$(json_get "$OUT" 'j[0]["name"]')" "list name"

# The address friends need (issue 13): LEFT4ME_PUBLIC_ADDRESS, else the IPv4 address of the default route's
# interface (as iproute2 sees it), never loopback; null when there is none.
device=$(ip -4 -o route show default | awk '{ for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit } }')
detected=null
if [ -n "$device" ]; then
  address=$(ip -4 -o addr show dev "$device" | awk '{ split($4, a, "/"); if (a[1] !~ /^127\./) { print a[1]; exit } }')
  [ -n "$address" ] && detected="$address:$port"
fi
assert_eq "$detected" "$(json_get "$status" 'j["connect"]')" "connect, detected"
LEFT4ME_PUBLIC_ADDRESS=play.example.org expect_exit 0 "$BIN_L4D2CTL" list --json
assert_eq "play.example.org:$port" "$(json_get "$OUT" 'j[0]["connect"]')" "connect from LEFT4ME_PUBLIC_ADDRESS"
LEFT4ME_PUBLIC_ADDRESS=play.example.org expect_exit 0 "$BIN_L4D2CTL" status alpha
assert_contains "$OUT" "port $port, connect play.example.org:$port" "status' connect line"
LEFT4ME_PUBLIC_ADDRESS="play.example.org:27015" expect_exit 2 "$BIN_L4D2CTL" status alpha --json
assert_contains "$OUT" "LEFT4ME_PUBLIC_ADDRESS: 'play.example.org:27015' is not a host name or IPv4 address"

expect_exit 0 "$BIN_L4D2CTL" rcon alpha status
assert_contains "$OUT" "c2m1_highway" "rcon status"
expect_exit 0 "$BIN_L4D2CTL" rcon alpha say hello from the test
# The server answers RCON before its console line reaches the log (the supervisor writes it as it comes).
said_in_log() { "$BIN_L4D2CTL" logs alpha --lines 200 --no-follow | grep -q "hello from the test"; }
wait_until 5 said_in_log
expect_exit 0 "$BIN_L4D2CTL" logs alpha --lines 200 --no-follow
assert_contains "$OUT" "hello from the test" "console log shows the RCON say"
assert_contains "$OUT" "Host_NewGame" "console log shows the map load"
expect_exit 0 "$BIN_L4D2CTL" logs alpha --lines 1 --no-follow
assert_eq 1 "$(printf '%s\n' "$OUT" | wc -l)" "--lines 1"

# --follow: a line written after it started arrives, and SIGINT ends it with exit 0.
"$BIN_L4D2CTL" logs alpha --lines 0 --follow >"$T/follow.out" 2>&1 &
follower=$!
on_exit "kill $follower 2>/dev/null"
sleep 0.5
expect_exit 0 "$BIN_L4D2CTL" rcon alpha say followed line
wait_until 10 grep -q "followed line" "$T/follow.out"
kill -INT "$follower"
wait "$follower" || fail "logs --follow did not exit 0 on SIGINT"

expect_exit 0 "$BIN_L4D2CTL" stop alpha
expect_exit 0 "$BIN_L4D2CTL" status alpha --json
assert_eq stopped "$(json_get "$OUT" 'j["state"]')" "state after stop"
assert_eq false "$(json_get "$OUT" 'j["mounted"]')" "mounted after stop"
assert_eq null "$(json_get "$OUT" 'j["live"]')" "live after stop"
[ ! -d "/proc/$pid" ] || fail "server pid $pid still alive after stop"
assert_eq 0 "$(mounts_under "$LEFT4ME_ROOT")" "mounts after stop"
expect_exit 0 "$BIN_L4D2CTL" stop alpha  # already stopped: success

expect_exit 0 "$BIN_L4D2CTL" delete alpha
[ ! -e "$LEFT4ME_ROOT/instances/alpha" ] || fail "instance dir left after delete"
[ ! -e "$LEFT4ME_ROOT/runtime/alpha" ] || fail "runtime dir left after delete"
[ -x "$LEFT4ME_ROOT/installation/srcds_run" ] || fail "delete touched the installation"
expect_exit 0 "$BIN_L4D2CTL" delete alpha  # missing: success
expect_exit 3 "$BIN_L4D2CTL" status alpha --json
assert_contains "$OUT" "no such instance"
pass "lifecycle"
