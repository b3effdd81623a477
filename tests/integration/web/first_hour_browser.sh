#!/usr/bin/env bash
# The first hour of a new host in headless Chromium (tests/browser/first_hour.test.js), against the real l4d2web,
# l4d2ctl, fake-steamcmd and fake-srcds under the built-in supervisor: each place issue 13 found a person stuck
# or misled. The host has an overlay `campaign` holding a custom campaign in an addon VPK whose second map's
# file is missing (tests/integration/campaign_vpk.py --without dw_02_cabin): the map is listed, but a server
# started on it never answers with it, the stuck start of bug 1. web.env's LEFT4ME_START_WAIT_SECONDS (what an
# administrator would change) makes that start fail in 4 s instead of 90. Screenshots go to
# $LEFT4ME_BUILD/screenshots-first-hour.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

for binary in "$BIN_L4D2CTL" "$BIN_FAKE_SRCDS" "$BIN_FAKE_STEAMCMD" "$BIN_L4D2WEB"; do
  [ -x "$binary" ] || fail "$binary is not built"
done
[ -x /usr/bin/chromium ] || { echo "skip: /usr/bin/chromium is missing (run scripts/setup)"; exit 77; }
[ -d "$LEFT4ME_SOURCE/node_modules/playwright-core" ] || { echo "skip: run scripts/setup (npm ci)"; exit 77; }

web_port=$(free_port)
game_start=$(free_port)
base="http://127.0.0.1:$web_port"
root="$T/run/data/root"
on_exit "kill_supervisors_under '$root'; unmount_all_under '$root'"
# The journey's first overlay ("campaign", made on the Overlays page) is overlay 1: until uploads land, its files are
# put into its directory overlays/1/ beforehand, as an administrator with a shell would (creating keeps the files).
mkdir -p "$T/run" "$root/overlays/1/left4dead2/addons"; : >"$T/host.env"
python3 "$LEFT4ME_SOURCE/tests/integration/campaign_vpk.py" --without dw_02_cabin \
  "$root/overlays/1/left4dead2/addons/darkwood.vpk"
(cd "$T/run" && LEFT4ME_ADMIN_PASSWORD=admin-password "$BIN_L4D2WEB" create-user admin --admin >/dev/null)
# Two game ports: the journey runs two servers at once.
web_start "$T/run" "$web_port" L4D2CTL="$BIN_L4D2CTL" LEFT4ME_STEAMCMD="$BIN_FAKE_STEAMCMD" \
  LEFT4ME_HOST_ENV="$T/host.env" FAKE_STEAMCMD_FILES=8 FAKE_STEAMCMD_DELAY_MS=60 FAKE_SRCDS_PLAYERS=0 \
  LEFT4ME_PORT_RANGE_START="$game_start" LEFT4ME_PORT_RANGE_END="$((game_start + 1))" \
  LEFT4ME_SSE_HEARTBEAT_SECONDS=2 LEFT4ME_STATUS_CACHE_MS=300 LEFT4ME_START_WAIT_SECONDS=4

shots="$LEFT4ME_BUILD/screenshots-first-hour"
rm -rf "$shots"
status=0
BASE_URL="$base" SHOTS="$shots" PROFILE="$T/chromium-profile" ADMIN_PASSWORD=admin-password START_WAIT=4 \
  node "$LEFT4ME_SOURCE/tests/browser/first_hour.test.js" || status=$?
if [ $status -ne 0 ]; then
  echo "--- l4d2web stderr (last 40 lines)"; tail -n 40 "$T/run/err"
  fail "browser test failed (screenshots in $shots)"
fi
assert_not_contains "$(cat "$T/run/err")" "page template" "l4d2web's log"
pass "the first hour in Chromium: a failed start ends stopped with its reason, pages follow the server, maps from a VPK"
