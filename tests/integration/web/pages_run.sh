#!/usr/bin/env bash
# The README's run command (scripts/run, with the build it would make given as LEFT4ME_BUILD) prints a URL;
# opening it in Chromium shows the first-administrator form, and once a user exists the login page.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"
unset LEFT4ME_WEB_ENV  # exactly what a newcomer has: nothing configured (no /etc/left4me/web.env here)
[ ! -e /etc/left4me/web.env ] || { echo "skip: /etc/left4me/web.env exists on this machine"; exit 77; }
for binary in "$BIN_L4D2WEB" "$BIN_L4D2CTL"; do
  [ -x "$binary" ] || fail "$binary is not built"
done
[ -x /usr/bin/chromium ] || { echo "skip: /usr/bin/chromium is missing (run scripts/setup)"; exit 77; }

shots="$LEFT4ME_BUILD/screenshots"
mkdir -p "$shots"
port=$(free_port)
run_web() {  # starts scripts/run in the background with its output in $T/run.out; sets RUN_PID
  rm -f "$T/run.out"
  (LEFT4ME_RUN_SKIP_BUILD=1 LEFT4ME_WEB_DATA="$T/data" LEFT4ME_WEB_LISTEN="127.0.0.1:$port" \
     exec "$LEFT4ME_SOURCE/scripts/run" >"$T/run.out" 2>"$T/run.err") &
  RUN_PID=$!
  on_exit "kill -9 $RUN_PID 2>/dev/null"
  wait_until 20 grep -q "http://127.0.0.1:$port/" "$T/run.out"
}
printed_url() { grep -o "http://127.0.0.1:$port/[^ ]*" "$T/run.out" | head -n 1; }
open_url() {  # open_url URL HEADING SCREENSHOT
  node "$LEFT4ME_SOURCE/tests/browser/open_url.test.js" "$1" "$2" "$shots/$3" "$T/profile-$3" ||
    fail "opening $1 did not show '$2'"
}

run_web
url=$(printed_url)
assert_contains "$url" "/setup?token=" "the URL printed with no user"
open_url "$url" "Create the first administrator" run-setup.png
kill "$RUN_PID"; wait "$RUN_PID" 2>/dev/null || true
pass "with no user, the printed URL opens the first-administrator form"

(LEFT4ME_WEB_DATA="$T/data" LEFT4ME_ADMIN_PASSWORD=admin-password "$BIN_L4D2WEB" create-user admin --admin >/dev/null)
run_web
url=$(printed_url)
assert_eq "http://127.0.0.1:$port/login" "$url" "the URL printed once a user exists"
open_url "$url" "Log in" run-login.png
pass "the README's run command prints a URL that shows the login page"
