#!/usr/bin/env bash
# left4me-systemctl and left4me-journalctl: every malformed argument is refused with exit 2 before
# the tool runs; good arguments become exactly the documented command; enable writes the unit's
# instance drop-in from instance.env read as root must (strict parser, no symlinks, port in range:
# a malformed file stops it), gives the unit the instance's own uid (userdb records), reloads only
# when systemd needs it, and refuses a bad uid record. The tools, the unit and userdb directories
# are replaced by a recording stand-in and test directories through a host.env named with --host-env
# (plain root only); the environment is never read.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root (the tool override is root-only)"; exit 77; }
SYSTEMCTL="$LEFT4ME_BUILD/src/helper/left4me-systemctl"
JOURNALCTL="$LEFT4ME_BUILD/src/helper/left4me-journalctl"

# The stand-in: records its arguments; `show --property=...,Environment` answers what the "loaded"
# unit has: loaded-<unit> is a copy of the instance drop-in taken at daemon-reload, and
# NeedDaemonReload says whether the file on disk changed since (as systemd does).
cat >"$T/tool" <<STANDIN
#!/bin/sh
printf '%s\n' "\$*" >>"$T/calls"
unit=\$(eval echo "\\\${\$#}")
case "\$*" in
  is-failed*) [ -f "$T/failed" ] && exit 0; exit 1 ;;
  "show --property=LoadState,NeedDaemonReload,User,Group,Environment "*)
    loaded="$T/loaded-\$unit" file="$T/units/\$unit.d/50-instance.conf"
    if cmp -s "\$loaded" "\$file" 2>/dev/null || { [ ! -e "\$loaded" ] && [ ! -e "\$file" ]; }; then need=no; else need=yes; fi
    user=\$(sed -n 's/^User=//p' "\$loaded" 2>/dev/null)
    env=\$(sed -n 's/^Environment=//p' "\$loaded" 2>/dev/null | tr '\n' ' ')
    printf 'LoadState=%s\nNeedDaemonReload=%s\nUser=%s\nGroup=%s\nEnvironment=%s\n' \
      "\$(cat "$T/load-state" 2>/dev/null || echo loaded)" "\$need" "\$user" "\$user" "\$env"; exit 0 ;;
  "--no-ask-password daemon-reload")
    rm -f "$T"/loaded-*
    for dir in "$T"/units/*.d; do
      [ -f "\$dir/50-instance.conf" ] || continue
      cp "\$dir/50-instance.conf" "$T/loaded-\$(basename "\$dir" .d)"
    done
    exit 0 ;;
  *enable*) [ -f "$T/enable-fails" ] && { echo boom >&2; exit 5; } ;;
esac
echo "tool output"
STANDIN
chmod +x "$T/tool"
mkdir -p "$T/root/instances" "$T/units" "$T/userdb"
chown 980:980 "$T/root" "$T/root/instances"
# The helpers read no environment: every setting and test hook comes from the host.env named with
# --host-env (accepted only from plain root).
write_host_env() {  # extra lines...
  printf 'LEFT4ME_ROOT=%s\nLEFT4ME_INSTANCE_UID_BASE=200000\nLEFT4ME_INSTANCE_UID_COUNT=10\n' "$T/root" >"$T/host.env"
  printf 'LEFT4ME_SYSTEMCTL=%s\nLEFT4ME_JOURNALCTL=%s\n' "$T/tool" "$T/tool" >>"$T/host.env"
  printf 'LEFT4ME_SYSTEMD_UNIT_DIR=%s\nLEFT4ME_USERDB_DIR=%s\n' "$T/units" "$T/userdb" >>"$T/host.env"
  [ $# -eq 0 ] || printf '%s\n' "$@" >>"$T/host.env"
}
write_host_env
HOST_ENV="$T/host.env"
sc() { "$SYSTEMCTL" --host-env "$HOST_ENV" "$@"; }
jc() { "$JOURNALCTL" --host-env "$HOST_ENV" "$@"; }
calls() { cat "$T/calls" 2>/dev/null || true; }
port=27015
instance() {  # names...: an initialized instance (instance.env as l4d2ctl writes it), each its own port
  for n in "$@"; do
    install -d -o 980 -g 980 "$T/root/instances/$n"
    printf '# Written by l4d2ctl initialize\nL4D2_PORT=%s\nL4D2_LOWERDIRS=%s/installation\nL4D2_ARGS=+map c1m1_hotel +mp_gamemode coop -maxplayers 8 +servercfgfile server.cfg\n' \
      "$port" "$T/root" >"$T/root/instances/$n/instance.env"
    chown 980:980 "$T/root/instances/$n/instance.env"
    port=$((port + 1))
  done
}
dropin() { echo "$T/units/left4me-server@$1.service.d/50-instance.conf"; }
SHOW="show --property=LoadState,NeedDaemonReload,User,Group,Environment"

long=$(printf 'a%.0s' $(seq 1 65))
for bad in "../x" "a/b" "-rf" "$long" "" "A" ".x" "a b" "x;id" "left4me-server@x.service"; do
  for verb in enable disable restart show kill; do
    expect_exit 2 sc "$verb" "$bad"
    assert_contains "$OUT" "usage: left4me-systemctl" "systemctl $verb '$bad'"
  done
  expect_exit 2 jc "$bad" --lines 10 --follow
  assert_contains "$OUT" "usage: left4me-journalctl" "journalctl '$bad'"
done
expect_exit 2 sc
expect_exit 2 sc enable
expect_exit 2 sc enable alpha extra
expect_exit 2 sc start alpha
assert_contains "$OUT" "unknown verb 'start'"
expect_exit 2 sc --now alpha
expect_exit 2 sc kill alpha SIGTERM
expect_exit 2 sc kill --signal=SIGTERM alpha
expect_exit 2 sc KILL alpha
assert_contains "$OUT" "unknown verb 'KILL'"
expect_exit 2 jc
expect_exit 2 jc alpha --lines 10
expect_exit 2 jc alpha --lines 10 --follow extra
for lines in "" "-1" "abc" "1x" "+5" " 5" "1000001" "99999999999999999999"; do
  expect_exit 2 jc alpha --lines "$lines" --no-follow
  assert_contains "$OUT" "--lines" "journalctl --lines '$lines'"
done
expect_exit 2 jc alpha -n 10 --follow
expect_exit 2 jc alpha --lines 10 -f
expect_exit 2 jc --lines 10 alpha --follow
expect_exit 2 jc --map-changes alpha
expect_exit 2 jc alpha --map-changes
expect_exit 2 jc --map-changes --follow
expect_exit 2 jc --map-change
assert_eq "" "$(calls)" "tool calls after malformed arguments"
pass "malformed arguments are refused without running systemctl or journalctl"

expect_exit 0 sc show alpha
assert_contains "$OUT" "tool output"
assert_eq "show --timestamp=unix --property=LoadState,ActiveState,SubState,Result,MainPID,NRestarts,ExecMainStartTimestamp,ExecMainExitTimestamp,ExecMainCode,ExecMainStatus,ActiveEnterTimestamp,InactiveEnterTimestamp,StateChangeTimestamp,UnitFileState left4me-server@alpha.service" "$(calls)"
rm -f "$T/calls"
instance alpha-2_b alpha "$(printf 'b%.0s' $(seq 1 64))"
expect_exit 0 sc enable alpha-2_b
assert_eq "$SHOW left4me-server@alpha-2_b.service
--no-ask-password daemon-reload
$SHOW left4me-server@alpha-2_b.service
is-failed --quiet left4me-server@alpha-2_b.service
--no-ask-password enable --now left4me-server@alpha-2_b.service" "$(calls)"
rm -f "$T/calls"
expect_exit 0 sc disable alpha
assert_eq "--no-ask-password disable --now left4me-server@alpha.service
is-failed --quiet left4me-server@alpha.service" "$(calls)"
rm -f "$T/calls"
expect_exit 0 sc restart "$(printf 'b%.0s' $(seq 1 64))"
assert_contains "$(calls)" "--no-ask-password restart left4me-server@$(printf 'b%.0s' $(seq 1 64)).service"
rm -f "$T/calls"
expect_exit 0 sc kill alpha
assert_eq "--no-ask-password kill --signal=SIGKILL left4me-server@alpha.service" "$(calls)"
rm -f "$T/calls"
# The unit's journal as --unit matches it, and the health monitor's lines about the instance.
unit_matches() {
  echo "_SYSTEMD_UNIT=left4me-server@$1.service + MESSAGE_ID=fc2e22bc6ee647b6b90729ab34a250b1 _UID=0" \
    "COREDUMP_UNIT=left4me-server@$1.service + _PID=1 UNIT=left4me-server@$1.service + _UID=0" \
    "OBJECT_SYSTEMD_UNIT=left4me-server@$1.service + _SYSTEMD_UNIT=left4me-monitor.service LEFT4ME_INSTANCE=$1"
}
expect_exit 0 jc alpha --lines 25 --follow
assert_eq "--no-pager --quiet --output=cat --lines=25 --follow $(unit_matches alpha)" "$(calls)"
rm -f "$T/calls"
expect_exit 0 jc alpha --lines 0 --no-follow
assert_eq "--no-pager --quiet --output=cat --lines=0 $(unit_matches alpha)" "$(calls)"
rm -f "$T/calls"
expect_exit 0 jc --map-changes
assert_eq "--no-pager --quiet --follow --lines=0 --output=json --output-fields=_SYSTEMD_UNIT --grep=---- Host_(Changelevel|NewGame) ---- _SYSTEMD_SLICE=l4d2-game.slice" "$(calls)"
pass "valid arguments become the documented commands"

# The tool's exit status passes through; a failed unit is reset before enable.
touch "$T/failed" "$T/enable-fails"
rm -f "$T/calls"
expect_exit 5 sc enable alpha
assert_contains "$OUT" "boom"
assert_eq "$SHOW left4me-server@alpha.service
--no-ask-password daemon-reload
$SHOW left4me-server@alpha.service
is-failed --quiet left4me-server@alpha.service
reset-failed left4me-server@alpha.service
--no-ask-password enable --now left4me-server@alpha.service" "$(calls)"
rm -f "$T/failed" "$T/enable-fails"
pass "exit status passes through; failed units are reset before enable"

# The instance drop-in: enable allocated alpha-2_b's uid (the lowest of the range) and wrote the
# drop-in (identity, the servers' HOME, the checked port and arguments, the one port it may bind) and the
# userdb records;
# a second enable finds systemd up to date and does not reload.
assert_eq 200000 "$(tr -d '\n' <"$T/root/instances/alpha-2_b/uid")" "allocated uid"
assert_eq 200001 "$(tr -d '\n' <"$T/root/instances/$(printf 'b%.0s' $(seq 1 64))/uid")" "second instance's uid"
assert_eq 200002 "$(tr -d '\n' <"$T/root/instances/alpha/uid")" "third instance's uid"
assert_eq "[Service]
User=200000
Group=200000
Environment=HOME=$T/root/steam-home
Environment=L4D2_PORT=27015
Environment=\"L4D2_ARGS=+map c1m1_hotel +mp_gamemode coop -maxplayers 8 +servercfgfile server.cfg\"
SocketBindAllow=udp:27015
SocketBindAllow=tcp:27015" "$(grep -v '^#' "$(dropin alpha-2_b)")"
assert_eq "644 root" "$(stat -c "%a %U" "$(dropin alpha-2_b)")" "drop-in mode and owner"
assert_contains "$(cat "$T/userdb/left4me-200000.user")" '"userName":"left4me-200000","uid":200000,"gid":200000'
assert_contains "$(cat "$T/userdb/left4me-200000.user")" '"realName":"left4me instance alpha-2_b"'
cmp -s "$T/userdb/left4me-200000.user" "$T/userdb/200000.user" || fail "userdb record by uid differs"
assert_contains "$(cat "$T/userdb/200000.group")" '"groupName":"left4me-200000","gid":200000'
rm -f "$T/calls"
expect_exit 0 sc enable alpha-2_b
assert_eq "$SHOW left4me-server@alpha-2_b.service
is-failed --quiet left4me-server@alpha-2_b.service
--no-ask-password enable --now left4me-server@alpha-2_b.service" "$(calls)"
# A changed instance.env reaches the unit at the next enable: rewritten drop-in, one daemon-reload.
# '%' is systemd's specifier character: written "%%" so srcds gets it as typed.
sed -i 's/^L4D2_ARGS=.*/L4D2_ARGS=+map c2m1_highway +sv_tags 100%fun/' "$T/root/instances/alpha-2_b/instance.env"
rm -f "$T/calls"
expect_exit 0 sc enable alpha-2_b
assert_contains "$(cat "$(dropin alpha-2_b)")" 'Environment="L4D2_ARGS=+map c2m1_highway +sv_tags 100%%fun"'
assert_eq "$SHOW left4me-server@alpha-2_b.service
--no-ask-password daemon-reload
$SHOW left4me-server@alpha-2_b.service
is-failed --quiet left4me-server@alpha-2_b.service
--no-ask-password enable --now left4me-server@alpha-2_b.service" "$(calls)"
# A drop-in of the old name (identity only) is replaced.
legacy="$T/units/left4me-server@alpha.service.d/50-identity.conf"
mkdir -p "$(dirname "$legacy")" && printf '[Service]\nUser=200002\n' >"$legacy"
expect_exit 0 sc enable alpha
[ ! -e "$legacy" ] || fail "the legacy 50-identity.conf was kept"
assert_contains "$(cat "$(dropin alpha)")" "SocketBindAllow=udp:27016"
# disable removes the drop-in and the records, but never records that name another instance.
sed 's/instance alpha-2_b/instance other/' "$T/userdb/200000.group" >"$T/forged" && mv "$T/forged" "$T/userdb/200000.group"
expect_exit 0 sc disable alpha-2_b
[ ! -e "$(dropin alpha-2_b)" ] || fail "drop-in left after disable"
[ ! -e "$T/userdb/left4me-200000.user" ] && [ ! -e "$T/userdb/200000.user" ] || fail "user record left after disable"
[ -e "$T/userdb/200000.group" ] || fail "disable removed a record it did not write"
pass "enable writes the instance drop-in (uid, checked port and arguments, its own port only), reloading only when it changed; disable removes it"

