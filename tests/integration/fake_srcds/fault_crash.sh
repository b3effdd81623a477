#!/usr/bin/env bash
# FAKE_SRCDS_CRASH_AFTER: the server answers, then dies by SIGSEGV (default) or SIGABRT, like a crashing
# srcds_linux under -norestart.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

for signal in SIGSEGV SIGABRT; do
  root=$(game_root "crash-$signal")
  port=$(free_port)
  started=$SECONDS
  FAKE_SRCDS_CRASH_AFTER=1.5 FAKE_SRCDS_CRASH_SIGNAL=$signal start_fake "$root" "$port"
  wait_until 5 a2s_answers "$port"
  wait_exit "$FAKE_PID" 10
  expected=$((128 + $(kill -l "$signal")))
  assert_eq "$expected" "$EXIT_CODE" "exit status (death by $signal)"
  [ $((SECONDS - started)) -ge 1 ] || fail "crashed too early"
  a2s_silent "$port" || fail "A2S still answers after the crash"
  pass "crash by $signal after 1.5 s"
done
