#!/usr/bin/env bash
# GET /metrics of the real l4d2web with a real server (l4d2ctl, fake-srcds) running: promtool (Debian's
# prometheus package) accepts the exposition and its lint, and the series say what the API says.
# The server's blueprint stacks a Workshop overlay the panel filled from fake-steam-api (issue 14: a started
# server sees the VPKs in addons/ through the real overlayfs mount, built-in supervisor; the systemd half is in
# systemd/deploy_doc.sh). It shares this test's web app and server rather than starting its own.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

BIN_FAKE_STEAM_API="$LEFT4ME_BUILD/src/testing/fake_steam_api/fake-steam-api"
for binary in "$BIN_L4D2CTL" "$BIN_FAKE_SRCDS" "$BIN_FAKE_STEAMCMD" "$BIN_L4D2WEB" "$BIN_FAKE_STEAM_API"; do
  [ -x "$binary" ] || { echo "skip: $binary is not built"; exit 77; }
done
command -v promtool >/dev/null || fail "promtool is not installed (scripts/setup installs prometheus)"

web_port=$(free_port)
game_port=$(free_port)
base="http://127.0.0.1:$web_port"
root="$T/run/data/root"
ctl() { LEFT4ME_ROOT="$root" LEFT4ME_SUPERVISOR=builtin LEFT4ME_HOST_ENV="$T/host.env" "$BIN_L4D2CTL" "$@"; }
on_exit "ctl stop web-1 --timeout 5 >/dev/null 2>&1"
"$BIN_FAKE_STEAM_API" >"$T/steam-api.url" 2>"$T/steam-api.err" &
on_exit "kill $!"
wait_until 10 test -s "$T/steam-api.url"
env_args=(STEAM_WEB_API_URL="$(head -n 1 "$T/steam-api.url")" L4D2CTL="$BIN_L4D2CTL" LEFT4ME_STEAMCMD="$BIN_FAKE_STEAMCMD" LEFT4ME_HOST_ENV="$T/host.env"
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
# A Workshop overlay of collection 902 (nested: items 1004, 1001, 1003, 1002), refreshed by the panel's job.
workshop=$(json_get "$(api POST /api/v1/overlays '{"name":"workshop maps","kind":"workshop"}')" 'j["overlay"]["id"]')
api PUT "/api/v1/overlays/$workshop/workshop" '{"entries":["902"]}' >/dev/null
run_job POST "/api/v1/overlays/$workshop/workshop/refresh"
items="1001.vpk 1002.vpk 1003.vpk 1004.vpk"
assert_eq "$items" "$(ls "$root/overlays/$workshop/left4dead2/addons" | tr '\n' ' ' | sed 's/ $//')" "the overlay's addons"
blueprint=$(json_get "$(api POST /api/v1/blueprints "{\"name\":\"base\",\"spec\":{\"map\":\"c1m1_hotel\",\"max_players\":6,\"overlays\":[$workshop]}}")" 'j["blueprint"]["id"]')
server=$(json_get "$(api POST /api/v1/servers "{\"name\":\"friends-coop\",\"blueprint_id\":$blueprint}")" 'j["server"]["id"]')
run_job POST "/api/v1/servers/$server/start"
live() { [ "$(json_get "$(api GET "/api/v1/servers/$server")" '(j["server"]["live"] or {}).get("max_players")')" = 6 ]; }
wait_until 20 live
# The running game process's own view: its working directory is the instance's merged tree, read as its uid.
instance=$(json_get "$(api GET "/api/v1/servers/$server")" 'j["server"]["instance"]')
pid=$(json_get "$(ctl status "$instance" --json)" 'j["pid"]')
game=$(readlink "/proc/$pid/cwd")
assert_eq "$root/runtime/$instance/merged" "$game" "the game's working directory"
grep -q " $game .* - overlay " "/proc/$pid/mountinfo" || fail "$game is not an overlayfs mount in the game's view"
as_game() { setpriv --reuid="$(stat -c %u "/proc/$pid")" --regid="$(stat -c %g "/proc/$pid")" --clear-groups "$@"; }
assert_eq "$items" "$(as_game ls "/proc/$pid/cwd/left4dead2/addons" | tr '\n' ' ' | sed 's/ $//')" "addons/ as the game sees it"
for item in $items; do
  as_game cmp "/proc/$pid/cwd/left4dead2/addons/$item" "$root/workshop_cache/$item" || fail "$item differs from the cache's"
done
pass "the started server sees the Workshop overlay's VPKs in addons/ through the mount"

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
