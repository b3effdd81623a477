#!/usr/bin/env bash
# Game builds side by side (issue 16): an update while three servers run changes no file they see, they
# move to the new build only at their next start, rollback with --use, --remove refuses builds in use,
# --check asks without downloading, a failed or interrupted update leaves the current build untouched and
# no half-made build behind, and a host with a single installation/ directory is migrated.
. "$(dirname "$0")/../lib.sh"
setup_host_root
A=16034045 B=17000001
installations=$LEFT4ME_ROOT/installations

# checksums DIR...: one line per regular file of each tree, sorted (the game tree as each server sees it).
checksums() {
  local dir
  for dir in "$@"; do (cd "$dir" && find . -type f ! -path './left4dead2/cfg/server.cfg' -print0 | sort -z |
    xargs -0 sha256sum); done
}
build_of() { expect_exit 0 "$BIN_L4D2CTL" status "$1" --json; json_get "$OUT" 'j["build"]["id"] if j["build"] else None'; }
current_of() { expect_exit 0 "$BIN_L4D2CTL" status "$1" --json; json_get "$OUT" 'j["build"]["current"]'; }

install_game
assert_eq "installations/$A" "$(readlink "$LEFT4ME_ROOT/installation")" "installation link after a first install"
done_line=$(tail -n 1 "$T/install.log")
assert_eq done "$(json_get "$done_line" 'j["phase"]')" "last install line"
assert_eq "$A" "$(json_get "$done_line" 'j["current"]["id"]')" "current build in install --json"
assert_eq 2.2.4.3 "$(json_get "$done_line" 'j["current"]["version"]')" "current version in install --json"
pass "a first install is installations/$A, named by installation"

for name in alpha beta gamma; do
  port=$(free_port)
  write_spec "$T/$name.yaml" "$port"
  expect_exit 0 "$BIN_L4D2CTL" initialize "$name" -f "$T/$name.yaml"
  expect_exit 0 "$BIN_L4D2CTL" start "$name" --wait --timeout 30
  assert_eq "$A" "$(build_of "$name")" "$name's build"
done
expect_exit 0 "$BIN_L4D2CTL" status alpha --json
assert_eq 2.2.4.3 "$(json_get "$OUT" 'j["build"]["version"]')" "alpha's version"
merged=("$LEFT4ME_ROOT"/runtime/{alpha,beta,gamma}/merged)
checksums "${merged[@]}" >"$T/before"
checksums "$installations/$A" >"$T/build-a"

# The update: a new build with a new steam.inf and manifest, written beside the running servers.
FAKE_STEAMCMD_BUILDID=$B FAKE_STEAMCMD_VERSION=2.2.4.4 expect_exit 0 "$BIN_L4D2CTL" install --json
done_line=$(tail -n 1 <<<"$OUT")
assert_eq "$B" "$(json_get "$done_line" 'j["current"]["id"]')" "current build after the update"
assert_eq "$A" "$(json_get "$done_line" 'j["previous"]')" "previous build"
assert_eq '["alpha", "beta", "gamma"]' "$(json_get "$done_line" '[b for b in j["builds"] if b["id"]=="'$A'"][0]["used_by"]')" \
  "servers on the old build"
assert_eq "$A" "$(json_get "$done_line" 'j["instances"]["beta"]["id"]')" "beta in install --json"
method=$(json_get "$done_line" 'j["copy"]["method"]')
[[ "$method" == reflink || "$method" == copy ]] || fail "copy method '$method'"
checksums "${merged[@]}" >"$T/after"
cmp -s "$T/before" "$T/after" || fail "the update changed files the running servers see: $(diff "$T/before" "$T/after" | head)"
checksums "$installations/$A" | cmp -s - "$T/build-a" || fail "the update wrote into build $A"
assert_eq "installations/$B" "$(readlink "$LEFT4ME_ROOT/installation")" "installation link after the update"
assert_contains "$(cat "$installations/$B/left4dead2/steam.inf")" "PatchVersion=2.2.4.4"
for name in alpha beta gamma; do
  assert_eq "$A" "$(build_of "$name")" "$name's build while running through the update"
  assert_eq false "$(current_of "$name")" "$name is on the current build"
done
pass "an update while three servers run changes no file they see ($method)"

# The next start moves a server to the new build; the others stay where they are.
expect_exit 0 "$BIN_L4D2CTL" restart alpha --wait --timeout 30
assert_eq "$B" "$(build_of alpha)" "alpha after its restart"
assert_eq true "$(current_of alpha)" "alpha is on the current build"
assert_contains "$(cat "$LEFT4ME_ROOT/runtime/alpha/merged/left4dead2/steam.inf")" "PatchVersion=2.2.4.4"
assert_eq "$A" "$(build_of beta)" "beta without a restart"
pass "a server moves to the new build at its next start"

