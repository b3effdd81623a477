#!/usr/bin/env bash
# Server history and webhooks (issue 15, parts 4 and 6) with the real l4d2web, l4d2ctl, fake-srcds and a local
# receiver (python3's http.server): a failed job's webhook is delivered after its receiver first answered 500; a
# receiver that hangs never delays the next job; kill -9 of fake-srcds is a `crash` in the server's history and a
# webhook; crashing until the supervisor gives up is a `failed` event and a webhook.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

for binary in "$BIN_L4D2CTL" "$BIN_FAKE_SRCDS" "$BIN_FAKE_STEAMCMD" "$BIN_L4D2WEB"; do
  [ -x "$binary" ] || fail "$binary is not built"
done

# The receiver: /flaky answers 500 to its first request and 204 after, /hang never answers in time, anything else
# 204. Every request is one JSON line in received.log.
cat >"$T/receiver.py" <<'PY'
import http.server, json, sys, threading, time
log_path, port_path = sys.argv[1], sys.argv[2]
counts, lock = {}, threading.Lock()
class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with lock:
            counts[self.path] = counts.get(self.path, 0) + 1
            number = counts[self.path]
            with open(log_path, "a") as log:
                log.write(json.dumps({"path": self.path, "n": number, "type": self.headers.get("Content-Type"),
                                      "body": json.loads(body)}) + "\n")
        if self.path == "/hang":
            time.sleep(60)
            return
        self.send_response(500 if self.path == "/flaky" and number == 1 else 204)
        self.end_headers()
        self.wfile.write(b"what the receiver says is never kept")
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
server.daemon_threads = True
with open(port_path, "w") as out:
    out.write(str(server.server_address[1]))
server.serve_forever()
PY
: >"$T/received.log"
python3 "$T/receiver.py" "$T/received.log" "$T/receiver.port" & receiver_pid=$!
on_exit "kill $receiver_pid 2>/dev/null"
wait_until 10 test -s "$T/receiver.port"
hook="http://127.0.0.1:$(cat "$T/receiver.port")"
received() {  # received PATH EVENT: how many requests PATH got for EVENT
  python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if (lambda r: r["path"] == sys.argv[2] and
    (r["body"].get("event") == sys.argv[3] or sys.argv[3] in r["body"].get("content", "")))(json.loads(l))))' \
    "$T/received.log" "$1" "$2"
}

web_port=$(free_port)
game_port=$(free_port)
base="http://127.0.0.1:$web_port"
root="$T/run/data/root"
ctl() { LEFT4ME_ROOT="$root" LEFT4ME_SUPERVISOR=builtin LEFT4ME_HOST_ENV="$T/host.env" "$BIN_L4D2CTL" "$@"; }
# What an admin would set: a quick restart after a crash (host.env), a quick watch and retries (web.env keys).
echo "LEFT4ME_RESTART_DELAY_MS=300" >"$T/host.env"
env_args=(L4D2CTL="$BIN_L4D2CTL" LEFT4ME_STEAMCMD="$BIN_FAKE_STEAMCMD" LEFT4ME_HOST_ENV="$T/host.env"
          FAKE_STEAMCMD_FILES=4 LEFT4ME_PORT_RANGE_START="$game_port" LEFT4ME_PORT_RANGE_END="$((game_port + 1))"
          JOB_WORKER_THREADS=1 LEFT4ME_STATUS_WATCH_SECONDS=1 LEFT4ME_WEBHOOK_RETRY_SECONDS=1
          LEFT4ME_WEBHOOK_TIMEOUT_SECONDS=4)
