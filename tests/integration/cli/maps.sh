#!/usr/bin/env bash
# l4d2ctl maps (issue 13, "pick, don't type"): the official campaigns with their names, the maps of
# fake-steamcmd's installation, and an overlay's addon VPK holding a campaign (built here, as protocols.md
# §4.5 describes the format), grouped by campaign; a server starts on that campaign's map; bad overlays are
# refused, broken files are listed.
. "$(dirname "$0")/../lib.sh"
setup_host_root
install_game

expect_exit 0 "$BIN_L4D2CTL" maps --json
catalog=$OUT
assert_json() {  # JSON EXPR EXPECTED...
  local json=$1; shift
  while [ $# -gt 0 ]; do assert_eq "$2" "$(json_get "$json" "$1")" "$1"; shift 2; done
}
assert_json "$catalog" 'len(j["campaigns"])' 14 \
  'j["campaigns"][0]["title"]' "Dead Center" \
  'j["campaigns"][0]["origin"]' official \
  'j["campaigns"][0]["maps"][0]' '{"found_in": ["installation"], "map": "c1m1_hotel", "title": "Dead Center, 1: Hotel"}' \
  'j["campaigns"][1]["maps"][0]["title"]' "Dark Carnival, 1: Highway" \
  'sum(len(c["maps"]) for c in j["campaigns"])' 57 \
  'j["other_maps"]' '[]' 'j["problems"]' '[]'
# fake-steamcmd writes every stock map as a loose file: each is found in the installation.
assert_json "$catalog" 'sorted({p for c in j["campaigns"] for m in c["maps"] for p in m["found_in"]})' '["installation"]'
pass "the official campaigns with their names, found in fake-steamcmd's installation"

# An overlay with an addon holding a campaign (a VPK version 1 built here), and one with a loose map.
mkdir -p "$LEFT4ME_ROOT/overlays/campaign/left4dead2/addons" "$LEFT4ME_ROOT/overlays/loose/left4dead2/maps"
python3 "$LEFT4ME_SOURCE/tests/integration/campaign_vpk.py" "$LEFT4ME_ROOT/overlays/campaign/left4dead2/addons/darkwood.vpk"
: >"$LEFT4ME_ROOT/overlays/loose/left4dead2/maps/custom_map.bsp"
printf 'not a vpk' >"$LEFT4ME_ROOT/overlays/loose/left4dead2/addons.vpk"   # not in addons/: not read
expect_exit 0 "$BIN_L4D2CTL" maps --json --overlay campaign --overlay loose
assert_json "$OUT" 'len(j["campaigns"])' 15 \
  'j["campaigns"][14]["title"]' "Dark Wood" \
  'j["campaigns"][14]["origin"]' "overlay campaign" \
  'j["campaigns"][14]["file"]' "left4dead2/addons/darkwood.vpk" \
  '[m["title"] for m in j["campaigns"][14]["maps"]]' '["Dark Wood, 1: The Path", "Dark Wood, 2: The Cabin"]' \
  'j["campaigns"][14]["maps"][0]["found_in"]' '["overlay campaign"]' \
  '[(m["map"], m["found_in"]) for m in j["other_maps"]]' '[["custom_map", ["overlay loose"]], ["dw_bonus", ["overlay campaign"]]]' \
  'j["problems"]' '[]'
expect_exit 0 "$BIN_L4D2CTL" maps --overlay campaign
assert_contains "$OUT" "Dark Wood (overlay campaign: left4dead2/addons/darkwood.vpk)"
assert_contains "$OUT" "  dw_01_path             Dark Wood, 1: The Path  [overlay campaign]"
assert_contains "$OUT" "  c2m1_highway           Dark Carnival, 1: Highway  [installation]"
pass "an overlay's addon campaign and a loose map, grouped by campaign"

# A map picked from the overlay's VPK starts: fake-srcds, as srcds, loads maps from addon VPKs.
port=$(free_port)
write_spec "$T/darkwood.yaml" "$port" "overlays: [campaign]"
sed -i 's/^map: .*/map: dw_01_path/' "$T/darkwood.yaml"
expect_exit 0 "$BIN_L4D2CTL" initialize darkwood -f "$T/darkwood.yaml"
expect_exit 0 "$BIN_L4D2CTL" start darkwood --wait --timeout 30
expect_exit 0 "$BIN_L4D2CTL" status darkwood --json
assert_eq dw_01_path "$(json_get "$OUT" 'j["live"]["map"]')" "the map the server answers with"
expect_exit 0 "$BIN_L4D2CTL" delete darkwood --yes
pass "a server starts on a map from an overlay's VPK"

# A broken addon is a problem named in the listing; the rest is listed.
head -c 40 "$LEFT4ME_ROOT/overlays/campaign/left4dead2/addons/darkwood.vpk" \
  >"$LEFT4ME_ROOT/overlays/campaign/left4dead2/addons/cut.vpk"
expect_exit 0 "$BIN_L4D2CTL" maps --json --overlay campaign
assert_json "$OUT" 'len(j["campaigns"])' 15 'len(j["problems"])' 1
assert_contains "$(json_get "$OUT" 'j["problems"][0]')" "overlay campaign: left4dead2/addons/cut.vpk: claims a directory tree of"
pass "a cut VPK is a problem, not a failure"

expect_exit 2 "$BIN_L4D2CTL" maps --overlay missing
assert_contains "$OUT" "l4d2ctl: maps: overlay 'missing' does not exist ($LEFT4ME_ROOT/overlays/missing)"
expect_exit 2 "$BIN_L4D2CTL" maps --overlay ../installation
assert_contains "$OUT" "l4d2ctl: maps: overlay \"../installation\" is not an overlay"
expect_exit 2 "$BIN_L4D2CTL" maps --overlay campaign loose
pass "maps"