# Builds in use or current stay.
expect_exit 2 "$BIN_L4D2CTL" install --remove "$A"
assert_contains "$OUT" "build $A is in use by beta, gamma"
expect_exit 2 "$BIN_L4D2CTL" install --remove "$B"
assert_contains "$OUT" "build $B is the current build"
expect_exit 3 "$BIN_L4D2CTL" install --remove 123
assert_contains "$OUT" "no installed build '123'"
[ -d "$installations/$A" ] && [ -d "$installations/$B" ] || fail "a refused --remove removed a build"
pass "--remove refuses the current build and builds in use"

# Rollback: the old build is current again, and a restarted server reports it.
expect_exit 0 "$BIN_L4D2CTL" install --use "$A" --json
assert_eq "$A" "$(json_get "$OUT" 'j["current"]["id"]')" "current build after --use"
expect_exit 0 "$BIN_L4D2CTL" restart alpha --wait --timeout 30
assert_eq "$A" "$(build_of alpha)" "alpha after the rollback and a restart"
expect_exit 0 "$BIN_L4D2CTL" status alpha --json
assert_eq 2.2.4.3 "$(json_get "$OUT" 'j["build"]["version"]')" "alpha's version after the rollback"
expect_exit 3 "$BIN_L4D2CTL" install --use 99999
assert_eq "installations/$A" "$(readlink "$LEFT4ME_ROOT/installation")" "a bad --use changes nothing"
expect_exit 0 "$BIN_L4D2CTL" install --remove "$B"
[ ! -e "$installations/$B" ] || fail "--remove left build $B"
pass "rollback with --use; an unused old build is removed"

# --check asks Steam without downloading anything.
FAKE_STEAMCMD_BUILDID=17000002 expect_exit 0 "$BIN_L4D2CTL" install --check --json
assert_eq '{"available": "17000002", "current": "'$A'", "update_available": true}' "$(json_get "$OUT" 'j')" "--check"
expect_exit 0 "$BIN_L4D2CTL" install --check --json
assert_eq false "$(json_get "$OUT" 'j["update_available"]')" "--check on the newest build"
[ ! -e "$installations/17000002" ] && [ ! -e "$installations/.staging" ] || fail "--check downloaded"
# The last check is kept for --list (the daily timer's result reaches the panel); a failed one says why.
expect_exit 0 "$BIN_L4D2CTL" install --list --json
assert_eq "$A false null" "$(json_get "$OUT" '" ".join(str(v).lower() if v is not None else "null" for v in (j["last_check"]["available"], j["last_check"]["update_available"], j["last_check"]["error"]))')" "--list's last_check"
LEFT4ME_STEAMCMD=/bin/false expect_exit 1 "$BIN_L4D2CTL" install --check --json
expect_exit 0 "$BIN_L4D2CTL" install --list --json
assert_eq null "$(json_get "$OUT" 'j["last_check"]["available"]')" "a failed check's available"
[ -n "$(json_get "$OUT" 'j["last_check"]["error"]')" ] || fail "a failed check records no error: $OUT"
# --list also says how much room the data root's filesystem has (the panel's hosts page shows it): the same
# filesystem size statvfs gives here, and free space in it (other writers may change it between the two reads).
assert_eq "$LEFT4ME_ROOT" "$(json_get "$OUT" 'j["disk"]["path"]')" "--list's disk path"
json_get "$OUT" '(lambda s, d: d["total_bytes"] == s.f_blocks * s.f_frsize and 0 < d["free_bytes"] <= d["total_bytes"] and abs(d["free_bytes"] - s.f_bavail * s.f_frsize) < (1 << 30))(__import__("os").statvfs(j["disk"]["path"]), j["disk"])' |
  grep -qx true || fail "--list's disk is not the data root's filesystem: $(json_get "$OUT" 'j["disk"]')"
FAKE_STEAMCMD_BUILDID=$A expect_exit 0 "$BIN_L4D2CTL" install --json
done_line=$(tail -n 1 <<<"$OUT")
assert_eq done "$(json_get "$done_line" 'j["phase"]')" "last line of an install that is up to date"
assert_eq true "$(json_get "$done_line" 'j["up_to_date"]')" "up_to_date when Steam has the current build"
assert_eq null "$(json_get "$done_line" 'j["copy"]')" "an install that is up to date copies nothing"
assert_not_contains "$OUT" '"phase":"downloading"' "an install that is up to date"
pass "--check, and an install with nothing new copies nothing"

