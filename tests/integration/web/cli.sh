#!/usr/bin/env bash
# l4d2web's commands and its embedded default: the README's run command leads to a working login.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

port=$(free_port)
base="http://127.0.0.1:$port"
web_start "$T/run" "$port" JOB_WORKER_ENABLED=false  # jobs stay queued: their log streams stay open

# With no user the console shows a one-time setup link, and nothing else gets in.
# (printed once the app is ready, which can be a moment after /health answers)
wait_until 10 grep -q "setup?token=" "$T/run/out"
link=$(grep -o "http://[^ ]*/setup?token=[A-Za-z0-9_-]*" "$T/run/out")
[ -n "$link" ] || fail "no setup link printed: $(cat "$T/run/out")"
page=$(curl -sf "$link")
assert_contains "$page" "Create the first administrator"
assert_contains "$(curl -s -o /dev/null -w '%{http_code}' "$base/setup?token=guess")" "404"
assert_contains "$(curl -sf "$base/health")" '"status":"ok"'
headers=$(curl -sI "$base/login")
assert_contains "$headers" "frame-ancestors 'none'"
assert_contains "$headers" "X-Content-Type-Options: nosniff"
assert_not_contains "$(cat "$T/run/err")" "token="  # the access log never shows the setup token

# Submit the setup form like a browser: the CSRF cookie from the form page, then a redirect into the app.
jar="$T/jar"
form=$(curl -sf -c "$jar" "$link")
csrf=$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' <<<"$form")
token=${link##*token=}
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" -c "$jar" --data-urlencode "csrf_token=$csrf" \
  --data-urlencode "token=$token" --data-urlencode "name=admin" --data-urlencode "password=admin-password" "$base/setup")
assert_eq 303 "$code" "setup form"
assert_eq admin "$(json_get "$(curl -sf -b "$jar" "$base/api/v1/session")" 'j["user"]["name"]')" "user after setup"
assert_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" "$base/")" "dashboard after setup"
assert_eq 404 "$(curl -s -o /dev/null -w '%{http_code}' "$link")" "used setup link"
pass "setup link creates the first admin once"

# SIGTERM ends it cleanly: an open log stream is ended properly (curl sees the last chunk: exit 0).
session_csrf=$(json_get "$(curl -sf -b "$jar" "$base/api/v1/session")" 'j["csrf_token"]')
job=$(json_get "$(curl -sf -b "$jar" -H "X-CSRF-Token: $session_csrf" -X POST "$base/api/v1/install")" 'j["job"]["id"]')
curl -sN --max-time 30 -D "$T/stream.headers" -b "$jar" "$base/api/v1/jobs/$job/log" >"$T/stream" & viewer=$!
on_exit "kill $viewer 2>/dev/null"
wait_until 10 grep -q "text/event-stream" "$T/stream.headers"
kill -TERM "$WEB_PID"
wait_until 10 bash -c "! kill -0 $WEB_PID 2>/dev/null"
set +e; wait "$WEB_PID"; status=$?; wait "$viewer"; viewer_status=$?; set -e
assert_eq 0 "$status" "exit status after SIGTERM"
assert_eq 0 "$viewer_status" "curl's exit status for the log stream ended by SIGTERM"
assert_contains "$(cat "$T/run/err")" "stopped"
pass "SIGTERM shuts down cleanly, ending open streams"

# Started again with a user: it says where to log in; the database survived.
web_start "$T/run" "$port"
wait_until 10 grep -q "Log in at $base/login" "$T/run/out"
csrf=$(api_login "$base" admin admin-password "$T/jar2")
[ -n "$csrf" ] || fail "login after restart"
kill -TERM "$WEB_PID"; wait "$WEB_PID" || true

# Admin commands on the same data directory.
cd "$T/run"
expect_exit 0 "$BIN_L4D2WEB" migrate
assert_contains "$OUT" "schema version"
expect_exit 2 "$BIN_L4D2WEB" create-user
expect_exit 2 "$BIN_L4D2WEB" create-user "bad name"
expect_exit 2 env LEFT4ME_ADMIN_PASSWORD=short "$BIN_L4D2WEB" create-user bob
assert_contains "$OUT" "at least 8 characters"
expect_exit 0 env LEFT4ME_ADMIN_PASSWORD=bob-password "$BIN_L4D2WEB" create-user bob --admin
expect_exit 1 env LEFT4ME_ADMIN_PASSWORD=bob-password "$BIN_L4D2WEB" create-user bob
assert_contains "$OUT" "already exists"
echo "piped-password" | "$BIN_L4D2WEB" create-user carol >/dev/null
expect_exit 0 "$BIN_L4D2WEB" integrity-check
expect_exit 0 "$BIN_L4D2WEB" backup "$T/copy.db"
expect_exit 1 "$BIN_L4D2WEB" backup "$T/copy.db"
assert_contains "$OUT" "already exists"
expect_exit 0 env DATABASE_URL="sqlite:///$T/copy.db" "$BIN_L4D2WEB" integrity-check
rows=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from users').fetchone()[0])" "$T/copy.db")
assert_eq 3 "$rows" "users in the backup"
expect_exit 2 "$BIN_L4D2WEB" frobnicate
expect_exit 2 env JOB_WORKER_THREADS=0 "$BIN_L4D2WEB" serve
assert_contains "$OUT" "JOB_WORKER_THREADS"
expect_exit 2 env DATABASE_URL=postgres://x "$BIN_L4D2WEB" migrate
pass "migrate, create-user, integrity-check and backup"

# A corrupted database fails the integrity check.
cp "$T/copy.db" "$T/bad.db"
python3 - "$T/bad.db" <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(4096); f.write(b"\x0d\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff")
PY
set +e; out=$(env DATABASE_URL="sqlite:///$T/bad.db" "$BIN_L4D2WEB" integrity-check 2>&1); status=$?; set -e
[ "$status" -ne 0 ] || fail "integrity-check passed a corrupted database: $out"
pass "integrity-check catches corruption"
