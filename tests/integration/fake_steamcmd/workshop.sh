#!/usr/bin/env bash
# fake-steamcmd workshop downloads: a .vpk under steamapps/workshop/content/550/<id>/ and the real
# Success line; unknown items fail with the real error.
. "$(dirname "$0")/../lib.sh"
export FAKE_STEAMCMD_HOME=$T/steam FAKE_STEAMCMD_WORKSHOP_BYTES=5000 FAKE_STEAMCMD_WORKSHOP_MISSING=111,222
D=$T/root

expect_exit 0 "$BIN_FAKE_STEAMCMD" +force_install_dir "$D" +login anonymous +workshop_download_item 550 2306920249 +quit
assert_contains "$OUT" "Downloading item 2306920249 ..."
assert_contains "$OUT" "Success. Downloaded item 2306920249 to \"$D/steamapps/workshop/content/550/2306920249\" (5000 bytes)"
vpk=$(find "$D/steamapps/workshop/content/550/2306920249" -name '*.vpk')
[ -n "$vpk" ] || fail "no .vpk downloaded"
assert_eq 5000 "$(stat -c %s "$vpk")" "vpk size"
assert_eq 5000 "$(($(du -k "$vpk" | cut -f1) * 1024 >= 4096 ? 5000 : 0))" "vpk holds real bytes"
assert_contains "$(cat "$D/steamapps/workshop/appworkshop_550.acf")" '"2306920249"'
pass "download"

expect_exit 8 "$BIN_FAKE_STEAMCMD" +force_install_dir "$D" +login anonymous +workshop_download_item 550 222 +quit
assert_contains "$OUT" "ERROR! Download item 222 failed (Failure)."
[ ! -e "$D/steamapps/workshop/content/550/222" ] || fail "a failed item left files"
pass "unknown item"

# Several items in one run; one failing does not stop the others.
expect_exit 8 "$BIN_FAKE_STEAMCMD" +force_install_dir "$D" +login anonymous +workshop_download_item 550 111 \
  +workshop_download_item 550 333 +quit
assert_contains "$OUT" "ERROR! Download item 111 failed (Failure)."
assert_contains "$OUT" "Success. Downloaded item 333 to"
pass "several items"

FAKE_STEAMCMD_FAIL=no_connection expect_exit 8 "$BIN_FAKE_STEAMCMD" +login anonymous +workshop_download_item 550 444 +quit
assert_contains "$OUT" "ERROR! Download item 444 failed (No Connection)."
pass "no connection"

# Like the real one: files deleted but still recorded in appworkshop_550.acf count as installed.
rm -rf "$D/steamapps/workshop/content/550/2306920249"
expect_exit 0 "$BIN_FAKE_STEAMCMD" +force_install_dir "$D" +login anonymous +workshop_download_item 550 2306920249 +quit
assert_contains "$OUT" "Success. Downloaded item 2306920249 to"
[ ! -e "$D/steamapps/workshop/content/550/2306920249" ] || fail "a recorded item was downloaded again"
pass "stale acf entry: Success without files"

# Without force_install_dir the item lands in the Steam client directory.
expect_exit 0 "$BIN_FAKE_STEAMCMD" +login anonymous +workshop_download_item 550 555 +quit
[ -n "$(find "$T/steam/steamapps/workshop/content/550/555" -name '*.vpk')" ] || fail "no vpk under the client directory"
pass "default root"
