#!/usr/bin/env bash
# The srcds_run that fake-steamcmd installs: Valve's wrapper behaviour (protocols.md §3.3) around
# the game binary it was told about (FAKE_SRCDS at install time).
. "$(dirname "$0")/../lib.sh"
export FAKE_STEAMCMD_HOME=$T/steam FAKE_STEAMCMD_BYTES=0 FAKE_STEAMCMD_FILES=1
# A stand-in game binary that reports its pid and arguments and exits with the code in $T/code.
cat >"$T/game" <<SH
#!/bin/bash
echo "game pid=\$\$ args=\$*"
n=\$(cat "$T/runs" 2>/dev/null || echo 0); echo \$((n + 1)) >"$T/runs"
exit \$(cat "$T/code" 2>/dev/null || echo 0)
SH
chmod +x "$T/game"
D=$T/install
FAKE_SRCDS=$T/game "$BIN_FAKE_STEAMCMD" +force_install_dir "$D" +login anonymous \
  +@sSteamCmdForcePlatformType windows +app_update 222860 \
  +@sSteamCmdForcePlatformType linux +app_update 222860 validate +quit >/dev/null
assert_contains "$(cat "$D/srcds_run")" "HL='$T/game'" "srcds_run"

# -norestart execs the game: the pid that ran srcds_run is the game's; wrapper flags are consumed.
OUT=$(cd "$D" && sh -c 'echo "wrapper pid=$$"; exec ./srcds_run -norestart -timeout 3 -game left4dead2 +map "c2m1_highway versus" -pidfile p')
wrapper=$(sed -n 's/^wrapper pid=//p' <<<"$OUT")
assert_contains "$OUT" "game pid=$wrapper args=-game left4dead2 +map c2m1_highway versus -pidfile p"
assert_not_contains "$OUT" "Server will auto-restart"
pass "-norestart execs the game binary"

# No +map: the wrapper's default map.
OUT=$(cd "$D" && ./srcds_run -norestart -game left4dead2)
assert_contains "$OUT" "WARNING: No map specified! Defaulting to c1m1_hotel"
assert_contains "$OUT" "args=-game left4dead2 +map c1m1_hotel"
pass "default map"

# Restart mode: a crash is restarted after -timeout seconds; a clean exit ends in `kill -2 $$`.
rm -f "$T/runs"; echo 1 >"$T/code"
( sleep 0.5; echo 0 >"$T/code" ) &
on_exit "kill $! 2>/dev/null"
set +e
OUT=$(cd "$D" && ./srcds_run -timeout 1 -game left4dead2 +map c1m1_hotel 2>&1)
status=$?
set -e
assert_contains "$OUT" "Server will auto-restart if there is a crash."
assert_contains "$OUT" 'Add "-debug" to the ./srcds_run command line'
assert_contains "$OUT" ": Server restart in 1 seconds"
assert_contains "$OUT" ": Server Quit"
assert_eq 130 "$status" "restart-mode wrapper exit (death by SIGINT)"
assert_eq 2 "$(cat "$T/runs")" "game runs"
pass "restart mode"

# A game binary that is gone: the wrapper's error.
rm "$T/game"
set +e
OUT=$(cd "$D" && ./srcds_run -norestart -game left4dead2 2>&1)
status=$?
set -e
assert_contains "$OUT" "ERROR: '$T/game' not found, exiting"
assert_contains "$OUT" ": Server Failed"
assert_eq 130 "$status" "exit of a failed wrapper"
pass "missing game binary"
