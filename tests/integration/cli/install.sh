#!/usr/bin/env bash
# l4d2ctl install: progress JSON, the platform workaround, kept steamcmd metadata, failure messages.
. "$(dirname "$0")/../lib.sh"
setup_host_root

expect_exit 0 "$BIN_L4D2CTL" install --json
json_lines=$OUT
python3 - "$json_lines" <<'PY' || fail "install --json output is not JSON lines with rising progress"
import json, sys
events = [json.loads(line) for line in sys.argv[1].splitlines() if line.startswith("{")]
assert events and events[-1]["phase"] == "done" and events[-1]["percent"] == 100, events[-3:]
for e in events:
    assert set(e) >= {"phase", "percent", "bytes_done", "bytes_total"}, e
    assert 0 <= e["percent"] <= 100, e
assert any(e["phase"] == "downloading" for e in events), events
PY
[ -x "$LEFT4ME_ROOT/installation/srcds_run" ] || fail "no srcds_run after install"
[ -d "$LEFT4ME_ROOT/installation/left4dead2/cfg" ] || fail "no left4dead2/cfg after install"
[ -n "$(ls -A "$LEFT4ME_ROOT/steam")" ] || fail "steamcmd's metadata was not kept under steam/"

# A second install (an update) works with the kept metadata.
expect_exit 0 "$BIN_L4D2CTL" install --json
assert_contains "$OUT" '"phase":"done"'

# Known failures map to clear messages and a non-zero exit, each on a fresh root (a first install).
for failure in disk_full:disk timeout:"timed out" login:"log in"; do
  export LEFT4ME_ROOT="$T/fresh-${failure%%:*}"
  mkdir -p "$LEFT4ME_ROOT"
  FAKE_STEAMCMD_FAIL=${failure%%:*} expect_exit 1 "$BIN_L4D2CTL" install
  assert_contains "${OUT,,}" "${failure#*:}" "install with FAKE_STEAMCMD_FAIL=${failure%%:*}"
  [ ! -e "$LEFT4ME_ROOT/installation/srcds_run" ] || fail "a failed install left a game behind"
done
pass "install"
