#!/usr/bin/env bash
# l4d2web with the real l4d2ctl, fake-steamcmd and fake-srcds: install as an admin job, start a server,
# kill -9 the web app during a start job, restart it (job interrupted, state reconciled, database intact),
# 20 simultaneous starts give one server, and two log viewers share one follower.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

for binary in "$BIN_L4D2CTL" "$BIN_FAKE_SRCDS" "$BIN_FAKE_STEAMCMD" "$BIN_L4D2WEB"; do
  [ -x "$binary" ] || fail "$binary is not built"
done

web_port=$(free_port)
game_port=$(free_port)
base="http://127.0.0.1:$web_port"
root="$T/run/data/root"
ctl() { LEFT4ME_ROOT="$root" LEFT4ME_SUPERVISOR=builtin LEFT4ME_HOST_ENV="$T/host.env" "$BIN_L4D2CTL" "$@"; }
env_args=(L4D2CTL="$BIN_L4D2CTL" LEFT4ME_STEAMCMD="$BIN_FAKE_STEAMCMD" LEFT4ME_HOST_ENV="$T/host.env"
          FAKE_STEAMCMD_FILES=4 FAKE_SRCDS_START_DELAY_MS=4000
          LEFT4ME_PORT_RANGE_START="$game_port" LEFT4ME_PORT_RANGE_END="$game_port" LEFT4ME_SSE_HEARTBEAT_SECONDS=1)
mkdir -p "$T/run"; : >"$T/host.env"
(cd "$T/run" && LEFT4ME_ADMIN_PASSWORD=admin-password "$BIN_L4D2WEB" create-user admin --admin >/dev/null)
web_start "$T/run" "$web_port" "${env_args[@]}"
csrf=$(api_login "$base" admin admin-password "$T/jar")
api() {  # api METHOD PATH [JSON]
  curl -s --max-time 30 -b "$T/jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -X "$1" ${3:+-d "$3"} "$base$2"
}
job_state() { json_get "$(api GET "/api/v1/jobs/$1")" 'j["job"]["state"]'; }
job_done() { local s; s=$(job_state "$1"); [ "$s" != queued ] && [ "$s" != running ]; }
# host_state_is STATE: what l4d2ctl says about the server's instance. web_state_is ID STATE: what the web app says.
host_state_is() { [ "$(json_get "$(ctl status "$instance" --json)" 'j["state"]')" = "$1" ]; }
web_state_is() { [ "$(json_get "$(api GET "/api/v1/servers/$1")" 'j["server"]["state"]')" = "$2" ]; }
jobs_in_state() { json_get "$(api GET "/api/v1/jobs?state=$1")" 'len(j["jobs"])'; }
no_pending_jobs() { [ "$(jobs_in_state queued)" = 0 ] && [ "$(jobs_in_state running)" = 0 ]; }

# The game installation as an admin job, with progress.
install_job=$(json_get "$(api POST /api/v1/install)" 'j["job"]["id"]')
wait_until 60 job_done "$install_job"
assert_eq succeeded "$(job_state "$install_job")" "install job"
assert_eq 100 "$(json_get "$(api GET /api/v1/install)" 'int(j["job"]["progress"]["percent"])')" "install progress"
pass "install runs as a job with progress"

blueprint=$(json_get "$(api POST /api/v1/blueprints '{"name":"base","spec":{"map":"c1m1_hotel"}}')" 'j["blueprint"]["id"]')
created=$(api POST /api/v1/servers "{\"name\":\"alpha\",\"blueprint_id\":$blueprint}")
server=$(json_get "$created" 'j["server"]["id"]')
instance=$(json_get "$created" 'j["server"]["instance"]')  # the name on the host: web-<id>
on_exit "ctl stop $instance --timeout 5 >/dev/null 2>&1"

# kill -9 while the start job waits for the (slow) server.
start_job=$(json_get "$(api POST "/api/v1/servers/$server/start")" 'j["job"]["id"]')
wait_until 20 bash -c "curl -s -b '$T/jar' '$base/api/v1/jobs/$start_job/lines' | grep -q 'l4d2ctl start $instance'"
assert_eq running "$(job_state "$start_job")" "start job before the kill"
kill -9 "$WEB_PID"
wait "$WEB_PID" 2>/dev/null || true
web_start "$T/run" "$web_port" "${env_args[@]}"
csrf=$(api_login "$base" admin admin-password "$T/jar")
job=$(api GET "/api/v1/jobs/$start_job")
assert_eq interrupted "$(json_get "$job" 'j["job"]["state"]')" "start job after the crash"
assert_contains "$(json_get "$job" 'j["job"]["reason"]')" "stopped while this job ran"
# The server's state is what l4d2ctl says, and the database is intact.
wait_until 20 host_state_is running
wait_until 10 web_state_is "$server" running
(cd "$T/run" && "$BIN_L4D2WEB" integrity-check >/dev/null) || fail "integrity check after kill -9"
assert_eq succeeded "$(job_state "$install_job")" "the earlier job is kept"
assert_eq base "$(json_get "$(api GET "/api/v1/blueprints/$blueprint")" 'j["blueprint"]["name"]')"
pass "kill -9 during a start job: interrupted, reconciled, intact"

# 20 simultaneous start requests: one server runs.
ctl stop "$instance" >/dev/null
pids=()
for _ in $(seq 20); do api POST "/api/v1/servers/$server/start" >/dev/null & pids+=($!); done
wait "${pids[@]}"
wait_until 60 no_pending_jobs
list=$(ctl list --json)
assert_eq 1 "$(json_get "$list" 'len([s for s in j if s["state"] == "running"])')" "running instances"
assert_eq 1 "$(pgrep -c -f "fake-srcds.*hostport $game_port" || true)" "fake-srcds processes"
pass "20 simultaneous starts give one running server"

# Two viewers of the console share one l4d2ctl logs follower; it goes when they do.
curl -s -N -b "$T/jar" "$base/api/v1/servers/$server/logs" >"$T/view1" & v1=$!
curl -s -N -b "$T/jar" "$base/api/v1/servers/$server/logs" >"$T/view2" & v2=$!
on_exit "kill $v1 $v2 2>/dev/null"
wait_until 10 grep -q '^data: ' "$T/view1"
wait_until 10 grep -q '^data: ' "$T/view2"
# A function, not `bash -c`: that shell's own command line would match the pattern. Only this web app's
# followers count (they run in its directory): other tests' servers may have the same instance name.
followers() {
  local pid count=0
  for pid in $(pgrep -f "l4d2ctl logs $instance --" || true); do
    [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$T/run" ] && count=$((count + 1))
  done
  echo "$count"
}
no_followers() { [ "$(followers)" = 0 ]; }
assert_eq 1 "$(followers)" "log followers"
kill "$v1" "$v2"
wait_until 10 no_followers
pass "two viewers share one follower, cleaned up after they leave"

stop_job=$(json_get "$(api POST "/api/v1/servers/$server/stop")" 'j["job"]["id"]')
wait_until 30 job_done "$stop_job"
assert_eq succeeded "$(job_state "$stop_job")" "stop job"
delete_job=$(json_get "$(api DELETE "/api/v1/servers/$server")" 'j["job"]["id"]')
wait_until 30 job_done "$delete_job"
assert_eq 404 "$(curl -s -o /dev/null -w '%{http_code}' -b "$T/jar" "$base/api/v1/servers/$server")" "deleted server"
pass "stop and delete"
