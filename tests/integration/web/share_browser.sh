#!/usr/bin/env bash
# Sharing a server in headless Chromium (tests/browser/share.test.js) against the real l4d2web, l4d2ctl,
# fake-steamcmd and fake-srcds: alice shares her running server with bob as operator on its page, bob signs in,
# sees it on his dashboard marked as alice's, and restarts it; the restart is bob's job and a new srcds runs.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

for binary in "$BIN_L4D2CTL" "$BIN_FAKE_SRCDS" "$BIN_FAKE_STEAMCMD" "$BIN_L4D2WEB"; do
  [ -x "$binary" ] || fail "$binary is not built"
done
[ -x /usr/bin/chromium ] || { echo "skip: /usr/bin/chromium is missing (run scripts/setup)"; exit 77; }
[ -d "$LEFT4ME_SOURCE/node_modules/playwright-core" ] || { echo "skip: run scripts/setup (npm ci)"; exit 77; }

web_port=$(free_port)
game_port=$(free_port)
base="http://127.0.0.1:$web_port"
root="$T/run/data/root"
ctl() { LEFT4ME_ROOT="$root" LEFT4ME_SUPERVISOR=builtin LEFT4ME_HOST_ENV="$T/host.env" "$BIN_L4D2CTL" "$@"; }
on_exit "ctl stop web-1 --timeout 5 >/dev/null 2>&1; kill_supervisors_under '$root'; unmount_all_under '$root'"
mkdir -p "$T/run"; : >"$T/host.env"
(cd "$T/run" && LEFT4ME_ADMIN_PASSWORD=admin-password "$BIN_L4D2WEB" create-user admin --admin >/dev/null)
web_start "$T/run" "$web_port" L4D2CTL="$BIN_L4D2CTL" LEFT4ME_STEAMCMD="$BIN_FAKE_STEAMCMD" \
  LEFT4ME_HOST_ENV="$T/host.env" FAKE_STEAMCMD_FILES=8 \
  LEFT4ME_PORT_RANGE_START="$game_port" LEFT4ME_PORT_RANGE_END="$game_port" LEFT4ME_STATUS_CACHE_MS=300

# session NAME PASSWORD: logs NAME in with a cookie jar of their own; as_NAME then calls the API as them.
session() {
  local csrf
  csrf=$(api_login "$base" "$1" "$2" "$T/jar-$1")
  eval "as_$1() { curl -sf -b '$T/jar-$1' -H 'X-CSRF-Token: $csrf' -H 'Content-Type: application/json' \"\$@\"; }"
}
session admin admin-password
job_state() { json_get "$(as_admin "$base/api/v1/jobs/$1")" 'j["job"]["state"]'; }
wait_job() {
  local deadline=$((SECONDS + 60))
  until [ "$(job_state "$1")" = succeeded ]; do
    [ $SECONDS -lt $deadline ] || fail "job $1 ended $(job_state "$1")"
    sleep 0.2
  done
}
wait_job "$(json_get "$(as_admin -X POST "$base/api/v1/install")" 'j["job"]["id"]')"
for name in alice bob; do
  as_admin -d "{\"name\":\"$name\",\"password\":\"password-$name\"}" "$base/api/v1/users" >/dev/null
done
session alice password-alice
blueprint=$(json_get "$(as_alice -d '{"name":"coop","spec":{"map":"c1m1_hotel","max_players":8}}' \
  "$base/api/v1/blueprints")" 'j["blueprint"]["id"]')
server=$(as_alice -d "{\"name\":\"friends\",\"blueprint_id\":$blueprint}" "$base/api/v1/servers")
server_id=$(json_get "$server" 'j["server"]["id"]')
instance=$(json_get "$server" 'j["server"]["instance"]')
wait_job "$(json_get "$(as_alice -X POST "$base/api/v1/servers/$server_id/start")" 'j["job"]["id"]')"
pid_before=$(json_get "$(ctl status "$instance" --json)" 'j["pid"]')
[ -n "$pid_before" ] && [ "$pid_before" != null ] || fail "no srcds runs for $instance"

shots="$LEFT4ME_BUILD/screenshots-share"
rm -rf "$shots"; mkdir -p "$shots"
status=0
BASE_URL="$base" SHOTS="$shots" PROFILE="$T/chromium-profile" SERVER_ID="$server_id" \
  node "$LEFT4ME_SOURCE/tests/browser/share.test.js" || status=$?
if [ $status -ne 0 ]; then
  echo "--- l4d2web stderr (last 40 lines)"; tail -n 40 "$T/run/err"
  fail "browser test failed (screenshots in $shots)"
fi

session bob password-bob
restarts=$(as_bob "$base/api/v1/jobs?type=restart&server_id=$server_id")
assert_eq '["succeeded"]' "$(json_get "$restarts" '[job["state"] for job in j["jobs"]]')" "bob's restart job"
pid_after=$(json_get "$(ctl status "$instance" --json)" 'j["pid"]')
[ "$pid_after" != "$pid_before" ] && [ "$pid_after" != null ] || fail "srcds was not restarted ($pid_before, $pid_after)"
assert_eq operator "$(json_get "$(as_bob "$base/api/v1/servers/$server_id")" 'j["server"]["shared_role"]')" "bob's role"
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$T/jar-bob" "$base/api/v1/servers/$server_id/rcon-password")
assert_eq 403 "$code" "bob asking for the RCON password"
pass "sharing in Chromium: alice shares as operator on the page, bob sees it as hers and restarts it"