# instance.env is the service user's file: a line for the loader (LD_PRELOAD, LD_DEBUG), a missing
# key, a port outside host.env's range, a symlink or a FIFO in its place stop enable with its message
# before systemd is touched, and nothing is written.
bad_env() {  # NAME WHAT EXPECTED-MESSAGE
  rm -f "$T/calls"
  expect_exit 1 sc enable "$1"
  assert_contains "$OUT" "$3" "$2"
  assert_eq "" "$(calls)" "$2: systemctl calls"
  [ ! -e "$(dropin "$1")" ] || fail "$2: a drop-in was written"
}
instance evil
env_file="$T/root/instances/evil/instance.env"
good=$(cat "$env_file")
printf '%s\nLD_PRELOAD=/tmp/marker.so\n' "$good" >"$env_file"
bad_env evil "an LD_PRELOAD line" "instance.env:5: unknown key \"LD_PRELOAD\"; expected L4D2_PORT, L4D2_LOWERDIRS and L4D2_ARGS"
printf 'LD_DEBUG=libs\n%s\n' "$good" >"$env_file"
bad_env evil "an LD_DEBUG line" "instance.env:1: unknown key \"LD_DEBUG\""
grep -v L4D2_ARGS <<<"$good" >"$env_file"
bad_env evil "no L4D2_ARGS" "instance.env: L4D2_ARGS: missing"
sed 's/^L4D2_ARGS=.*/L4D2_ARGS=+map c1m1_hotel $(id)/' <<<"$good" >"$env_file"
bad_env evil "a shell word" "is not a safe srcds argument"
sed 's/^L4D2_PORT=.*/L4D2_PORT=28000/' <<<"$good" >"$env_file"
bad_env evil "a port outside the range" "L4D2_PORT 28000 is outside the port range 27000..27999 of host.env"
echo "$good" >"$T/elsewhere.env" && rm "$env_file" && ln -s "$T/elsewhere.env" "$env_file"
bad_env evil "a symlink" "instance.env: is a symlink or passes through one; refusing"
rm "$env_file" && mkfifo "$env_file"
bad_env evil "a FIFO" "instance.env: is not a regular file"
rm "$env_file"
bad_env evil "no instance.env" "no such instance 'evil'"
pass "a malformed instance.env stops enable with its message; systemd is not touched"

