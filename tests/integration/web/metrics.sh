#!/usr/bin/env bash
# GET /metrics of the real l4d2web with a real server (l4d2ctl, fake-srcds) running: promtool (Debian's
# prometheus package) accepts the exposition and its lint, and the series say what the API says.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

for binary in "$BIN_L4D2CTL" "$BIN_FAKE_SRCDS" "$BIN_FAKE_STEAMCMD" "$BIN_L4D2WEB"; do
  [ -x "$binary" ] || { echo "skip: $binary is not built"; exit 77; }
done
command -v promtool >/dev/null || fail "promtool is not installed (scripts/setup installs prometheus)"

web_port=$(free_port)
game_port=$(free_port)
base="http://127.0.0.1:$web_port"
root="$T/run/data/root"
ctl() { LEFT4ME_ROOT="$root" LEFT4ME_SUPERVISOR=builtin LEFT4ME_HOST_ENV="$T/host.env" "$BIN_L4D2CTL" "$@"; }
on_exit "ctl stop web-1 --timeout 5 >/dev/null 2>&1"
env_args=(L4D2CTL="$BIN_L4D2CTL" LEFT4ME_STEAMCMD="$BIN_FAKE_STEAMCMD" LEFT4ME_HOST_ENV="$T/host.env"
          FAKE_STEAMCMD_FILES=4 LEFT4ME_PORT_RANGE_START="$game_port" LEFT4ME_PORT_RANGE_END="$game_port"
          LEFT4ME_STATUS_CACHE_MS=200)
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

run_job POST /api/v1/install
blueprint=$(json_get "$(api POST /api/v1/blueprints '{"name":"base","spec":{"map":"c1m1_hotel","max_players":6}}')" 'j["blueprint"]["id"]')
server=$(json_get "$(api POST /api/v1/servers "{\"name\":\"friends-coop\",\"blueprint_id\":$blueprint}")" 'j["server"]["id"]')
run_job POST "/api/v1/servers/$server/start"
live() { [ "$(json_get "$(api GET "/api/v1/servers/$server")" '(j["server"]["live"] or {}).get("max_players")')" = 6 ]; }
wait_until 20 live

scrape() { curl -sf --max-time 10 "$base/metrics"; }
has_players() { scrape | grep -q '^left4me_server_max_players{.*} 6$'; }
wait_until 10 has_players
scrape >"$T/metrics.txt"
promtool check metrics <"$T/metrics.txt" >"$T/promtool.out" 2>&1 || fail "promtool check metrics: $(cat "$T/promtool.out")"
pass "promtool accepts the exposition and its lint"

labels="id=\"$server\",name=\"friends-coop\""
assert_contains "$(cat "$T/metrics.txt")" "left4me_server_state{$labels,state=\"running\"} 1"
assert_contains "$(cat "$T/metrics.txt")" "left4me_server_players{$labels} 0"
assert_contains "$(cat "$T/metrics.txt")" "left4me_jobs{type=\"install\",state=\"succeeded\"} 1"
assert_contains "$(cat "$T/metrics.txt")" 'left4me_http_requests_total{method="POST",route="/api/v1/servers/{id}/start",code="202"} 1'
grep -q "^left4me_server_query_seconds{$labels} 0\.[0-9]*$" "$T/metrics.txt" || fail "no query time: $(grep query_seconds "$T/metrics.txt")"
pass "the series say what the API says"

assert_eq 403 "$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Forwarded-For: 198.51.100.7' "$base/metrics")" \
  "a request a proxy forwarded"
pass "a forwarded request is not a local scraper"
