#!/usr/bin/env bash
# The server page's RCON console in headless Chromium (tests/browser/rcon.test.js) against the real l4d2web,
# l4d2ctl, fake-steamcmd and fake-srcds: 120 players (one named <b>Zoë</b>) listed live and escaped, a `status`
# reply of several RCON packets shown whole, the command history, kick, say and change map, each in the audit log.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

for binary in "$BIN_L4D2CTL" "$BIN_FAKE_SRCDS" "$BIN_FAKE_STEAMCMD" "$BIN_L4D2WEB"; do
  [ -x "$binary" ] || fail "$binary is not built"
done
[ -x /usr/bin/chromium ] || { echo "skip: /usr/bin/chromium is missing (run scripts/setup)"; exit 77; }
[ -d "$LEFT4ME_SOURCE/node_modules/playwright-core" ] || { echo "skip: run scripts/setup (npm ci)"; exit 77; }

players=120
web_port=$(free_port)
game_port=$(free_port)
base="http://127.0.0.1:$web_port"
root="$T/run/data/root"
ctl() { LEFT4ME_ROOT="$root" LEFT4ME_SUPERVISOR=builtin LEFT4ME_HOST_ENV="$T/host.env" "$BIN_L4D2CTL" "$@"; }
on_exit "ctl stop web-1 --timeout 5 >/dev/null 2>&1; kill_supervisors_under '$root'; unmount_all_under '$root'"
mkdir -p "$T/run"; : >"$T/host.env"
(cd "$T/run" && LEFT4ME_ADMIN_PASSWORD=admin-password "$BIN_L4D2WEB" create-user admin --admin >/dev/null)
web_start "$T/run" "$web_port" L4D2CTL="$BIN_L4D2CTL" LEFT4ME_STEAMCMD="$BIN_FAKE_STEAMCMD" \
  LEFT4ME_HOST_ENV="$T/host.env" FAKE_STEAMCMD_FILES=8 FAKE_SRCDS_PLAYERS=$players \
  FAKE_SRCDS_PLAYER_NAMES=$'<b>Zo\xc3\xab</b>' \
  LEFT4ME_PORT_RANGE_START="$game_port" LEFT4ME_PORT_RANGE_END="$game_port" LEFT4ME_STATUS_CACHE_MS=300

jar="$T/jar"
csrf=$(api_login "$base" admin admin-password "$jar")
api() { curl -sf -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' "$@"; }
job_state() { json_get "$(api "$base/api/v1/jobs/$1")" 'j["job"]["state"]'; }
wait_job() {
  local deadline=$((SECONDS + 60))
  until [ "$(job_state "$1")" = succeeded ]; do
    [ $SECONDS -lt $deadline ] || fail "job $1 ended $(job_state "$1")"
    sleep 0.2
  done
}
wait_job "$(json_get "$(api -X POST "$base/api/v1/install")" 'j["job"]["id"]')"
blueprint=$(json_get "$(api -d '{"name":"rcon","spec":{"map":"c1m1_hotel","max_players":8}}' "$base/api/v1/blueprints")" \
  'j["blueprint"]["id"]')
server=$(api -d "{\"name\":\"rcontest\",\"blueprint_id\":$blueprint}" "$base/api/v1/servers")
server_id=$(json_get "$server" 'j["server"]["id"]')
instance=$(json_get "$server" 'j["server"]["instance"]')
wait_job "$(json_get "$(api -X POST "$base/api/v1/servers/$server_id/start")" 'j["job"]["id"]')"
reply_bytes=$(ctl rcon "$instance" status | wc -c)
[ "$reply_bytes" -gt 4096 ] || fail "the status reply ($reply_bytes bytes) fits one RCON packet: no multi-packet case"
pass "the status reply takes several RCON packets ($reply_bytes bytes)"

shots="$LEFT4ME_BUILD/screenshots-rcon"
rm -rf "$shots"; mkdir -p "$shots"
status=0
BASE_URL="$base" SHOTS="$shots" PROFILE="$T/chromium-profile" ADMIN_PASSWORD=admin-password PLAYERS=$players \
  SERVER_ID="$server_id" node "$LEFT4ME_SOURCE/tests/browser/rcon.test.js" || status=$?
if [ $status -ne 0 ]; then
  echo "--- l4d2web stderr (last 40 lines)"; tail -n 40 "$T/run/err"
  fail "browser test failed (screenshots in $shots)"
fi

entries=$(api "$base/api/v1/servers/$server_id/rcon")
assert_eq '["changelevel c2m1_highway", "say hello everyone", "kick \"Coach\"", "echo one", "status"]' \
  "$(json_get "$entries" '[e["command"] for e in j["entries"]]')" "the audit log's commands, newest first"
assert_eq '["admin"]' "$(json_get "$entries" 'sorted(set(e["user"] for e in j["entries"]))')" "the audit log's user"
assert_eq '["ok"]' "$(json_get "$entries" 'sorted(set(e["outcome"] for e in j["entries"]))')" "the outcomes"
pass "RCON console in Chromium: players, a multi-packet status whole, history, kick, say, change map, audit log"
