#!/usr/bin/env bash
# Regression (issue 11, item 6): a user who named a web server like an instance made with the CLI ("first",
# as docs/deploy.md has admins make) got that instance: its status, console, stop and delete. With the real
# l4d2web, l4d2ctl, fake-steamcmd and fake-srcds: the CLI instance stays running and untouched; a server whose
# derived instance name is taken on the host refuses to start and changes nothing; an admin adopts the CLI
# instance explicitly, and only then does the panel show, stop and delete it.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

for binary in "$BIN_L4D2CTL" "$BIN_FAKE_SRCDS" "$BIN_FAKE_STEAMCMD" "$BIN_L4D2WEB"; do
  [ -x "$binary" ] || { echo "skip: $binary is not built"; exit 77; }
done

web_port=$(free_port)
cli_port=$(free_port)
range_start=$(free_port)
base="http://127.0.0.1:$web_port"
root="$T/run/data/root"
ctl() { LEFT4ME_ROOT="$root" LEFT4ME_SUPERVISOR=builtin LEFT4ME_HOST_ENV="$T/host.env" "$BIN_L4D2CTL" "$@"; }
on_exit "kill_supervisors_under '$root'; unmount_all_under '$root'"
mkdir -p "$root"; : >"$T/host.env"

# The admin's own instance, made with the CLI as docs/deploy.md shows.
LEFT4ME_STEAMCMD="$BIN_FAKE_STEAMCMD" FAKE_SRCDS="$BIN_FAKE_SRCDS" FAKE_STEAMCMD_FILES=4 ctl install --json \
  >"$T/install.log" 2>&1 || { cat "$T/install.log"; fail "l4d2ctl install failed"; }
write_spec "$T/first.yaml" "$cli_port"
ctl initialize first -f "$T/first.yaml" >/dev/null
ctl start first --wait --timeout 30 >/dev/null
cli_pid=$(json_get "$(ctl status first --json)" 'j["pid"]')
# first_untouched: the CLI instance runs as before, with the same process and its own port.
first_untouched() {
  local status
  status=$(ctl status first --json) || fail "the CLI instance 'first' is gone: $status"
  assert_eq running "$(json_get "$status" 'j["state"]')" "state of the CLI instance"
  assert_eq "$cli_pid" "$(json_get "$status" 'j["pid"]')" "pid of the CLI instance"
  assert_eq "$cli_port" "$(json_get "$status" 'j["port"]')" "port of the CLI instance"
}

(cd "$T/run" && LEFT4ME_ADMIN_PASSWORD=admin-password "$BIN_L4D2WEB" create-user admin --admin >/dev/null)
(cd "$T/run" && LEFT4ME_ADMIN_PASSWORD=mallory-password "$BIN_L4D2WEB" create-user mallory >/dev/null)
web_start "$T/run" "$web_port" L4D2CTL="$BIN_L4D2CTL" LEFT4ME_HOST_ENV="$T/host.env" \
  LEFT4ME_PORT_RANGE_START="$range_start" LEFT4ME_PORT_RANGE_END="$((range_start + 1))" LEFT4ME_STATUS_CACHE_MS=100
admin_csrf=$(api_login "$base" admin admin-password "$T/admin.jar")
mallory_csrf=$(api_login "$base" mallory mallory-password "$T/mallory.jar")
as() {  # as USER METHOD PATH [JSON]
  local jar="$T/$1.jar" csrf
  [ "$1" = admin ] && csrf=$admin_csrf || csrf=$mallory_csrf
  curl -s --max-time 30 -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -X "$2" ${4:+-d "$4"} \
    "$base$3"
}
job_state() { json_get "$(as mallory GET "/api/v1/jobs/$1")" 'j["job"]["state"]'; }
job_done() { local s; s=$(job_state "$1"); [ "$s" != queued ] && [ "$s" != running ]; }
run_job() {  # run_job METHOD PATH: queues a server job as mallory, waits for it, prints its id
  local job
  job=$(json_get "$(as mallory "$1" "$2")" 'j["job"]["id"]')
  wait_until 60 job_done "$job"
  echo "$job"
}

blueprint=$(json_get "$(as mallory POST /api/v1/blueprints '{"name":"base","spec":{"map":"c1m1_hotel"}}')" \
  'j["blueprint"]["id"]')

