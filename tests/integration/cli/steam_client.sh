#!/usr/bin/env bash
# Issue 16 item 6 on the built-in supervisor: l4d2ctl install copies steamcmd's linux32/ and
# linux64/steamclient.so into the servers' HOME (steam-home/.steam/sdk32, sdk64); a server, run as its own
# instance uid, gets that HOME and leaves LAN mode (fake-srcds, as srcds, logs on to Steam only when it can
# load ~/.steam/sdk32/steamclient.so). Without the library, start fails naming the missing file and nothing runs.
. "$(dirname "$0")/../lib.sh"
setup_host_root
install_game
home=$LEFT4ME_ROOT/steam-home
library=$home/.steam/sdk32/steamclient.so
steamcmd_dir=$(dirname "$BIN_FAKE_STEAMCMD")
assert_eq "$(cat "$steamcmd_dir/linux32/steamclient.so")" "$(cat "$library")" "the servers' sdk32 library"
assert_eq "$(cat "$steamcmd_dir/linux64/steamclient.so")" "$(cat "$home/.steam/sdk64/steamclient.so")" \
  "the servers' sdk64 library"
pass "install copies steamcmd's linux32/ and linux64/steamclient.so to steam-home/.steam/sdk32 and sdk64"

port=$(free_port)
write_spec "$T/a.yaml" "$port"
expect_exit 0 "$BIN_L4D2CTL" initialize a -f "$T/a.yaml"
chmod 755 "$T"
chown -R 4242:4242 "$LEFT4ME_ROOT"   # as the package leaves it: servers run as their own uids
expect_exit 0 "$BIN_L4D2CTL" start a --wait --timeout 30
pid=$(json_get "$("$BIN_L4D2CTL" status a --json)" 'j["pid"]')
uid=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")
[ "$uid" -ge $((0x70000000)) ] || fail "the server runs as uid $uid, not its instance uid"
assert_contains "$(tr '\0' '\n' <"/proc/$pid/environ")" "HOME=$home" "the server's environment"
logs_say() { "$BIN_L4D2CTL" logs a --lines 200 | grep -qF -- "$1"; }
wait_until 10 logs_say "Connection to Steam servers successful." ||
  fail "no Steam logon: $("$BIN_L4D2CTL" logs a --lines 200)"
expect_exit 0 "$BIN_L4D2CTL" logs a --lines 200
assert_not_contains "$OUT" "LAN mode only"
expect_exit 0 "$BIN_L4D2CTL" stop a
pass "a server with the library, as its instance uid with HOME=steam-home, logs on to Steam (not LAN mode)"

rm "$library"
expect_exit 1 "$BIN_L4D2CTL" start a --wait --timeout 30
assert_contains "$OUT" "start 'a': $library is missing"
status=$("$BIN_L4D2CTL" status a --json)
assert_eq stopped "$(json_get "$status" 'j["state"]')" "state after the refused start"
assert_contains "$(json_get "$status" 'j["last_error"]')" "$library is missing" "last_error"
assert_eq 0 "$(pgrep -f -- "[+]hostport $port( |$)" | wc -l)" "servers running after the refused start"
assert_eq 0 "$(mounts_under "$LEFT4ME_ROOT/runtime/a")" "mounts after the refused start"
pass "without steam-home/.steam/sdk32/steamclient.so start fails naming it, and nothing runs or is mounted"
