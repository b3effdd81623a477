#!/usr/bin/env bash
# left4me-systemctl and left4me-journalctl: every malformed argument is refused with exit 2 before
# the tool runs; good arguments become exactly the documented command. The tools are replaced by a
# recording stand-in through LEFT4ME_SYSTEMCTL/LEFT4ME_JOURNALCTL (honoured only for plain root).
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root (the tool override is root-only)"; exit 77; }
SYSTEMCTL="$LEFT4ME_BUILD/src/helper/left4me-systemctl"
JOURNALCTL="$LEFT4ME_BUILD/src/helper/left4me-journalctl"

cat >"$T/tool" <<STANDIN
#!/bin/sh
printf '%s\n' "\$*" >>"$T/calls"
case "\$1" in is-failed) exit 1 ;; esac
echo "tool output"
STANDIN
chmod +x "$T/tool"
export LEFT4ME_SYSTEMCTL="$T/tool" LEFT4ME_JOURNALCTL="$T/tool"
calls() { cat "$T/calls" 2>/dev/null || true; }

long=$(printf 'a%.0s' $(seq 1 65))
for bad in "../x" "a/b" "-rf" "$long" "" "A" ".x" "a b" "x;id" "left4me-server@x.service"; do
  for verb in enable disable restart show; do
    expect_exit 2 "$SYSTEMCTL" "$verb" "$bad"
    assert_contains "$OUT" "usage: left4me-systemctl" "systemctl $verb '$bad'"
  done
  expect_exit 2 "$JOURNALCTL" "$bad" --lines 10 --follow
  assert_contains "$OUT" "usage: left4me-journalctl" "journalctl '$bad'"
done
expect_exit 2 "$SYSTEMCTL"
expect_exit 2 "$SYSTEMCTL" enable
expect_exit 2 "$SYSTEMCTL" enable alpha extra
expect_exit 2 "$SYSTEMCTL" start alpha
assert_contains "$OUT" "unknown verb 'start'"
expect_exit 2 "$SYSTEMCTL" --now alpha
expect_exit 2 "$JOURNALCTL"
expect_exit 2 "$JOURNALCTL" alpha --lines 10
expect_exit 2 "$JOURNALCTL" alpha --lines 10 --follow extra
for lines in "" "-1" "abc" "1x" "+5" " 5" "1000001" "99999999999999999999"; do
  expect_exit 2 "$JOURNALCTL" alpha --lines "$lines" --no-follow
  assert_contains "$OUT" "--lines" "journalctl --lines '$lines'"
done
expect_exit 2 "$JOURNALCTL" alpha -n 10 --follow
expect_exit 2 "$JOURNALCTL" alpha --lines 10 -f
expect_exit 2 "$JOURNALCTL" --lines 10 alpha --follow
assert_eq "" "$(calls)" "tool calls after malformed arguments"
pass "malformed arguments are refused without running systemctl or journalctl"

expect_exit 0 "$SYSTEMCTL" show alpha
assert_contains "$OUT" "tool output"
assert_eq "show --timestamp=unix --property=LoadState,ActiveState,SubState,Result,MainPID,NRestarts,ExecMainStartTimestamp,ExecMainExitTimestamp,ExecMainCode,ExecMainStatus,ActiveEnterTimestamp,InactiveEnterTimestamp,StateChangeTimestamp,UnitFileState left4me-server@alpha.service" "$(calls)"
rm -f "$T/calls"
expect_exit 0 "$SYSTEMCTL" enable alpha-2_b
assert_eq "is-failed --quiet left4me-server@alpha-2_b.service
--no-ask-password enable --now left4me-server@alpha-2_b.service" "$(calls)"
rm -f "$T/calls"
expect_exit 0 "$SYSTEMCTL" disable alpha
assert_eq "--no-ask-password disable --now left4me-server@alpha.service
is-failed --quiet left4me-server@alpha.service" "$(calls)"
rm -f "$T/calls"
expect_exit 0 "$SYSTEMCTL" restart "$(printf 'b%.0s' $(seq 1 64))"
assert_contains "$(calls)" "--no-ask-password restart left4me-server@$(printf 'b%.0s' $(seq 1 64)).service"
rm -f "$T/calls"
expect_exit 0 "$JOURNALCTL" alpha --lines 25 --follow
assert_eq "--no-pager --quiet --output=cat --lines=25 --unit=left4me-server@alpha.service --follow" "$(calls)"
rm -f "$T/calls"
expect_exit 0 "$JOURNALCTL" alpha --lines 0 --no-follow
assert_eq "--no-pager --quiet --output=cat --lines=0 --unit=left4me-server@alpha.service" "$(calls)"
pass "valid arguments become the documented commands"

# The tool's exit status passes through; a failed unit is reset before enable.
printf '#!/bin/sh\nprintf "%%s\\n" "$*" >>"%s/calls"\ncase "$*" in is-failed*) exit 0;; *enable*) echo boom >&2; exit 5;; esac\n' "$T" >"$T/tool"
rm -f "$T/calls"
expect_exit 5 "$SYSTEMCTL" enable alpha
assert_contains "$OUT" "boom"
assert_eq "is-failed --quiet left4me-server@alpha.service
reset-failed left4me-server@alpha.service
--no-ask-password enable --now left4me-server@alpha.service" "$(calls)"
pass "exit status passes through; failed units are reset before enable"

# Missing tool: 69. The override is ignored for callers that came through sudo.
LEFT4ME_SYSTEMCTL="$T/missing" expect_exit 69 "$SYSTEMCTL" show alpha
assert_contains "$OUT" "no executable found"
LEFT4ME_JOURNALCTL="$T/missing" expect_exit 69 "$JOURNALCTL" alpha --lines 1 --no-follow
rm -f "$T/calls"
SUDO_UID=1000 "$SYSTEMCTL" show left4me-helper-test-nonexistent >/dev/null 2>&1 || true  # the real systemctl
assert_eq "" "$(calls)" "override used by a sudo caller"
pass "missing tools exit 69; the override is ignored through sudo"
