#!/usr/bin/env bash
# npm gamedig (type l4d2) reads what fake-srcds was configured with, including a rule set large enough to
# need split packets, and the simulated players; with and without the INFO challenge.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

[ -x "$NODE_BIN/gamedig" ] || fail "gamedig is not installed (run scripts/setup)"

for challenge in on off; do
  root=$(game_root "gamedig-$challenge")
  port=$(free_port)
  {
    echo "hostname \"gamedig $challenge\""
    echo "rcon_password secret"
    echo "sv_password joinme"
    for i in $(seq 1 150); do echo "big_rule_$i \"value number $i of the big rule set\""; done
  } >"$root/left4dead2/cfg/server.cfg"
  no_challenge=0
  [ $challenge == off ] && no_challenge=1
  FAKE_SRCDS_PLAYERS=5 FAKE_SRCDS_NO_CHALLENGE=$no_challenge start_fake "$root" "$port" +map c8m1_apartment \
    -maxplayers 10
  wait_line "$root" "VAC secure mode"

  json=$("$NODE_BIN/gamedig" --type l4d2 "127.0.0.1:$port" --givenPortOnly --requestRules \
           --socketTimeout 2000 --attemptTimeout 5000 --maxRetries 1)
  assert_json "$json" \
    'j.get("error")' null \
    'j["name"]' "gamedig $challenge" \
    'j["map"]' c8m1_apartment \
    'j["password"]' true \
    'j["maxplayers"]' 10 \
    'j["numplayers"]' 5 \
    'j["raw"]["appId"]' 550 \
    'j["raw"]["folder"]' left4dead2 \
    'j["raw"]["tags"]' '["coop", "secure"]' \
    'sorted(p["name"] for p in j["players"])' '["Bill", "Coach", "Ellis", "Nick", "Rochelle"]' \
    'len([k for k in j["raw"]["rules"] if k.startswith("big_rule_")])' 150 \
    'j["raw"]["rules"]["big_rule_150"]' "value number 150 of the big rule set" \
    '"rcon_password" in j["raw"]["rules"]' false \
    'len(j["raw"]["rulesBytes"]["data"]) > 1400' true
  pass "gamedig with challenge $challenge (rules in split packets)"
done