# The attack: a server named "first", then everything a user may do with it.
created=$(as mallory POST /api/v1/servers "{\"name\":\"first\",\"blueprint_id\":$blueprint}")
server=$(json_get "$created" 'j["server"]["id"]')
[ "$server" != null ] || fail "creating the server failed: $created"
sleep 0.5  # a status refresh or two
shown=$(as mallory GET "/api/v1/servers/$server")
assert_eq new "$(json_get "$shown" 'j["server"]["state"]')" "the server's state (not the CLI instance's)"
assert_eq null "$(json_get "$shown" 'j["server"]["live"]')" "the server's live data"
listed=$(as mallory GET /api/v1/servers)
assert_eq new "$(json_get "$listed" 'j["servers"][0]["state"]')" "the state in the list"
curl -s -N --max-time 3 -b "$T/mallory.jar" "$base/api/v1/servers/$server/logs" >"$T/console" || true
assert_not_contains "$(cat "$T/console")" "Host_NewGame" "the server's console (the CLI instance's map load)"
assert_contains "$(cat "$T/console")" "not been started" "the server's console"
pass "a server named like a CLI instance shows nothing of it"

job=$(run_job POST "/api/v1/servers/$server/stop")
assert_eq succeeded "$(job_state "$job")" "stop job"
first_untouched
job=$(run_job DELETE "/api/v1/servers/$server")
assert_eq succeeded "$(job_state "$job")" "delete job"
first_untouched
assert_eq 404 "$(curl -s -o /dev/null -w '%{http_code}' -b "$T/mallory.jar" "$base/api/v1/servers/$server")" \
  "the deleted record"
pass "stopping and deleting that server leaves the CLI instance running and untouched"

# A derived instance name that the host has already (a CLI instance, or one left by a lost database).
created=$(as mallory POST /api/v1/servers "{\"name\":\"alpha\",\"blueprint_id\":$blueprint}")
server=$(json_get "$created" 'j["server"]["id"]')
instance=$(json_get "$created" 'j["server"]["instance"]')
assert_eq "web-$server" "$instance" "the derived instance name"
squatter_port=$(free_port)
write_spec "$T/squatter.yaml" "$squatter_port"
ctl initialize "$instance" -f "$T/squatter.yaml" >/dev/null
job=$(run_job POST "/api/v1/servers/$server/start")
assert_eq failed "$(job_state "$job")" "start of a server whose instance name is taken"
assert_contains "$(json_get "$(as mallory GET "/api/v1/jobs/$job")" 'j["job"]["reason"]')" \
  "instance '$instance' already exists on the host"
squatter=$(ctl status "$instance" --json)
assert_eq stopped "$(json_get "$squatter" 'j["state"]')" "the other instance's state"
assert_eq "$squatter_port" "$(json_get "$squatter" 'j["port"]')" "the other instance's port (not re-initialized)"
# Once the host has no such instance, the first start takes the name and runs.
ctl delete "$instance" >/dev/null
job=$(run_job POST "/api/v1/servers/$server/start")
assert_eq succeeded "$(job_state "$job")" "start once the name is free"
assert_eq "$range_start" "$(json_get "$(ctl status "$instance" --json)" 'j["port"]')" "the server's port"
job=$(run_job DELETE "/api/v1/servers/$server")
assert_eq succeeded "$(job_state "$job")" "delete of a started server"
expect_exit 3 ctl status "$instance"
first_untouched
pass "a first start refuses an instance name the host has, and takes a free one"

# Adoption: admins only, explicit; then the panel manages it like its own.
assert_eq 403 "$(curl -s -o /dev/null -w '%{http_code}' -b "$T/mallory.jar" "$base/api/v1/servers/adoptable")" \
  "adoptable instances for a user"
adoptable=$(as admin GET /api/v1/servers/adoptable)
assert_eq '["first"]' "$(json_get "$adoptable" '[i["instance"] for i in j["instances"]]')" "adoptable instances"
mallory_id=$(json_get "$(as mallory GET /api/v1/session)" 'j["user"]["id"]')
adopted=$(as admin POST /api/v1/servers/adopt \
  "{\"instance\":\"first\",\"name\":\"cli-first\",\"owner_id\":$mallory_id,\"blueprint_id\":$blueprint}")
server=$(json_get "$adopted" 'j["server"]["id"]')
assert_eq first "$(json_get "$adopted" 'j["server"]["instance"]')" "the adopted server's instance"
first_untouched
wait_until 10 bash -c "curl -s -b '$T/mallory.jar' '$base/api/v1/servers/$server' | grep -q '\"state\":\"running\"'"
job=$(run_job POST "/api/v1/servers/$server/stop")
assert_eq succeeded "$(job_state "$job")" "stop of the adopted server"
assert_eq stopped "$(json_get "$(ctl status first --json)" 'j["state"]')" "the adopted instance after the web's stop"
job=$(run_job DELETE "/api/v1/servers/$server")
assert_eq succeeded "$(job_state "$job")" "delete of the adopted server"
expect_exit 3 ctl status first
pass "an admin adopts the CLI instance; then the panel shows, stops and deletes it"
