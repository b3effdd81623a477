#!/usr/bin/env bash
# fake-steamcmd failure modes: each prints the real line and exits with the real code.
. "$(dirname "$0")/../lib.sh"
export FAKE_STEAMCMD_HOME=$T/steam FAKE_SRCDS=/bin/true FAKE_STEAMCMD_BYTES=$((1 << 20))
D=$T/install
windows_install() {
  expect_exit "$1" "$BIN_FAKE_STEAMCMD" +force_install_dir "$D" +login anonymous \
    +@sSteamCmdForcePlatformType windows +app_update 222860 +quit
}

FAKE_STEAMCMD_FAIL=disk_full windows_install 8
assert_contains "$OUT" " Update state (0x11) preallocating, progress: "
assert_contains "$OUT" "Error! App '222860' state is 0x202 after update job."
assert_not_contains "$OUT" "Success!"
pass "disk_full: 0x202, exit 8"

FAKE_STEAMCMD_FAIL=timeout windows_install 1
assert_contains "$OUT" "ERROR! Timed out waiting for AppInfo update."
pass "timeout: exit 1"

FAKE_STEAMCMD_FAIL=login windows_install 5
assert_contains "$OUT" "Connecting anonymously to Steam Public...FAILED (Rate Limit Exceeded)"
assert_not_contains "$OUT" "Update state"
pass "login: exit 5"

expect_exit 5 "$BIN_FAKE_STEAMCMD" +force_install_dir "$D" +login someone secret +app_update 222860 +quit
assert_contains "$OUT" "Logging in user 'someone' to Steam Public...FAILED (Invalid Password)"
pass "a non-anonymous login fails: exit 5"

FAKE_STEAMCMD_FAIL=no_connection windows_install 8
assert_contains "$OUT" " Update state (0x61) downloading, progress: "
assert_contains "$OUT" "Error! App '222860' state is 0x602 after update job."
pass "no_connection: 0x602, exit 8"

FAKE_STEAMCMD_FAIL=no_subscription windows_install 8
assert_contains "$OUT" "ERROR! Failed to install app '222860' (No subscription)"
expect_exit 8 "$BIN_FAKE_STEAMCMD" +login anonymous +app_update 740 +quit
assert_contains "$OUT" "ERROR! Failed to install app '740' (No subscription)"
pass "no subscription: exit 8"

# missing_config fails every time, even on a client directory that is already set up.
for attempt in 1 2; do
  FAKE_STEAMCMD_FAIL=missing_config windows_install 8
  assert_contains "$OUT" "ERROR! Failed to install app '222860' (Missing configuration)"
done
pass "missing_config: always, exit 8"

# Never logged on.
expect_exit 8 "$BIN_FAKE_STEAMCMD" +force_install_dir "$D" +app_update 222860 +quit
assert_contains "$OUT" "ERROR! Not logged on."
pass "app_update without login"

# The failure is sticky, later commands still run, and the last line lost its newline in glitch mode.
FAKE_STEAMCMD_GLITCH=1 FAKE_STEAMCMD_FAIL=disk_full windows_install 8
assert_contains "$OUT" "Error! App '222860' state is 0x202 after update job.Unloading Steam API...OK"
pass "glitch: a result line without its newline"

# Comma decimals, as under a non-English locale.
FAKE_STEAMCMD_DECIMAL=, windows_install 0
assert_contains "$OUT" " Update state (0x61) downloading, progress: 100,00 ("
pass "comma decimals"

# Bad settings of the fake itself are refused before it pretends anything.
FAKE_STEAMCMD_FAIL=bogus windows_install 2
assert_contains "$OUT" "FAKE_STEAMCMD_FAIL: unknown mode 'bogus'"
FAKE_STEAMCMD_BYTES=lots windows_install 2
assert_contains "$OUT" "FAKE_STEAMCMD_BYTES: expected a whole number"
pass "bad fake settings"
