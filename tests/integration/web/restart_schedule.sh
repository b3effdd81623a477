#!/usr/bin/env bash
# A server's daily restart end to end (issue 15, item 4): the real l4d2web, l4d2ctl, fake-steamcmd and fake-srcds
# with players (FAKE_SRCDS_PLAYERS). With the restart set to the current minute (UTC), the scheduler queues one
# scheduled_restart job, which says the message to the players over RCON (fake-srcds's console shows it) and does
# not restart the server while they are on it; once they left (RCON kick) it restarts it. A restarted web app does
# not queue that day's restart again.
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
# The heartbeat (and with it the scheduler's look) every second, so the test need not wait 15 s for it.
env_args=(L4D2CTL="$BIN_L4D2CTL" LEFT4ME_STEAMCMD="$BIN_FAKE_STEAMCMD" LEFT4ME_HOST_ENV="$T/host.env"
          FAKE_STEAMCMD_FILES=4 LEFT4ME_PORT_RANGE_START="$game_port" LEFT4ME_PORT_RANGE_END="$game_port"
          LEFT4ME_STATUS_CACHE_MS=200 LEFT4ME_UPDATE_CHECK_HOURS=0 LEFT4ME_SSE_HEARTBEAT_SECONDS=1
          FAKE_SRCDS_PLAYERS=2)
mkdir -p "$T/run"; : >"$T/host.env"
(cd "$T/run" && LEFT4ME_ADMIN_PASSWORD=admin-password "$BIN_L4D2WEB" create-user admin --admin >/dev/null)
web_start "$T/run" "$web_port" "${env_args[@]}"
csrf=$(api_login "$base" admin admin-password "$T/jar")
api() {  # api METHOD PATH [JSON]
  curl -s --max-time 30 -b "$T/jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -X "$1" ${3:+-d "$3"} "$base$2"
}
job_state() { json_get "$(api GET "/api/v1/jobs/$1")" 'j["job"]["state"]'; }
job_done() { local s; s=$(job_state "$1"); [ "$s" != queued ] && [ "$s" != running ]; }
run_job() {  # run_job METHOD PATH: waits for the job the request queued; fails unless it succeeded
  local job
  job=$(json_get "$(api "$1" "$2")" 'j["job"]["id"]')
  wait_until 60 job_done "$job"
  assert_eq succeeded "$(job_state "$job")" "job $1 $2"
}
scheduled_count() { json_get "$(api GET '/api/v1/jobs?type=scheduled_restart')" 'len(j["jobs"])'; }
has_scheduled() { [ "$(scheduled_count)" -ge 1 ]; }
pid_of_alpha() { json_get "$(ctl status web-1 --json)" 'j["pid"]'; }
message="Daily restart soon, finish your round"
said() { ctl logs web-1 --lines 400 | grep -qF "Console: $message"; }

run_job POST /api/v1/install
blueprint=$(json_get "$(api POST /api/v1/blueprints '{"name":"base","spec":{"map":"c1m1_hotel"}}')" 'j["blueprint"]["id"]')
alpha=$(json_get "$(api POST /api/v1/servers "{\"name\":\"alpha\",\"blueprint_id\":$blueprint}")" 'j["server"]["id"]')
run_job POST "/api/v1/servers/$alpha/start"
assert_eq 2 "$(json_get "$(ctl status web-1 --json)" 'j["live"]["players"]')" "players on alpha"
before=$(pid_of_alpha)

# A bad setting is refused and changes nothing.
refused=$(api PUT "/api/v1/servers/$alpha/restart-schedule" '{"enabled":true,"time":"24:00"}')
assert_eq time "$(json_get "$refused" 'j["error"]["field"]')" "the field of a bad time"
assert_eq false "$(json_get "$(api GET "/api/v1/servers/$alpha/restart-schedule")" 'j["restart_schedule"]["enabled"]')" \
  "the daily restart after a refused setting"

now=$(date -u +%H:%M)
set=$(api PUT "/api/v1/servers/$alpha/restart-schedule" \
  "{\"enabled\":true,\"time\":\"$now\",\"max_wait_minutes\":3,\"message\":\"$message\"}")
assert_eq "$now" "$(json_get "$set" 'j["restart_schedule"]["time"]')" "the daily restart's time"
wait_until 20 has_scheduled
job=$(json_get "$(api GET '/api/v1/jobs?type=scheduled_restart')" 'j["jobs"][0]["id"]')
wait_until 20 said
sleep 5
assert_eq running "$(job_state "$job")" "the daily restart while players are on alpha"
assert_eq "$before" "$(pid_of_alpha)" "alpha's process while players are on it"
assert_contains "$(api GET "/api/v1/jobs/$job/lines")" "2 player(s) on it" "the job's log while it waits"
pass "at its time the daily restart told the players over RCON and waited while they were on alpha"

ctl rcon web-1 kick Nick >/dev/null
ctl rcon web-1 kick Rochelle >/dev/null
wait_until 60 job_done "$job"
assert_eq succeeded "$(job_state "$job")" "the daily restart once alpha is empty"
after=$(pid_of_alpha)
[ -n "$after" ] && [ "$after" != None ] && [ "$after" != "$before" ] || fail "alpha was not restarted (pid $before, now $after)"
lines=$(api GET "/api/v1/jobs/$job/lines")
assert_contains "$lines" "nobody plays on it (after waiting" "the job's log"
assert_contains "$lines" "$ l4d2ctl restart web-1 --wait" "the job's log"
assert_eq 1 "$(json_get "$(api GET "/api/v1/jobs/$job")" 'j["job"]["owner_id"] is not None and 1')" "the job has an owner"
pass "once the players left, the daily restart restarted alpha (pid $before -> $after)"

# The same day's restart is not queued again, by this web app nor by a restarted one.
sleep 3
assert_eq 1 "$(scheduled_count)" "scheduled restarts after the first"
kill "$WEB_PID"; wait "$WEB_PID" 2>/dev/null || true
web_start "$T/run" "$web_port" "${env_args[@]}"
csrf=$(api_login "$base" admin admin-password "$T/jar")
sleep 4
assert_eq 1 "$(scheduled_count)" "scheduled restarts after the web app restarted"
assert_eq "$after" "$(pid_of_alpha)" "alpha's process after the web app restarted"
pass "a restarted web app did not restart alpha a second time that day"
