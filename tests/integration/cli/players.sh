#!/usr/bin/env bash
# `status --players` and `list --players` ask fake-srcds for its players over A2S_PLAYER (with the challenge
# step) and show them: names as the server sent them, bytes that are not UTF-8 as U+FFFD; a kicked player is
# gone from the next status; without --players nothing is asked.
. "$(dirname "$0")/../lib.sh"
setup_host_root
install_game

alpha_port=$(free_port)
beta_port=$(free_port)
write_spec "$T/alpha.yaml" "$alpha_port"
write_spec "$T/beta.yaml" "$beta_port"
for name in alpha beta; do expect_exit 0 "$BIN_L4D2CTL" initialize "$name" -f "$T/$name.yaml"; done
expect_exit 0 env FAKE_SRCDS_PLAYERS=3 FAKE_SRCDS_PLAYER_NAMES=$'<b>Zo\xeb</b>,Coach Two' \
  "$BIN_L4D2CTL" start alpha --wait --timeout 30
on_exit "'$BIN_L4D2CTL' stop alpha --timeout 5 >/dev/null 2>&1"
expect_exit 0 "$BIN_L4D2CTL" start beta --wait --timeout 30
on_exit "'$BIN_L4D2CTL' stop beta --timeout 5 >/dev/null 2>&1"

expect_exit 0 "$BIN_L4D2CTL" status alpha --json
assert_eq false "$(json_get "$OUT" '"player_list" in j["live"]')" "no player_list without --players"

expect_exit 0 "$BIN_L4D2CTL" status alpha --json --players
assert_eq 3 "$(json_get "$OUT" 'len(j["live"]["player_list"])')" "alpha's players"
assert_eq "<b>Zo"$'\xef\xbf\xbd'"</b>" "$(json_get "$OUT" 'j["live"]["player_list"][0]["name"]')" "first name"
assert_eq "Coach Two" "$(json_get "$OUT" 'j["live"]["player_list"][1]["name"]')" "second name"
assert_eq Coach "$(json_get "$OUT" 'j["live"]["player_list"][2]["name"]')" "third name"
assert_eq true "$(json_get "$OUT" 'j["live"]["player_list"][2]["seconds"] >= 254')" "third player's seconds"
assert_eq 10 "$(json_get "$OUT" 'j["live"]["player_list"][1]["score"]')" "second player's score"
pass "status --json --players lists the players, U+FFFD for bytes that are not UTF-8"

expect_exit 0 "$BIN_L4D2CTL" rcon alpha kick '"Coach Two"'
expect_exit 0 "$BIN_L4D2CTL" status alpha --players
assert_contains "$OUT" "alpha: running" "status"
assert_contains "$OUT" "  player Coach, score 17, " "status --players"
assert_not_contains "$OUT" "Coach Two" "status --players after the kick"
pass "a kicked player is gone"

expect_exit 0 "$BIN_L4D2CTL" list --json --players
assert_eq 2 "$(json_get "$OUT" 'len(j[0]["live"]["player_list"])')" "alpha's players in list"
assert_eq "[]" "$(json_get "$OUT" 'j[1]["live"]["player_list"]')" "beta has none"
pass "list --json --players"
