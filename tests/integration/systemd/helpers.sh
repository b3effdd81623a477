#!/usr/bin/env bash
# left4me-systemctl and left4me-journalctl: every malformed argument is refused with exit 2 before
# the tool runs; good arguments become exactly the documented command; enable gives the unit the
# instance's own uid (drop-in + userdb records, daemon-reload only when systemd needs it) and
# refuses a bad uid record. The tools are replaced by a recording stand-in through
# LEFT4ME_SYSTEMCTL/LEFT4ME_JOURNALCTL, host.env and the unit/userdb directories by test copies
# (LEFT4ME_HOST_ENV, LEFT4ME_SYSTEMD_UNIT_DIR, LEFT4ME_USERDB_DIR); all honoured only for plain root.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root (the tool override is root-only)"; exit 77; }
SYSTEMCTL="$LEFT4ME_BUILD/src/helper/left4me-systemctl"
JOURNALCTL="$LEFT4ME_BUILD/src/helper/left4me-journalctl"

# The stand-in: records its arguments; `show --property=NeedDaemonReload,...` answers what the
# "loaded" unit has (loaded-<unit>, set by daemon-reload from the identity drop-in on disk).
cat >"$T/tool" <<STANDIN
#!/bin/sh
printf '%s\n' "\$*" >>"$T/calls"
unit=\$(eval echo "\\\${\$#}")
case "\$*" in
  is-failed*) [ -f "$T/failed" ] && exit 0; exit 1 ;;
  "show --property=LoadState,NeedDaemonReload,User,Group "*)
    user=\$(cat "$T/loaded-\$unit" 2>/dev/null || true)
    printf 'LoadState=%s\nNeedDaemonReload=no\nUser=%s\nGroup=%s\n' "\$(cat "$T/load-state" 2>/dev/null || echo loaded)" "\$user" "\$user"; exit 0 ;;
  "--no-ask-password daemon-reload")
    for dir in "$T"/units/*.d; do
      [ -d "\$dir" ] || continue
      u=\$(basename "\$dir" .d)
      sed -n 's/^User=//p' "\$dir/50-identity.conf" 2>/dev/null >"$T/loaded-\$u" || true
    done
    exit 0 ;;
  *enable*) [ -f "$T/enable-fails" ] && { echo boom >&2; exit 5; } ;;
esac
echo "tool output"
STANDIN
chmod +x "$T/tool"
mkdir -p "$T/root/instances" "$T/units" "$T/userdb"
chown 980:980 "$T/root" "$T/root/instances"
printf 'LEFT4ME_ROOT=%s\nLEFT4ME_INSTANCE_UID_BASE=200000\nLEFT4ME_INSTANCE_UID_COUNT=10\n' "$T/root" >"$T/host.env"
export LEFT4ME_SYSTEMCTL="$T/tool" LEFT4ME_JOURNALCTL="$T/tool" LEFT4ME_HOST_ENV="$T/host.env"
export LEFT4ME_SYSTEMD_UNIT_DIR="$T/units" LEFT4ME_USERDB_DIR="$T/userdb"
calls() { cat "$T/calls" 2>/dev/null || true; }
instance() { for n in "$@"; do install -d -o 980 -g 980 "$T/root/instances/$n"; done; }
dropin() { echo "$T/units/left4me-server@$1.service.d/50-identity.conf"; }

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
instance alpha-2_b alpha "$(printf 'b%.0s' $(seq 1 64))"
expect_exit 0 "$SYSTEMCTL" enable alpha-2_b
assert_eq "show --property=LoadState,NeedDaemonReload,User,Group left4me-server@alpha-2_b.service
--no-ask-password daemon-reload
show --property=LoadState,NeedDaemonReload,User,Group left4me-server@alpha-2_b.service
is-failed --quiet left4me-server@alpha-2_b.service
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
touch "$T/failed" "$T/enable-fails"
rm -f "$T/calls"
expect_exit 5 "$SYSTEMCTL" enable alpha
assert_contains "$OUT" "boom"
assert_eq "show --property=LoadState,NeedDaemonReload,User,Group left4me-server@alpha.service
--no-ask-password daemon-reload
show --property=LoadState,NeedDaemonReload,User,Group left4me-server@alpha.service
is-failed --quiet left4me-server@alpha.service
reset-failed left4me-server@alpha.service
--no-ask-password enable --now left4me-server@alpha.service" "$(calls)"
rm -f "$T/failed" "$T/enable-fails"
pass "exit status passes through; failed units are reset before enable"

# Identity: enable allocated alpha-2_b's uid (the lowest of the range), wrote the drop-in and the
# userdb records; a second enable finds systemd up to date and does not reload.
assert_eq 200000 "$(tr -d '\n' <"$T/root/instances/alpha-2_b/uid")" "allocated uid"
assert_eq 200001 "$(tr -d '\n' <"$T/root/instances/$(printf 'b%.0s' $(seq 1 64))/uid")" "second instance's uid"
assert_eq 200002 "$(tr -d '\n' <"$T/root/instances/alpha/uid")" "third instance's uid"
assert_contains "$(cat "$(dropin alpha-2_b)")" "[Service]
User=200000
Group=200000"
assert_contains "$(cat "$T/userdb/left4me-200000.user")" '"userName":"left4me-200000","uid":200000,"gid":200000'
assert_contains "$(cat "$T/userdb/left4me-200000.user")" '"realName":"left4me instance alpha-2_b"'
cmp -s "$T/userdb/left4me-200000.user" "$T/userdb/200000.user" || fail "userdb record by uid differs"
assert_contains "$(cat "$T/userdb/200000.group")" '"groupName":"left4me-200000","gid":200000'
rm -f "$T/calls"
expect_exit 0 "$SYSTEMCTL" enable alpha-2_b
assert_eq "show --property=LoadState,NeedDaemonReload,User,Group left4me-server@alpha-2_b.service
is-failed --quiet left4me-server@alpha-2_b.service
--no-ask-password enable --now left4me-server@alpha-2_b.service" "$(calls)"
# disable removes the drop-in and the records, but never records that name another instance.
sed 's/instance alpha-2_b/instance other/' "$T/userdb/200000.group" >"$T/forged" && mv "$T/forged" "$T/userdb/200000.group"
expect_exit 0 "$SYSTEMCTL" disable alpha-2_b
[ ! -e "$(dropin alpha-2_b)" ] || fail "drop-in left after disable"
[ ! -e "$T/userdb/left4me-200000.user" ] && [ ! -e "$T/userdb/200000.user" ] || fail "user record left after disable"
[ -e "$T/userdb/200000.group" ] || fail "disable removed a record it did not write"
pass "enable runs the unit as the instance uid (drop-in, userdb), reloading only when needed; disable removes them"

# Bad uid records: refused with their message; systemctl enable is never run.
bad_record() {  # NAME WHAT EXPECTED-MESSAGE
  rm -f "$T/calls"
  expect_exit 1 "$SYSTEMCTL" enable "$1"
  assert_contains "$OUT" "$3" "$2"
  assert_not_contains "$(calls)" "enable --now" "$2"
  [ ! -e "$(dropin "$1")" ] || fail "$2: a drop-in was written"
}
instance low high sym dup delta
echo 5000 >"$T/root/instances/low/uid"
bad_record low "uid below the range" "outside the instance range 200000..200009"
echo 200010 >"$T/root/instances/high/uid"
bad_record high "uid above the range" "outside the instance range"
echo 980 >"$T/root/instances/dup/uid"
bad_record dup "the service uid" "outside the instance range"
echo 200000 >"$T/root/instances/dup/uid"
bad_record dup "another instance's uid" "also recorded for instance 'alpha-2_b'"
echo 200003 >"$T/target" && ln -s "$T/target" "$T/root/instances/sym/uid"
bad_record sym "a symlinked record" "is a symlink"
rm "$T/root/instances/sym/uid"
bad_record missing "no instance directory" "instances/missing: does not exist"
printf 'LEFT4ME_ROOT=%s\nLEFT4ME_INSTANCE_UID_BASE=12\n' "$T/root" >"$T/bad.env"
LEFT4ME_HOST_ENV="$T/bad.env" bad_record delta "a bad range in host.env" "LEFT4ME_INSTANCE_UID_BASE"
echo not-found >"$T/load-state"
instance epsilon
rm -f "$T/calls"
expect_exit 1 "$SYSTEMCTL" enable epsilon
assert_contains "$OUT" "left4me-server@epsilon.service: LoadState=not-found" "a unit that is not installed"
assert_not_contains "$(calls)" "enable --now" "a unit that is not installed"
rm "$T/load-state"
pass "uid records outside the range, of the service user or another instance, symlinked, or missing are refused"

# A data root that belongs to root: no identity (no idmapping); a stale drop-in is removed.
instance gamma
mkdir -p "$(dirname "$(dropin gamma)")" && echo stale >"$(dropin gamma)"
chown 0:0 "$T/root"
expect_exit 0 "$SYSTEMCTL" enable gamma
[ ! -e "$(dropin gamma)" ] || fail "stale drop-in kept for a root-owned data root"
[ ! -e "$T/root/instances/gamma/uid" ] || fail "uid allocated for a root-owned data root"
chown 980:980 "$T/root"
pass "a root-owned data root runs servers without a per-instance identity"

# Missing tool: 69. The override is ignored for callers that came through sudo.
LEFT4ME_SYSTEMCTL="$T/missing" expect_exit 69 "$SYSTEMCTL" show alpha
assert_contains "$OUT" "no executable found"
LEFT4ME_JOURNALCTL="$T/missing" expect_exit 69 "$JOURNALCTL" alpha --lines 1 --no-follow
rm -f "$T/calls"
SUDO_UID=1000 "$SYSTEMCTL" show left4me-helper-test-nonexistent >/dev/null 2>&1 || true  # the real systemctl
assert_eq "" "$(calls)" "override used by a sudo caller"
pass "missing tools exit 69; the override is ignored through sudo"
