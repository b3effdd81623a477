#!/usr/bin/env bash
# "Restart on the new build when empty" end to end: the real l4d2web, l4d2ctl, fake-steamcmd and fake-srcds with
# players (FAKE_SRCDS_PLAYERS). A server on an older build shows "update pending"; the switch job waits while players
# are on it, restarts it on the current build once they left (RCON kick), and at the maximum wait warns the players
# still there with an RCON say, then restarts.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

for binary in "$BIN_L4D2CTL" "$BIN_FAKE_SRCDS" "$BIN_FAKE_STEAMCMD" "$BIN_L4D2WEB"; do
  [ -x "$binary" ] || { echo "skip: $binary is not built"; exit 77; }
done

web_port=$(free_port)
game_port=$(free_port)
base="http://127.0.0.1:$web_port"
root="$T/run/data/root"
ctl() { LEFT4ME_ROOT="$root" LEFT4ME_SUPERVISOR=builtin LEFT4ME_HOST_ENV="$T/host.env" \
  LEFT4ME_STEAMCMD="$BIN_FAKE_STEAMCMD" FAKE_STEAMCMD_FILES=4 "$BIN_L4D2CTL" "$@"; }
on_exit "ctl stop web-1 --timeout 5 >/dev/null 2>&1"
env_args=(L4D2CTL="$BIN_L4D2CTL" LEFT4ME_STEAMCMD="$BIN_FAKE_STEAMCMD" LEFT4ME_HOST_ENV="$T/host.env"
          FAKE_STEAMCMD_FILES=4 LEFT4ME_PORT_RANGE_START="$game_port" LEFT4ME_PORT_RANGE_END="$game_port"
          LEFT4ME_STATUS_CACHE_MS=200 LEFT4ME_UPDATE_CHECK_HOURS=0 FAKE_SRCDS_PLAYERS=2)
mkdir -p "$T/run"; : >"$T/host.env"
(cd "$T/run" && LEFT4ME_ADMIN_PASSWORD=admin-password "$BIN_L4D2WEB" create-user admin --admin >/dev/null)
web_start "$T/run" "$web_port" "${env_args[@]}" LEFT4ME_BUILD_SWITCH_MAX_WAIT_SECONDS=120
csrf=$(api_login "$base" admin admin-password "$T/jar")
api() {  # api METHOD PATH [JSON]
  curl -s --max-time 30 -b "$T/jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -X "$1" ${3:+-d "$3"} "$base$2"
}
page_post() { curl -s --max-time 30 -o /dev/null -w '%{http_code}' -b "$T/jar" -H "X-CSRF-Token: $csrf" -X POST "$base$1"; }
job_state() { json_get "$(api GET "/api/v1/jobs/$1")" 'j["job"]["state"]'; }
job_done() { local s; s=$(job_state "$1"); [ "$s" != queued ] && [ "$s" != running ]; }
run_job() {  # run_job METHOD PATH: waits for the job the request queued; fails unless it succeeded
  local job
  job=$(json_get "$(api "$1" "$2")" 'j["job"]["id"]')
  wait_until 60 job_done "$job"
  assert_eq succeeded "$(job_state "$job")" "job $1 $2"
}
newest_switch() { json_get "$(api GET '/api/v1/jobs?type=switch_build')" 'j["jobs"][0]["id"]'; }
build_of() { json_get "$(ctl status web-1 --json)" '(j["build"] or {}).get("id")'; }

run_job POST /api/v1/install
old=$(json_get "$(ctl install --list --json)" 'j["current"]["id"]')
blueprint=$(json_get "$(api POST /api/v1/blueprints '{"name":"base","spec":{"map":"c1m1_hotel"}}')" 'j["blueprint"]["id"]')
alpha=$(json_get "$(api POST /api/v1/servers "{\"name\":\"alpha\",\"blueprint_id\":$blueprint}")" 'j["server"]["id"]')
run_job POST "/api/v1/servers/$alpha/start"
assert_eq 2 "$(json_get "$(ctl status web-1 --json)" 'j["live"]["players"]')" "players on alpha"
FAKE_STEAMCMD_BUILDID=17000001 ctl install --json >"$T/update.log" 2>&1 || { cat "$T/update.log"; fail "the update"; }
assert_eq 17000001 "$(json_get "$(ctl install --list --json)" 'j["current"]["id"]')" "the current build after the update"
update_pending() { curl -s -b "$T/jar" "$base/" | grep -q 'update pending'; }
wait_until 10 update_pending
pass "alpha runs build $old with players while 17000001 is current: the dashboard says update pending"

assert_eq 303 "$(page_post "/admin/builds/switch/$alpha")" "asking alpha to switch when empty"
switch=$(newest_switch)
sleep 3
assert_eq running "$(job_state "$switch")" "the switch while players are on alpha"
assert_eq "$old" "$(build_of)" "alpha's build while players are on it"
ctl rcon web-1 kick Nick >/dev/null
ctl rcon web-1 kick Rochelle >/dev/null
wait_until 60 job_done "$switch"
assert_eq succeeded "$(job_state "$switch")" "the switch once alpha is empty"
assert_eq 17000001 "$(build_of)" "alpha's build after the switch"
assert_not_contains "$(ctl logs web-1 --lines 400)" "Console: This server restarts" "alpha's console (nobody to warn)"
no_update_pending() { ! update_pending; }
wait_until 10 no_update_pending
pass "the switch waited while players were on alpha and restarted it on the new build once they left"

# The maximum wait: players who stay get a warning over RCON, then the restart happens.
FAKE_STEAMCMD_BUILDID=17000002 ctl install --json >"$T/update.log" 2>&1 || { cat "$T/update.log"; fail "the second update"; }
kill "$WEB_PID"; wait "$WEB_PID" 2>/dev/null || true
web_start "$T/run" "$web_port" "${env_args[@]}" LEFT4ME_BUILD_SWITCH_MAX_WAIT_SECONDS=2 LEFT4ME_BUILD_SWITCH_WARNING_SECONDS=1
csrf=$(api_login "$base" admin admin-password "$T/jar")
assert_eq 2 "$(json_get "$(ctl status web-1 --json)" 'j["live"]["players"]')" "players on alpha after its restart"
wait_until 10 update_pending
assert_eq 303 "$(page_post /admin/builds/switch)" "asking every server on an older build to switch"
switch=$(newest_switch)
wait_until 60 job_done "$switch"
assert_eq succeeded "$(job_state "$switch")" "the switch at the maximum wait"
assert_eq 17000002 "$(build_of)" "alpha's build after the switch at the maximum wait"
logs=$(ctl logs web-1 --lines 400)
assert_contains "$logs" "Console: This server restarts in 1 seconds for a game update. Reconnect afterwards." "alpha's console"
lines=$(api GET "/api/v1/jobs/$switch/lines")
assert_contains "$lines" "2 player(s) on it at the maximum wait: warning them, then restarting" "the switch job's log"
pass "at the maximum wait the players were warned over RCON and alpha restarted on the new build"
