#!/usr/bin/env bash
# Two-factor sign-in end to end in headless Chromium (tests/browser/two_factor.test.js) against the real
# l4d2web: set up from the account page with the key read off the page, log out, log in with a code.
# Screenshots go to $LEFT4ME_BUILD/screenshots-two-factor.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

for binary in "$BIN_L4D2CTL" "$BIN_L4D2WEB"; do
  [ -x "$binary" ] || fail "$binary is not built"
done
[ -x /usr/bin/chromium ] || { echo "skip: /usr/bin/chromium is missing (run scripts/setup)"; exit 77; }
[ -d "$LEFT4ME_SOURCE/node_modules/playwright-core" ] || { echo "skip: run scripts/setup (npm ci)"; exit 77; }

web_port=$(free_port)
base="http://127.0.0.1:$web_port"
mkdir -p "$T/run"; : >"$T/host.env"
(cd "$T/run" && LEFT4ME_ADMIN_PASSWORD=admin-password "$BIN_L4D2WEB" create-user admin --admin >/dev/null)
web_start "$T/run" "$web_port" L4D2CTL="$BIN_L4D2CTL" LEFT4ME_HOST_ENV="$T/host.env"

shots="$LEFT4ME_BUILD/screenshots-two-factor"
rm -rf "$shots"
status=0
BASE_URL="$base" SHOTS="$shots" PROFILE="$T/chromium-profile" ADMIN_PASSWORD=admin-password \
  node "$LEFT4ME_SOURCE/tests/browser/two_factor.test.js" || status=$?
if [ $status -ne 0 ]; then
  echo "--- l4d2web stderr (last 40 lines)"; tail -n 40 "$T/run/err"
  fail "browser test failed (screenshots in $shots)"
fi
assert_not_contains "$(cat "$T/run/err")" "page template" "l4d2web's log"
# The key never reaches the log.
assert_not_contains "$(cat "$T/run/err")" "otpauth" "l4d2web's log"
pass "two-factor sign-in in Chromium: set up from the account page, log out, log in with a code"
