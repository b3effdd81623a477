#!/usr/bin/env bash
# fake-steamcmd install behaviour: the Nov 2024 platform refusal and its workaround, the tree it
# writes (shape, configurable sparse size), updates, validate, and Missing configuration after its
# client directory is thrown away.
. "$(dirname "$0")/../lib.sh"
export FAKE_STEAMCMD_HOME=$T/steam FAKE_SRCDS=/bin/true
export FAKE_STEAMCMD_FILES=70 FAKE_STEAMCMD_BYTES=$((1 << 30))
D=$T/install
steamcmd() { expect_exit "$1" "$BIN_FAKE_STEAMCMD" +force_install_dir "$D" +login anonymous "${@:2}" +quit; }

# A plain anonymous Linux install on a fresh directory is refused, and writes nothing.
steamcmd 8 +app_update 222860
assert_contains "$OUT" "Redirecting stderr to '$T/steam/logs/stderr.txt'"
assert_contains "$OUT" "Steam Console Client (c) Valve Corporation"
assert_contains "$OUT" $'Connecting anonymously to Steam Public...OK\nWaiting for client config...OK\nWaiting for user info...OK'
assert_contains "$OUT" "ERROR! Failed to install app '222860' (Invalid platform)"
[ ! -e "$D/steamapps/appmanifest_222860.acf" ] || fail "a refused install wrote a manifest"
pass "fresh linux install: Invalid platform, exit 8"

# Windows platform first: the content and Windows binaries, no srcds_run.
steamcmd 0 +@sSteamCmdForcePlatformType windows +app_update 222860
assert_contains "$OUT" '"@sSteamCmdForcePlatformType" = "windows"'
assert_contains "$OUT" " Update state (0x61) downloading, progress: 100.00 ("
assert_contains "$OUT" "Success! App '222860' fully installed."
[ -f "$D/srcds.exe" ] && [ ! -e "$D/srcds_run" ] || fail "windows step: wrong binaries"
pass "windows platform download"

# Then Linux validate: verifies, fetches the Linux binaries only, drops the Windows ones.
steamcmd 0 +@sSteamCmdForcePlatformType linux +app_update 222860 validate
assert_contains "$OUT" " Update state (0x5) verifying install, progress: "
assert_contains "$OUT" "Success! App '222860' fully installed."
[ -x "$D/srcds_run" ] && [ -x "$D/srcds_linux" ] && [ ! -e "$D/srcds.exe" ] || fail "linux step: wrong binaries"
for path in bin left4dead2/cfg left4dead2/addons; do [ -d "$D/$path" ] || fail "missing directory $path"; done
[ -f "$D/left4dead2/maps/c1m1_hotel.bsp" ] && [ -f "$D/left4dead2/maps/c14m1_junkyard.bsp" ] || fail "maps missing"
[ ! -e "$D/left4dead2/cfg/server.cfg" ] || fail "a stock install has no server.cfg"
assert_contains "$(cat "$D/steamapps/appmanifest_222860.acf")" $'"buildid"\t\t"16034045"'
assert_eq "BSP" "$(head -c 4 "$D/left4dead2/maps/c1m1_hotel.bsp" | tail -c 3)" "bsp magic"
pass "linux validate after windows: a Linux tree"

# Size and count are what was asked, as sparse files.
content=$(find "$D/left4dead2" -type f \( -name '*.bsp' -o -name 'pak01_*.vpk' \) | wc -l)
assert_eq 70 "$content" "content files"
apparent=$(find "$D" -type f -name '*.bsp' -o -type f -name '*.vpk' -o -type f -path '*/bin/*' | xargs stat -c %s | awk '{ sum += $1 } END { print sum }')
assert_eq $((1 << 30)) "$apparent" "bytes of content and binaries"
used_kib=$(du -sk "$D" | cut -f1)
[ "$used_kib" -lt 10240 ] || fail "the install should be sparse, uses ${used_kib} KiB"
pass "70 files, 1 GiB apparent, ${used_kib} KiB on disk"

# Later plain Linux updates of the existing install work.
steamcmd 0 +app_update 222860
assert_contains "$OUT" "Success! App '222860' already up to date."
assert_not_contains "$OUT" "Update state"
pass "plain linux update of an existing install"

# A new build is downloaded by a plain update.
FAKE_STEAMCMD_BUILDID=16100000 steamcmd 0 +app_update 222860
assert_contains "$OUT" " Update state (0x61) downloading"
assert_contains "$OUT" "Success! App '222860' fully installed."
assert_contains "$(cat "$D/steamapps/appmanifest_222860.acf")" $'"buildid"\t\t"16100000"'
export FAKE_STEAMCMD_BUILDID=16100000
pass "new build downloaded"

# validate repairs a deleted file.
rm "$D/left4dead2/maps/c2m1_highway.bsp"
steamcmd 0 +app_update 222860 validate
[ -f "$D/left4dead2/maps/c2m1_highway.bsp" ] || fail "validate did not restore the map"
pass "validate repairs"

# Throwing the client directory away: the next install fails once with Missing configuration.
rm -rf "$T/steam"
steamcmd 8 +app_update 222860
assert_contains "$OUT" "[----] Update complete, launching Steamcmd..."
assert_contains "$OUT" "ERROR! Failed to install app '222860' (Missing configuration)"
steamcmd 0 +app_update 222860
assert_contains "$OUT" "Success! App '222860' already up to date."
pass "Missing configuration once after the client directory was deleted, then success"

# force_install_dir after login: the real warning, then Missing configuration.
expect_exit 8 "$BIN_FAKE_STEAMCMD" +login anonymous +force_install_dir "$D" +app_update 222860 +quit
assert_contains "$OUT" "Please use force_install_dir before logon!"
assert_contains "$OUT" "ERROR! Failed to install app '222860' (Missing configuration)"
pass "force_install_dir after login"

# The workaround as one runscript on a fresh directory.
cat >"$T/workaround.txt" <<SCRIPT
// the Left4DevOps first-install sequence
force_install_dir "$T/other install"
login anonymous
@sSteamCmdForcePlatformType windows
app_update 222860
@sSteamCmdForcePlatformType linux
app_update 222860 validate
quit
SCRIPT
expect_exit 0 "$BIN_FAKE_STEAMCMD" +runscript "$T/workaround.txt"
[ "$(grep -c "Success! App '222860' fully installed." <<<"$OUT")" == 2 ] || fail "two successes expected: $OUT"
[ -x "$T/other install/srcds_run" ] || fail "runscript install has no srcds_run"
pass "runscript with the workaround"

# Without +quit it waits at its prompt for commands on stdin.
OUT=$("$BIN_FAKE_STEAMCMD" +force_install_dir "$D" +login anonymous <<<"app_update 222860")
assert_contains "$OUT" "Steam>Success! App '222860' already up to date."
pass "interactive prompt"
