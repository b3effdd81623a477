#!/usr/bin/env bash
# Debian's quakestat (qstat) reads what fake-srcds was configured with, with and without the INFO challenge.
# quakestat cannot reassemble split replies (protocols.md §1.6), so this uses a rule set that fits one packet.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

for challenge in on off; do
  root=$(game_root "qstat-$challenge")
  port=$(free_port)
  cat >"$root/left4dead2/cfg/server.cfg" <<CFG
hostname "qstat $challenge server"
rcon_password secret
sv_tags "custom,tags"
my_small_rule "hello world"
CFG
  no_challenge=0
  [ $challenge == off ] && no_challenge=1
  FAKE_SRCDS_PLAYERS=2 FAKE_SRCDS_NO_CHALLENGE=$no_challenge start_fake "$root" "$port" +map "c3m1_plankcountry versus"
  wait_line "$root" "VAC secure mode"

  json=$(quakestat -a2s "127.0.0.1:$port" -R -P -json -timeout 3 -retry 1 -interval 0.1)
  assert_json "$json" \
    'j[0]["status"]' online \
    'j[0]["name"]' "qstat $challenge server" \
    'j[0]["map"]' c3m1_plankcountry \
    'j[0]["numplayers"]' 2 \
    'j[0]["maxplayers"]' 8 \
    'j[0]["rules"]["gamedir"]' left4dead2 \
    'j[0]["rules"]["game_port"]' "$port" \
    'j[0]["rules"]["game_tags"]' "versus,custom,tags,secure" \
    'j[0]["rules"]["my_small_rule"]' "hello world" \
    'j[0]["rules"]["mp_gamemode"]' versus \
    'j[0]["rules"].get("rcon_password")' null \
    'sorted(p["name"] for p in j[0]["players"])' '["Nick", "Rochelle"]'
  pass "quakestat with challenge $challenge"
done
