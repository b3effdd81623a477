#!/usr/bin/env bash
# The l4d2web pages end to end in headless Chromium (tests/browser/pages.test.js) against the real
# l4d2web, l4d2ctl, fake-steamcmd and fake-srcds. Screenshots go to $LEFT4ME_BUILD/screenshots.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

for binary in "$BIN_L4D2CTL" "$BIN_FAKE_SRCDS" "$BIN_FAKE_STEAMCMD" "$BIN_L4D2WEB"; do
  [ -x "$binary" ] || fail "$binary is not built"
done
[ -x /usr/bin/chromium ] || { echo "skip: /usr/bin/chromium is missing (run scripts/setup)"; exit 77; }
[ -d "$LEFT4ME_SOURCE/node_modules/playwright-core" ] || { echo "skip: run scripts/setup (npm ci)"; exit 77; }

# The Steam Web API stand-in the Workshop overlay resolves its collection through.
"$LEFT4ME_BUILD/src/testing/fake_steam_api/fake-steam-api" >"$T/steam-url" 2>"$T/steam-err" &
steam_pid=$!
on_exit "kill $steam_pid 2>/dev/null"
wait_until 10 test -s "$T/steam-url"
# What the file overlay step uploads through the page.
mkdir -p "$T/pack/left4dead2/cfg" && echo 'sv_cheats 0' >"$T/pack/left4dead2/cfg/pack.cfg"
tar -czf "$T/pack.tar.gz" -C "$T/pack" left4dead2

web_port=$(free_port)
game_port=$(free_port)
base="http://127.0.0.1:$web_port"
root="$T/run/data/root"
ctl() { LEFT4ME_ROOT="$root" LEFT4ME_SUPERVISOR=builtin LEFT4ME_HOST_ENV="$T/host.env" "$BIN_L4D2CTL" "$@"; }
on_exit "ctl stop pagetest --timeout 5 >/dev/null 2>&1; kill_supervisors_under '$root'; unmount_all_under '$root'"
mkdir -p "$T/run"; : >"$T/host.env"
(cd "$T/run" && LEFT4ME_ADMIN_PASSWORD=admin-password "$BIN_L4D2WEB" create-user admin --admin >/dev/null)
web_start "$T/run" "$web_port" L4D2CTL="$BIN_L4D2CTL" LEFT4ME_STEAMCMD="$BIN_FAKE_STEAMCMD" \
  LEFT4ME_HOST_ENV="$T/host.env" FAKE_STEAMCMD_FILES=8 FAKE_STEAMCMD_DELAY_MS=60 FAKE_SRCDS_PLAYERS=3 \
  LEFT4ME_PORT_RANGE_START="$game_port" LEFT4ME_PORT_RANGE_END="$game_port" LEFT4ME_SSE_HEARTBEAT_SECONDS=2 \
  LEFT4ME_STATUS_CACHE_MS=300 STEAM_WEB_API_URL="$(head -n 1 "$T/steam-url")"

shots="$LEFT4ME_BUILD/screenshots"
rm -rf "$shots"
status=0
BASE_URL="$base" SHOTS="$shots" PROFILE="$T/chromium-profile" ADMIN_PASSWORD=admin-password PLAYERS=3 ARCHIVE="$T/pack.tar.gz" \
  node "$LEFT4ME_SOURCE/tests/browser/pages.test.js" || status=$?
if [ $status -ne 0 ]; then
  echo "--- l4d2web stderr (last 40 lines)"; tail -n 40 "$T/run/err"
  fail "browser test failed (screenshots in $shots)"
fi
# The log may show the pages' requests but never a failed template.
assert_not_contains "$(cat "$T/run/err")" "page template" "l4d2web's log"
pass "pages in Chromium: login, install progress, a file overlay's upload, a Workshop overlay from a collection, blueprint errors, start, console, dashboard, isolation, delete"
