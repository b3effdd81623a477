#!/usr/bin/env bash
# One bad A2S reply must not break the dashboard for everyone: with one server reporting a name that is not
# UTF-8 (fake-srcds' FAKE_SRCDS_INVALID_UTF8_HOSTNAME), the API and the dashboard show it with U+FFFD and
# still show the other server's live state. Before the fix, `l4d2ctl list --json` aborted and every server
# lost its live state.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

for binary in "$BIN_L4D2CTL" "$BIN_FAKE_SRCDS" "$BIN_FAKE_STEAMCMD" "$BIN_L4D2WEB"; do
  [ -x "$binary" ] || { echo "skip: $binary is not built"; exit 77; }
done

web_port=$(free_port)
# Two adjacent free game ports, the app's port range.
game_port=$(free_port)
while ! python3 -c 'import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[1]))); t=socket.socket(); t.bind(("127.0.0.1", int(sys.argv[1])))' "$((game_port + 1))" 2>/dev/null; do
  game_port=$(free_port)
done
base="http://127.0.0.1:$web_port"
root="$T/run/data/root"
ctl() { LEFT4ME_ROOT="$root" LEFT4ME_SUPERVISOR=builtin LEFT4ME_HOST_ENV="$T/host.env" "$BIN_L4D2CTL" "$@"; }
# The panel names its host instances web-<id> (servers are created in this order below).
on_exit "ctl stop web-1 --timeout 5 >/dev/null 2>&1; ctl stop web-2 --timeout 5 >/dev/null 2>&1"
env_args=(L4D2CTL="$BIN_L4D2CTL" LEFT4ME_STEAMCMD="$BIN_FAKE_STEAMCMD" LEFT4ME_HOST_ENV="$T/host.env"
          FAKE_STEAMCMD_FILES=4 LEFT4ME_PORT_RANGE_START="$game_port" LEFT4ME_PORT_RANGE_END="$((game_port + 1))"
          LEFT4ME_STATUS_CACHE_MS=200)
mkdir -p "$T/run"; : >"$T/host.env"
(cd "$T/run" && LEFT4ME_ADMIN_PASSWORD=admin-password "$BIN_L4D2WEB" create-user admin --admin >/dev/null)
# Every server the app starts reports the bad name; beta is started beside it without the fault.
web_start "$T/run" "$web_port" "${env_args[@]}" FAKE_SRCDS_INVALID_UTF8_HOSTNAME=1
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

run_job POST /api/v1/install
blueprint=$(json_get "$(api POST /api/v1/blueprints '{"name":"base","spec":{"map":"c1m1_hotel"}}')" 'j["blueprint"]["id"]')
alpha=$(json_get "$(api POST /api/v1/servers "{\"name\":\"alpha\",\"blueprint_id\":$blueprint}")" 'j["server"]["id"]')
beta=$(json_get "$(api POST /api/v1/servers "{\"name\":\"beta\",\"blueprint_id\":$blueprint}")" 'j["server"]["id"]')
run_job POST "/api/v1/servers/$alpha/start"
# beta: initialized by the app (a start job), then restarted from the host side without the fault.
run_job POST "/api/v1/servers/$beta/start"
beta_instance=$(json_get "$(api GET "/api/v1/servers/$beta")" 'j["server"]["instance"]')
ctl stop "$beta_instance" >/dev/null
ctl start "$beta_instance" --wait --timeout 30 >/dev/null || fail "ctl start beta"

replaced="alpha caf"$'\xef\xbf\xbd'" "$'\xef\xbf\xbd'
live_hostname() { json_get "$(api GET "/api/v1/servers/$1")" '(j["server"]["live"] or {}).get("hostname")'; }
both_live() { [ "$(live_hostname "$alpha")" = "$replaced" ] && [ "$(live_hostname "$beta")" = beta ]; }
wait_until 20 both_live
servers=$(api GET /api/v1/servers)
assert_eq "$replaced" "$(json_get "$servers" '[s for s in j["servers"] if s["name"] == "alpha"][0]["live"]["hostname"]')" \
  "alpha's hostname in the server list"
assert_eq running "$(json_get "$servers" '[s for s in j["servers"] if s["name"] == "beta"][0]["state"]')" "beta's state"
pass "the API shows alpha's name with U+FFFD and beta's live state"

page=$(curl -s --max-time 10 -b "$T/jar" -w '\n%{http_code}' "$base/")
assert_eq 200 "$(tail -n 1 <<<"$page")" "dashboard status"
assert_eq 2 "$(grep -c 'class="map">c1m1_hotel<' <<<"$page")" "dashboard rows with a live map"
pass "the dashboard still shows both servers' live state"
