#!/usr/bin/env bash
# One request must not kill l4d2web: bodies nested 200,000 levels deep (a JSON body, a form's spec text, a
# spec_yaml) are refused with a clear error, and the app keeps serving. Before the depth limit the JSON
# body overflowed the handler thread's stack and the whole process died.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

port=$(free_port)
base="http://127.0.0.1:$port"
mkdir -p "$T/run"
(cd "$T/run" && LEFT4ME_ADMIN_PASSWORD=user-password "$BIN_L4D2WEB" create-user someone >/dev/null)
web_start "$T/run" "$port" JOB_WORKER_ENABLED=false
csrf=$(api_login "$base" someone user-password "$T/jar")

depth=200000
python3 - "$T" "$depth" <<'PY'
import sys
out, depth = sys.argv[1], int(sys.argv[2])
deep = "[" * depth + "]" * depth
with open(f"{out}/deep.json", "w") as f:
    f.write('{"name":"deep","spec":' + deep + "}")
with open(f"{out}/deep.form", "w") as f:
    # An object, so that it reaches the spec check; no escapes, or it would pass 1 MiB.
    f.write("name=deep&spec=" + '{"a":' * (depth // 2) + "1" + "}" * (depth // 2))
with open(f"{out}/deep_yaml.json", "w") as f:
    f.write('{"name":"deep","spec_yaml":"map: ' + deep + '"}')
with open(f"{out}/deep_map_yaml.json", "w") as f:
    f.write('{"name":"deep","spec_yaml":"cvars: ' + "{a: " * depth + "1" + "}" * depth + '"}')
PY

# post FILE CONTENT-TYPE: status and body of a blueprint create with that body, "000" if the connection died.
post() {
  curl -s --max-time 30 -o "$T/reply" -w '%{http_code}' -b "$T/jar" -H "X-CSRF-Token: $csrf" \
    -H "Content-Type: $2" --data-binary "@$1" "$base/api/v1/blueprints" || true
}
alive() {
  kill -0 "$WEB_PID" 2>/dev/null || fail "l4d2web died after $1 (stderr: $(tail -5 "$T/run/err"))"
  assert_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$base/health")" "health after $1"
}

code=$(post "$T/deep.json" application/json)
alive "a JSON body nested $depth deep"
assert_eq 400 "$code" "status of the deep JSON body"
assert_contains "$(cat "$T/reply")" "body: JSON nested deeper than 64 levels"
pass "a deeply nested JSON body is refused with 400"

code=$(post "$T/deep.form" application/x-www-form-urlencoded)
alive "a form whose spec is nested $((depth / 2)) deep"
assert_eq 422 "$code" "status of the deep form spec"
assert_contains "$(cat "$T/reply")" "spec: JSON nested deeper than 64 levels"
pass "a deeply nested spec in a form is refused with 422"

for file in deep_yaml deep_map_yaml; do
  code=$(post "$T/$file.json" application/json)
  alive "$file ($depth deep)"
  assert_eq 422 "$code" "status of $file"
  assert_contains "$(cat "$T/reply")" "nested deeper than 64 levels"
done
pass "a deeply nested spec_yaml is refused with 422"

# Depth at the limit still works: 64 levels of body (the spec object is level 2).
python3 - "$T" <<'PY'
import sys
with open(f"{sys.argv[1]}/ok.json", "w") as f:
    f.write('{"name":"fine","spec":{"map":"c1m1_hotel"},"extra":' + "[" * 63 + "]" * 63 + "}")
PY
code=$(post "$T/ok.json" application/json)
assert_eq 201 "$code" "a body 64 levels deep: $(cat "$T/reply")"
pass "a body exactly at the limit is accepted"
