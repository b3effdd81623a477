#!/usr/bin/env bash
# One bad A2S reply must not break `list` for everyone: a server whose name is not UTF-8 (fake-srcds'
# FAKE_SRCDS_INVALID_UTF8_HOSTNAME) shows U+FFFD in `status --json`, `list --json` and `rcon`, and an
# instance whose status cannot be read is listed with an error while the others are listed as usual.
# Before the fix, nlohmann refused to dump the name (type_error.316) and l4d2ctl list aborted.
. "$(dirname "$0")/../lib.sh"
setup_host_root
install_game

alpha_port=$(free_port)
beta_port=$(free_port)
gamma_port=$(free_port)
write_spec "$T/alpha.yaml" "$alpha_port"
write_spec "$T/beta.yaml" "$beta_port"
write_spec "$T/gamma.yaml" "$gamma_port"
for name in alpha beta gamma; do expect_exit 0 "$BIN_L4D2CTL" initialize "$name" -f "$T/$name.yaml"; done
expect_exit 0 env FAKE_SRCDS_INVALID_UTF8_HOSTNAME=1 "$BIN_L4D2CTL" start alpha --wait --timeout 30
on_exit "'$BIN_L4D2CTL' stop alpha --timeout 5 >/dev/null 2>&1"
expect_exit 0 "$BIN_L4D2CTL" start beta --wait --timeout 30
on_exit "'$BIN_L4D2CTL' stop beta --timeout 5 >/dev/null 2>&1"
# gamma's supervisor state is unreadable.
mkdir -p "$LEFT4ME_ROOT/runtime/gamma"
printf '{"state": "running", ' >"$LEFT4ME_ROOT/runtime/gamma/state.json"

replaced="it-$alpha_port caf"$'\xef\xbf\xbd'" "$'\xef\xbf\xbd'
expect_exit 0 "$BIN_L4D2CTL" status alpha --json
assert_eq "$replaced" "$(json_get "$OUT" 'j["live"]["hostname"]')" "alpha's hostname in status --json"
pass "status --json shows the invalid bytes as U+FFFD"

expect_exit 0 "$BIN_L4D2CTL" list --json
list=$OUT
assert_eq 3 "$(json_get "$list" 'len(j)')" "instances listed"
assert_eq "$replaced" "$(json_get "$list" 'j[0]["live"]["hostname"]')" "alpha's hostname in list --json"
assert_eq running "$(json_get "$list" 'j[1]["state"]')" "beta's state"
assert_eq "it-$beta_port" "$(json_get "$list" 'j[1]["live"]["hostname"]')" "beta's hostname"
assert_eq gamma "$(json_get "$list" 'j[2]["name"]')" "gamma's name"
assert_eq false "$(json_get "$list" '"state" in j[2]')" "gamma has no state"
assert_contains "$(json_get "$list" 'j[2]["error"]')" "not a valid state file" "gamma's error"
pass "list --json: U+FFFD for alpha, beta as usual, an error for gamma alone"

expect_exit 0 "$BIN_L4D2CTL" list
assert_contains "$OUT" "beta: running" "list"
assert_contains "$OUT" "gamma: error: " "list"

expect_exit 0 "$BIN_L4D2CTL" rcon alpha status
assert_contains "$OUT" "hostname: $replaced" "rcon status"
pass "rcon replies are made valid UTF-8 too"