mkdir -p "$T/run"
(cd "$T/run" && LEFT4ME_ADMIN_PASSWORD=admin-password "$BIN_L4D2WEB" create-user admin --admin >/dev/null)
web_start "$T/run" "$web_port" "${env_args[@]}"
csrf=$(api_login "$base" admin admin-password "$T/jar")
api() {  # api METHOD PATH [JSON]
  curl -s --max-time 30 -b "$T/jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -X "$1" ${3:+-d "$3"} "$base$2"
}
job_state() { json_get "$(api GET "/api/v1/jobs/$1")" 'j["job"]["state"]'; }
job_done() { local s; s=$(job_state "$1"); [ "$s" != queued ] && [ "$s" != running ]; }
run_job() {  # run_job METHOD PATH: queues a job, waits for it, prints its id
  local id; id=$(json_get "$(api "$1" "$2")" 'j["job"]["id"]')
  wait_until 60 job_done "$id"
  echo "$id"
}

install_job=$(run_job POST /api/v1/install)
assert_eq succeeded "$(job_state "$install_job")" "install job"

# Bad webhooks are refused, naming the field.
bad=$(api POST /api/v1/webhooks '{"url":"ftp://127.0.0.1/x","kind":"json","events":["crash"]}')
assert_eq url "$(json_get "$bad" 'j["error"]["field"]')" "a bad URL's field"
bad=$(api POST /api/v1/webhooks "{\"url\":\"$hook/x\",\"kind\":\"slack\",\"events\":[\"crash\"]}")
assert_eq kind "$(json_get "$bad" 'j["error"]["field"]')" "a bad kind's field"
assert_eq 0 "$(json_get "$(api GET /api/v1/webhooks)" 'len(j["webhooks"])')" "webhooks after refusals"
flaky=$(json_get "$(api POST /api/v1/webhooks "{\"url\":\"$hook/flaky\",\"kind\":\"json\",\"events\":[\"crash\",\"failed\",\"job_failed\"]}")" 'j["webhook"]["id"]')
api POST /api/v1/webhooks "{\"url\":\"$hook/hang\",\"kind\":\"discord\",\"events\":[\"job_failed\"]}" >/dev/null
pass "webhooks are added through the API; bad ones are refused"

good=$(json_get "$(api POST /api/v1/blueprints '{"name":"base","spec":{"map":"c1m1_hotel"}}')" 'j["blueprint"]["id"]')
# An overlay whose directory an administrator removed by hand: starts from its blueprint fail.
lost=$(json_get "$(api POST /api/v1/overlays '{"name":"never-made"}')" 'j["overlay"]["id"]')
rm -r "$root/overlays/$lost"
broken=$(json_get "$(api POST /api/v1/blueprints "{\"name\":\"broken\",\"spec\":{\"map\":\"c1m1_hotel\",\"overlays\":[$lost]}}")" 'j["blueprint"]["id"]')
created=$(api POST /api/v1/servers "{\"name\":\"alpha\",\"blueprint_id\":$good}")
alpha=$(json_get "$created" 'j["server"]["id"]')
instance=$(json_get "$created" 'j["server"]["instance"]')
on_exit "ctl stop $instance --timeout 5 >/dev/null 2>&1"
doomed=$(json_get "$(api POST /api/v1/servers "{\"name\":\"doomed\",\"blueprint_id\":$broken}")" 'j["server"]["id"]')

# A failed job: its webhook reaches /flaky after a 500, and /hang hangs. With one job worker, the next job starts at
# once all the same and takes its normal time.
failing_job=$(json_get "$(api POST "/api/v1/servers/$doomed/start")" 'j["job"]["id"]')
start_job=$(json_get "$(api POST "/api/v1/servers/$alpha/start")" 'j["job"]["id"]')
wait_until 60 job_done "$start_job"
assert_eq failed "$(job_state "$failing_job")" "the broken server's start"
assert_eq succeeded "$(job_state "$start_job")" "alpha's start"
failed_at=$(json_get "$(api GET "/api/v1/jobs/$failing_job")" 'j["job"]["finished_at"]')
job=$(api GET "/api/v1/jobs/$start_job")
started_at=$(json_get "$job" 'j["job"]["started_at"]')
took=$(json_get "$job" 'j["job"]["finished_at"] - j["job"]["started_at"]')
[ $((started_at - failed_at)) -le 1 ] || fail "the next job started $((started_at - failed_at)) s after the failed one"
[ "$took" -le 15 ] || fail "alpha's start took $took s"
wait_until 10 bash -c "[ \$(grep -c '\"/hang\"' '$T/received.log') -ge 1 ]"
pass "a hanging receiver delays no job (the next started $((started_at - failed_at)) s later, took $took s)"

flaky_delivered() { [ "$(received /flaky job_failed)" -ge 2 ] && [ "$(json_get "$(api GET "/api/v1/webhooks/$flaky")" 'j["webhook"]["last_status"]')" = 204 ]; }
wait_until 30 flaky_delivered
assert_eq 2 "$(received /flaky job_failed)" "tries of the failed job's webhook"
line=$(grep '"/flaky"' "$T/received.log" | head -1)
assert_eq "application/json" "$(json_get "$line" 'j["type"]')" "content type"
assert_eq start "$(json_get "$line" 'j["body"]["job"]["type"]')" "the job in the payload"
assert_eq doomed "$(json_get "$line" 'j["body"]["server"]["name"]')" "the server in the payload"
hang_line=$(grep '"/hang"' "$T/received.log" | head -1)
assert_contains "$(json_get "$hang_line" 'j["body"]["content"]')" "start job $failing_job failed on server doomed"
pass "a failed job's webhook is delivered after a 500 (retried), in both shapes"

# kill -9 of the game server: a crash in the history and a webhook.
srcds_pid() { pgrep -f "fake-srcds.*hostport $game_port" | head -1; }
kill -9 "$(srcds_pid)"
has_event() { [ "$(json_get "$(api GET "/api/v1/servers/$alpha/events")" "len([e for e in j['events'] if e['kind'] == '$1'])")" -ge 1 ]; }
wait_until 20 has_event crash
wait_until 20 bash -c "[ \$(python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)[\"body\"].get(\"event\") == \"crash\" and json.loads(l)[\"path\"] == \"/flaky\"))' '$T/received.log') -ge 1 ]"
events=$(api GET "/api/v1/servers/$alpha/events")
assert_eq crash "$(json_get "$events" 'j["events"][0]["kind"]')" "the newest event"
assert_eq started "$(json_get "$events" 'j["events"][-1]["kind"]')" "the first event"
assert_eq "$start_job" "$(json_get "$events" 'j["events"][-1]["job_id"]')" "the start's job"
assert_contains "$(json_get "$events" 'j["events"][0]["reason"]')" "SIGKILL"
page=$(curl -s -b "$T/jar" "$base/servers/$alpha")
assert_contains "$page" 'id="events-title">History'
assert_contains "$page" '<span class="state bad">crash</span>'
pass "kill -9 of fake-srcds: a crash in the history (page and API) and a webhook"

# Crash until the supervisor gives up: a failed event and a webhook.
host_failed() {
  [ "$(json_get "$(ctl status "$instance" --json)" 'j["state"]')" = failed ] && return 0
  local pid; pid=$(srcds_pid)
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
  return 1
}
wait_until 60 host_failed
wait_until 20 has_event failed
wait_until 20 bash -c "grep '\"/flaky\"' '$T/received.log' | grep -q '\"event\": \"failed\"'"
pass "a server that ends failed: an event and a webhook"

# The test button's API, and the counters.
assert_eq true "$(json_get "$(api POST "/api/v1/webhooks/$flaky/test")" 'j["queued"]')" "test queued"
wait_until 20 bash -c "grep '\"/flaky\"' '$T/received.log' | grep -q '\"event\": \"test\"'"
metrics=$(curl -s "$base/metrics")
delivered=$(echo "$metrics" | sed -n 's/^left4me_webhook_deliveries_total //p')
[ "${delivered:-0}" -ge 3 ] || fail "left4me_webhook_deliveries_total is '$delivered'"
pass "the test message, and the delivery counter ($delivered)"