# Bad uid records: refused with their message; systemctl enable is never run.
bad_record() {  # NAME WHAT EXPECTED-MESSAGE
  rm -f "$T/calls"
  expect_exit 1 sc enable "$1"
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
bad_record missing "no instance directory" "no such instance 'missing'"
printf 'LEFT4ME_ROOT=%s\nLEFT4ME_INSTANCE_UID_BASE=12\n' "$T/root" >"$T/bad.env"
HOST_ENV="$T/bad.env" bad_record delta "a bad range in host.env" "LEFT4ME_INSTANCE_UID_BASE"
echo not-found >"$T/load-state"
instance epsilon
rm -f "$T/calls"
expect_exit 1 sc enable epsilon
assert_contains "$OUT" "left4me-server@epsilon.service: LoadState=not-found" "a unit that is not installed"
assert_not_contains "$(calls)" "enable --now" "a unit that is not installed"
rm "$T/load-state"
pass "uid records outside the range, of the service user or another instance, symlinked, or missing are refused"

# A data root that belongs to root: no identity (no idmapping, no User=), the rest of the drop-in as usual.
instance gamma
chown 0:0 "$T/root"
expect_exit 0 sc enable gamma
assert_not_contains "$(cat "$(dropin gamma)")" "User=" "drop-in for a root-owned data root"
assert_contains "$(cat "$(dropin gamma)")" "SocketBindAllow=tcp:"
[ ! -e "$T/root/instances/gamma/uid" ] || fail "uid allocated for a root-owned data root"
chown 980:980 "$T/root"
pass "a root-owned data root runs servers without a per-instance identity"

# Missing tool: 69.
write_host_env "LEFT4ME_SYSTEMCTL=$T/missing" "LEFT4ME_JOURNALCTL=$T/missing"
expect_exit 69 sc show alpha
assert_contains "$OUT" "no executable found"
expect_exit 69 jc alpha --lines 1 --no-follow
write_host_env
pass "missing tools exit 69"

# The environment is never read: no LEFT4ME_* variable redirects a helper, even for plain root, and
# --host-env is refused through sudo.
rm -f "$T/calls"
LEFT4ME_SYSTEMCTL="$T/tool" LEFT4ME_HOST_ENV="$T/host.env" "$SYSTEMCTL" show left4me-helper-test-nonexistent >/dev/null 2>&1 || true
LEFT4ME_JOURNALCTL="$T/tool" "$JOURNALCTL" left4me-helper-test-nonexistent --lines 1 --no-follow >/dev/null 2>&1 || true
assert_eq "" "$(calls)" "a tool named by the environment was run"
for helper in "$SYSTEMCTL" "$JOURNALCTL"; do
  expect_exit 2 env SUDO_UID=1000 "$helper" --host-env "$T/host.env" show alpha
  assert_contains "$OUT" "--host-env is accepted only from root, not through sudo"
done
assert_eq "" "$(calls)" "calls from a sudo caller"
pass "the environment is ignored; --host-env only from plain root"
