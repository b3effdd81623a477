#!/usr/bin/env bash
# FAKE_SRCDS_HANG_AFTER: the server answers at first, then stops answering A2S and RCON while staying alive,
# and ignores SIGINT and SIGTERM (a hung engine never runs its shutdown); only SIGKILL ends it.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

root=$(game_root hang)
port=$(free_port)
printf 'rcon_password pw\n' >"$root/left4dead2/cfg/server.cfg"
started=$(date +%s%N)
FAKE_SRCDS_HANG_AFTER=2 start_fake "$root" "$port"
wait_until 5 a2s_answers "$port"
assert_contains "$(rconclt -t 2 "pw@127.0.0.1:$port" status)" "map     : c1m1_hotel"
pass "answers before the hang"

# A query that goes unanswered before the hang time is a slow answer (an ASan build on a busy machine),
# not the hang: wait for the hang time first.
while [ $(($(date +%s%N) - started)) -lt 2300000000 ]; do sleep 0.1; done
wait_until 10 a2s_silent "$port"
expect_exit 4 rconclt -t 1 "pw@127.0.0.1:$port" status  # 4: timeout
kill -0 "$FAKE_PID" || fail "the hung server died"
pass "stops answering A2S and RCON while alive"

kill -INT "$FAKE_PID"
kill -TERM "$FAKE_PID"
sleep 0.5
kill -0 "$FAKE_PID" || fail "the hung server obeyed SIGINT/SIGTERM"
a2s_silent "$port" || fail "A2S answers again"
kill -KILL "$FAKE_PID"
wait_exit "$FAKE_PID" 5
assert_eq 137 "$EXIT_CODE" "exit status after SIGKILL"
pass "ignores SIGINT and SIGTERM; SIGKILL ends it"
