#!/usr/bin/env bash
# fake-steamcmd and game builds: app_info_print announces FAKE_STEAMCMD_BUILDID (no download), a new
# build rewrites changed files in place (the unknown case of real steamcmd that hard links would not
# survive: docs/design.md, "Game builds"), FAKE_STEAMCMD_VERSION sets steam.inf's PatchVersion, FAKE_STEAMCMD_UPDATE_PERCENT how much an update
# changes.
. "$(dirname "$0")/../lib.sh"
export FAKE_STEAMCMD_HOME=$T/steam FAKE_SRCDS=/bin/true FAKE_STEAMCMD_FILES=8 FAKE_STEAMCMD_BYTES=$((1 << 20))
D=$T/install
steamcmd() { expect_exit "$1" "$BIN_FAKE_STEAMCMD" +force_install_dir "$D" +login anonymous "${@:2}" +quit; }

FAKE_STEAMCMD_BUILDID=17000001 expect_exit 0 "$BIN_FAKE_STEAMCMD" +login anonymous +app_info_update 1 \
  +app_info_print 222860 +quit
assert_contains "$OUT" $'"222860"\n{\n\t"common"'
assert_contains "$OUT" $'\t\t\t"public"\n\t\t\t{\n\t\t\t\t"buildid"\t\t"17000001"'
[ ! -e "$D" ] || fail "app_info_print downloaded something"
expect_exit 8 "$BIN_FAKE_STEAMCMD" +app_info_print 222860 +quit
assert_contains "$OUT" "ERROR! Not logged on."
FAKE_STEAMCMD_FAIL=timeout expect_exit 1 "$BIN_FAKE_STEAMCMD" +login anonymous +app_info_print 222860 +quit
assert_contains "$OUT" "ERROR! Timed out waiting for AppInfo update."
pass "app_info_print: the public build id, no download"

steamcmd 0 +@sSteamCmdForcePlatformType windows +app_update 222860
steamcmd 0 +@sSteamCmdForcePlatformType linux +app_update 222860 validate
assert_contains "$(cat "$D/left4dead2/steam.inf")" "PatchVersion=2.2.4.3"
inode_before=$(stat -c %i "$D/left4dead2/steam.inf")
map_before=$(stat -c %i "$D/left4dead2/maps/c1m1_hotel.bsp")
FAKE_STEAMCMD_BUILDID=17000001 FAKE_STEAMCMD_VERSION=2.2.4.4 steamcmd 0 +app_update 222860
assert_contains "$OUT" " Update state (0x61) downloading"
assert_contains "$(cat "$D/left4dead2/steam.inf")" "PatchVersion=2.2.4.4"
assert_contains "$(cat "$D/steamapps/appmanifest_222860.acf")" $'"buildid"\t\t"17000001"'
assert_eq "$inode_before" "$(stat -c %i "$D/left4dead2/steam.inf")" "steam.inf's inode after an update"
assert_eq "$map_before" "$(stat -c %i "$D/left4dead2/maps/c1m1_hotel.bsp")" "a map's inode after an update"
pass "a new build rewrites files in place"

# FAKE_STEAMCMD_UPDATE_PERCENT: an update changes that share of the data files (and every text file). The
# tree has 8 content files plus the binaries; at 50 % every other data file is rewritten.
changed_since() { find "$D" -type f -newer "$1" ! -path "*/steamapps/*" | wc -l; }
data_files=$(find "$D" -type f -size +4k | wc -l)
touch "$T/mark"; sleep 1.1
FAKE_STEAMCMD_BUILDID=17000002 FAKE_STEAMCMD_UPDATE_PERCENT=1 steamcmd 0 +app_update 222860
one=$(find "$D" -type f -size +4k -newer "$T/mark" | wc -l)
[ "$one" -le 1 ] || fail "1 % of $data_files data files rewrote $one"
assert_contains "$(cat "$D/left4dead2/steam.inf")" "PatchVersion" # text files are rewritten
[ "$(find "$D/left4dead2/steam.inf" -newer "$T/mark" | wc -l)" = 1 ] || fail "steam.inf was not rewritten"
touch "$T/mark"; sleep 1.1
FAKE_STEAMCMD_BUILDID=17000003 steamcmd 0 +app_update 222860
assert_eq "$data_files" "$(find "$D" -type f -size +4k -newer "$T/mark" | wc -l)" "data files rewritten at 100 %"
FAKE_STEAMCMD_UPDATE_PERCENT=101 expect_exit 2 "$BIN_FAKE_STEAMCMD" +quit
pass "an update rewrites FAKE_STEAMCMD_UPDATE_PERCENT of the data files"

# FAKE_STEAMCMD_DENSE=1: data files hold their bytes (a disk-use benchmark needs them); by default, holes.
blocks_used() { find "$1" -type f -size +4k -printf '%b\n' | awk '{ s += $1 } END { print s * 512 }'; }
apparent() { find "$1" -type f -size +4k -printf '%s\n' | awk '{ s += $1 } END { print s }'; }
[ "$(blocks_used "$D")" -lt $(( $(apparent "$D") / 4 )) ] || fail "the default tree is not sparse"
rm -rf "$D"
FAKE_STEAMCMD_DENSE=1 steamcmd 0 +@sSteamCmdForcePlatformType windows +app_update 222860
FAKE_STEAMCMD_DENSE=1 steamcmd 0 +@sSteamCmdForcePlatformType linux +app_update 222860 validate
[ "$(blocks_used "$D")" -ge "$(apparent "$D")" ] || fail "a dense tree uses $(blocks_used "$D") of $(apparent "$D") bytes"
FAKE_STEAMCMD_DENSE=2 expect_exit 2 "$BIN_FAKE_STEAMCMD" +quit
pass "FAKE_STEAMCMD_DENSE writes the data files' bytes"

FAKE_STEAMCMD_BUILDID=12x expect_exit 2 "$BIN_FAKE_STEAMCMD" +quit
assert_contains "$OUT" "FAKE_STEAMCMD_BUILDID: expected 1 to 20 decimal digits, got '12x'"
FAKE_STEAMCMD_VERSION='2;x' expect_exit 2 "$BIN_FAKE_STEAMCMD" +quit
assert_contains "$OUT" "FAKE_STEAMCMD_VERSION: expected a version like 2.2.4.3"
pass "bad build knobs are refused"