# A failed update (the connection drops a third of the way in) and an interrupted one: the current build
# as it was, no half-made build left.
FAKE_STEAMCMD_BUILDID=17000003 FAKE_STEAMCMD_FAIL=no_connection expect_exit 1 "$BIN_L4D2CTL" install
assert_contains "$OUT" "lost its connection"
[ ! -e "$installations/.staging" ] && [ ! -e "$installations/17000003" ] || fail "a failed update left a build"
assert_eq "installations/$A" "$(readlink "$LEFT4ME_ROOT/installation")" "current build after a failed update"
checksums "$installations/$A" | cmp -s - "$T/build-a" || fail "a failed update changed build $A"
FAKE_STEAMCMD_BUILDID=17000004 FAKE_STEAMCMD_DELAY_MS=300 "$BIN_L4D2CTL" install >"$T/interrupted.log" 2>&1 &
installer=$!
wait_until 20 grep -q downloading "$T/interrupted.log"
kill -TERM "$installer"
set +e; wait "$installer"; code=$?; set -e
assert_eq 1 "$code" "exit of an interrupted install"
assert_contains "$(cat "$T/interrupted.log")" "interrupted"
[ ! -e "$installations/.staging" ] && [ ! -e "$installations/17000004" ] || fail "an interrupted update left a build"
assert_eq "installations/$A" "$(readlink "$LEFT4ME_ROOT/installation")" "current build after an interrupted update"
checksums "${merged[@]}" | cmp -s - "$T/before" || fail "a failed or interrupted update changed a running server's tree"
checksums "$installations/$A" | cmp -s - "$T/build-a" || fail "an interrupted update changed build $A"
pass "a failed or interrupted update leaves the current build and nothing half-made"

# A host from before builds lived side by side: installation/ is a directory, a server runs on it.
for name in alpha beta gamma; do expect_exit 0 "$BIN_L4D2CTL" stop "$name"; done
export LEFT4ME_ROOT=$T/legacy
mkdir -p "$LEFT4ME_ROOT"
for platform in windows "linux validate"; do
  HOME=$LEFT4ME_ROOT/steam "$BIN_FAKE_STEAMCMD" +force_install_dir "$LEFT4ME_ROOT/installation" +login anonymous \
    +@sSteamCmdForcePlatformType ${platform%% *} +app_update 222860 ${platform#linux} +quit >/dev/null
done
[ -d "$LEFT4ME_ROOT/installation" ] && [ ! -L "$LEFT4ME_ROOT/installation" ] || fail "legacy setup"
port=$(free_port)
write_spec "$T/old.yaml" "$port"
expect_exit 0 "$BIN_L4D2CTL" initialize old -f "$T/old.yaml"
# Such a host has no steam-home either (older installs did not make it): start refuses until it is there.
expect_exit 1 "$BIN_L4D2CTL" start old --wait --timeout 30
assert_contains "$OUT" "$LEFT4ME_ROOT/steam-home/.steam/sdk32/steamclient.so is missing"
mkdir -p "$LEFT4ME_ROOT/steam-home/.steam/sdk32"
cp "$(dirname "$BIN_FAKE_STEAMCMD")/linux32/steamclient.so" "$LEFT4ME_ROOT/steam-home/.steam/sdk32/"
expect_exit 0 "$BIN_L4D2CTL" start old --wait --timeout 30
assert_eq null "$(build_of old)" "a server mounted from a plain installation/ has no recorded build"
checksums "$LEFT4ME_ROOT/runtime/old/merged" >"$T/legacy-before"
FAKE_STEAMCMD_BUILDID=$B FAKE_STEAMCMD_VERSION=2.2.4.4 expect_exit 0 "$BIN_L4D2CTL" install
assert_contains "$OUT" "running servers stay on build $A until their next start"
assert_eq "installations/$B" "$(readlink "$LEFT4ME_ROOT/installation")" "installation after the migration"
[ -d "$LEFT4ME_ROOT/installations/$A" ] || fail "the old directory was not kept as build $A"
checksums "$LEFT4ME_ROOT/runtime/old/merged" | cmp -s - "$T/legacy-before" || fail "the migration changed a running tree"
expect_exit 2 "$BIN_L4D2CTL" install --remove "$A"
assert_contains "$OUT" "in use by old"
expect_exit 0 "$BIN_L4D2CTL" restart old --wait --timeout 30
assert_eq "$B" "$(build_of old)" "the migrated server after its restart"
expect_exit 0 "$BIN_L4D2CTL" install --remove "$A"
pass "a single installation/ directory is migrated on the next install"

# LEFT4ME_KEEP_BUILDS: the oldest builds beyond that many go after an update, never one in use.
LEFT4ME_KEEP_BUILDS=1 FAKE_STEAMCMD_BUILDID=17000009 expect_exit 0 "$BIN_L4D2CTL" install
[ -d "$LEFT4ME_ROOT/installations/$B" ] || fail "LEFT4ME_KEEP_BUILDS removed the build a server uses"
expect_exit 0 "$BIN_L4D2CTL" stop old
LEFT4ME_KEEP_BUILDS=1 FAKE_STEAMCMD_BUILDID=17000010 expect_exit 0 "$BIN_L4D2CTL" install
assert_contains "$OUT" "removed the old build $B (LEFT4ME_KEEP_BUILDS)"
assert_eq "17000010" "$(ls "$LEFT4ME_ROOT/installations")" "builds left with LEFT4ME_KEEP_BUILDS=1"
pass "LEFT4ME_KEEP_BUILDS"
