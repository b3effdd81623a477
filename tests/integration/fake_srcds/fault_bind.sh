#!/usr/bin/env bash
# FAKE_SRCDS_BIND_FAIL and a real port conflict both fail like srcds: the NNET_OpenSocket warning,
# "Couldn't allocate any server IP port", and a non-zero exit without ever printing the Network line.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

root=$(game_root bind)
port=$(free_port)
FAKE_SRCDS_BIND_FAIL=1 start_fake "$root" "$port"
wait_exit "$FAKE_PID" 5
assert_eq 1 "$EXIT_CODE" "exit code with FAKE_SRCDS_BIND_FAIL=1"
out=$(cat "$root/stdout.log")
assert_contains "$out" "WARNING: NNET_OpenSocket: bind: Cannot assign requested address"
assert_contains "$out" "Couldn't allocate any server IP port"
assert_not_contains "$out" "Network: IP"
pass "FAKE_SRCDS_BIND_FAIL=1"

# A real conflict: a first server holds the port, the second one cannot bind it.
first=$(game_root bind-first)
start_fake "$first" "$port"
first_pid=$FAKE_PID
wait_until 5 a2s_answers "$port"
start_fake "$root" "$port"
wait_exit "$FAKE_PID" 5
assert_eq 1 "$EXIT_CODE" "exit code when the port is taken"
out=$(cat "$root/stdout.log")
assert_contains "$out" "WARNING: NNET_OpenSocket: bind: Address already in use"
assert_contains "$out" "Couldn't allocate any server IP port"
kill -0 "$first_pid" || fail "the first server died"
a2s_answers "$port" || fail "the first server stopped answering"
pass "a port already in use"

# An address this machine does not have.
root=$(game_root bind-addr)
(cd "$root" && expect_exit 1 "$BIN_FAKE_SRCDS" -game left4dead2 +ip 192.0.2.1 -port "$port"
 assert_contains "$OUT" "WARNING: NNET_OpenSocket: bind: Cannot assign requested address")
pass "an address that is not local"
