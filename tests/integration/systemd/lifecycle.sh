#!/usr/bin/env bash
# The whole lifecycle on a real systemd through l4d2ctl's systemd backend, in one container boot:
# the package installed, l4d2ctl run as the service user (through the admin wrapper, so every
# privileged step goes through sudo and the helpers), fake-srcds as the game. start (A2S answers),
# status, logs --follow from the journal, a failed start (stopped, with its reason), kill -9 (systemd
# restarts), the burst limit (failed), stop (unmounted), delete; then 50 start/stop cycles leave no
# mounts and no units. Each server runs as its instance's own uid (issue 4's uid scheme) and cannot
# touch another instance's layer.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root (boots a container)"; exit 77; }
for binary in "$BIN_L4D2CTL" "$LEFT4ME_BUILD/src/helper/left4me-overlay" "$BIN_FAKE_STEAMCMD" "$BIN_FAKE_SRCDS"; do
  [ -x "$binary" ] || fail "$binary is not built"
done
CI="$LEFT4ME_SOURCE/tests/integration/systemd/ci-systemd.sh"
name=life-$$
inside() { "$CI" sh "$name" "$@"; }
ctl() { inside left4me l4d2ctl "$@"; }                  # as the service user, env files loaded
expect_ctl() { local code=$1; shift; expect_exit "$code" inside left4me l4d2ctl "$@"; }
root=/var/lib/left4me
mounts_inside() { inside awk -v d="$root/" 'index($5, d) == 1' /proc/self/mountinfo | wc -l; }
units_inside() { inside systemctl list-units --all --plain --no-legend 'left4me-server@*' | wc -l; }
show() { inside systemctl show -p "$2" --value "left4me-server@$1.service" | sort | tr '\n' ' ' | sed 's/ $//'; }
# A port in the allowed range that is free on the host (the container shares its network).
# Not 27000-27099: systemd_deploy_doc, which may run at the same time, needs the page's defaults (27000, 27030).
game_port() {
  python3 - <<'PY'
import random, socket
for port in random.sample(range(27100, 28000), 900):
    t, u = socket.socket(), socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        t.bind(("0.0.0.0", port)); u.bind(("0.0.0.0", port)); print(port); break
    except OSError:
        pass
    finally:
        t.close(); u.close()
PY
}

(cd "$LEFT4ME_BUILD" && cpack -G DEB -B "$T/pkg" >"$T/cpack.log" 2>&1) || { cat "$T/cpack.log"; fail "cpack"; }
cp "$T"/pkg/left4me_*.deb "$T/left4me.deb"
on_exit "'$CI' down '$name'"
# nspawn mounts a tmpfs on /tmp: bind the build tree (fake-steamcmd, fake-srcds) at its own path, wherever it is.
"$CI" up "$name" --bind-ro="$T:/mnt/t" --bind-ro="$LEFT4ME_BUILD" >/dev/null
inside dpkg -i /mnt/t/left4me.deb >"$T/dpkg.log" 2>&1 || { cat "$T/dpkg.log"; fail "dpkg -i"; }
# The test's settings, all in host.env as an administrator would make them: fake-steamcmd as steamcmd, the
# systemd backend, quick restarts (RestartSec=5 would make the burst take half a minute; the shipped value
# is asserted first, then LEFT4ME_RESTART_DELAY_MS becomes the generator's RestartSec= drop-in).
assert_eq "5s" "$(show verify RestartUSec)" "RestartSec of the shipped unit"
assert_eq "5" "$(show verify StartLimitBurst)"
# The server unit has PrivateTmp=, so it cannot see a build tree under /tmp: fake-srcds is copied to
# where a real game binary would be visible, and fake-steamcmd writes that path into srcds_run.
inside install -D -m 0755 "$BIN_FAKE_SRCDS" /usr/local/lib/left4me-test/fake-srcds
inside sh -c "sed -i 's|^LEFT4ME_STEAMCMD=.*|LEFT4ME_STEAMCMD=$BIN_FAKE_STEAMCMD|' /etc/left4me/host.env &&
  echo FAKE_SRCDS=/usr/local/lib/left4me-test/fake-srcds >>/etc/left4me/host.env &&
  echo LEFT4ME_SUPERVISOR=systemd >>/etc/left4me/host.env &&
  echo LEFT4ME_RESTART_DELAY_MS=300 >>/etc/left4me/host.env &&
  systemctl daemon-reload"
assert_eq "300ms" "$(show verify RestartUSec)" "RestartSec from host.env's LEFT4ME_RESTART_DELAY_MS"
if ! inside test -f /etc/sudoers.d/left4me; then fail "the package has no sudoers file"; fi

ctl install --json >"$T/install.log" 2>&1 || { cat "$T/install.log"; fail "l4d2ctl install"; }
port=$(game_port)
write_spec "$T/alpha.yaml" "$port"
inside install -m 0640 -o left4me -g left4me /mnt/t/alpha.yaml "$root/tmp/alpha.yaml"
expect_ctl 0 initialize alpha -f "$root/tmp/alpha.yaml"
port_beta=$(game_port)
write_spec "$T/beta.yaml" "$port_beta"
inside install -m 0640 -o left4me -g left4me /mnt/t/beta.yaml "$root/tmp/beta.yaml"
expect_ctl 0 initialize beta -f "$root/tmp/beta.yaml"
pass "package installed, game installed with fake-steamcmd, instance initialized"

# Issue 13, bug 1: a start whose map does not exist (fake-srcds, as srcds, says so and keeps running
# without answering A2S) ends with the unit stopped and the reason in status; --keep-on-failure leaves it.
port_typo=$(game_port)
write_spec "$T/typo.yaml" "$port_typo"
sed -i 's/^map: .*/map: c2m9_typo/' "$T/typo.yaml"
inside install -m 0640 -o left4me -g left4me /mnt/t/typo.yaml "$root/tmp/typo.yaml"
expect_ctl 0 initialize typo -f "$root/tmp/typo.yaml"
expect_ctl 1 start typo --wait --timeout 3
assert_contains "$OUT" "the server did not answer with map 'c2m9_typo' within 3 s (nothing answered); it was stopped"
expect_ctl 0 status typo --json
assert_eq stopped "$(json_get "$OUT" 'j["state"]')" "state after a failed start (systemd)"
assert_eq "the server did not answer with map 'c2m9_typo' within 3 s (nothing answered)" \
  "$(json_get "$OUT" 'j["last_error"]')" "last_error after a failed start (systemd)"
assert_eq inactive "$(show typo ActiveState)" "the unit after a failed start"
assert_eq 0 "$(mounts_inside)" "mounts after a failed start"
assert_contains "$(inside journalctl -u left4me-server@typo.service --no-pager -o cat)" \
  "map load failed: c2m9_typo not found or invalid" "the unit's journal"
expect_ctl 1 start typo --wait --timeout 2 --keep-on-failure
assert_eq active "$(show typo ActiveState)" "the unit after a failed start with --keep-on-failure"
expect_ctl 0 status typo --json
assert_eq "the server did not answer with map 'c2m9_typo' within 2 s (nothing answered)" \
  "$(json_get "$OUT" 'j["last_error"]')" "last_error with --keep-on-failure (systemd)"
expect_ctl 0 delete typo
pass "a failed start stops the unit and keeps its reason; --keep-on-failure leaves it running"

# Issue 16 item 6: without the Steam client library in the servers' HOME a start is refused, naming it.
library=$root/steam-home/.steam/sdk32/steamclient.so
inside mv "$library" "$root/tmp/steamclient.so.away"
expect_ctl 1 start beta --wait --timeout 10
assert_contains "$OUT" "start 'beta': $library is missing"
assert_eq inactive "$(show beta ActiveState)" "beta after the refused start"
assert_eq 0 "$(mounts_inside)" "mounts after the refused start"
inside mv "$root/tmp/steamclient.so.away" "$library"
pass "without steam-home/.steam/sdk32/steamclient.so start fails naming it (systemd)"

# start: A2S answers; status comes from systemd.
ctl start alpha --wait --timeout 30 || fail "start alpha: $(inside journalctl -u left4me-server@alpha.service --no-pager -o cat | tail -20)"
expect_ctl 0 status alpha --json
status=$OUT
assert_eq running "$(json_get "$status" 'j["state"]')" "state"
assert_eq systemd "$(json_get "$status" 'j["supervisor"]')" "supervisor"
assert_eq true "$(json_get "$status" 'j["mounted"]')" "mounted"
assert_eq c2m1_highway "$(json_get "$status" 'j["live"]["map"]')" "live map (A2S)"
pid=$(json_get "$status" 'j["pid"]')
assert_eq "$pid" "$(show alpha MainPID)" "pid from status vs MainPID"
assert_eq active "$(show alpha ActiveState)"
assert_eq "any" "$(show alpha SocketBindDeny)"
assert_eq "tcp$port udp$port" "$(show alpha SocketBindAllow)" "alpha may bind its own port only"
assert_eq "l4d2-game.slice" "$(show alpha Slice)"
uid_alpha=$(inside cat "$root/instances/alpha/uid")
[ "$uid_alpha" -ge 1879048192 ] && [ "$uid_alpha" -lt $((1879048192 + 65536)) ] || fail "alpha's uid $uid_alpha is outside the range"
assert_eq "$uid_alpha" "$(inside stat -c %u /proc/$pid)" "server uid (the instance's own)"
assert_eq "$uid_alpha" "$(inside stat -c %g /proc/$pid)" "server gid"
assert_eq "$uid_alpha" "$(show alpha User)" "User= of the unit"
assert_eq "left4me-$uid_alpha" "$(inside getent passwd "$uid_alpha" | cut -d: -f1)" "the instance user resolves"
[ "$(inside systemctl show -p UnitFileState --value left4me-server@alpha.service)" == enabled ] || fail "not enabled"
quakestat -a2s "127.0.0.1:$port" -raw , | grep -q c2m1_highway || fail "A2S from the host"
pass "start: running under systemd, A2S answers, SocketBindDeny/Allow and slice in effect"

# The server's HOME is steam-home, bound read-only into its sandbox: srcds finds steamclient.so and logs on.
assert_contains "$(inside sh -c "tr '\\0' '\\n' </proc/$pid/environ")" "HOME=$root/steam-home" "the server's HOME"
journal_says() { inside journalctl -u left4me-server@alpha.service --no-pager -o cat | grep -qF -- "$1"; }
wait_until 10 journal_says "Connection to Steam servers successful." ||
  fail "no Steam logon: $(inside journalctl -u left4me-server@alpha.service --no-pager -o cat | tail -30)"
! journal_says "LAN mode only" || fail "alpha runs in LAN mode"
pass "the server runs with HOME=steam-home, finds steamclient.so in its sandbox and is not in LAN mode"

# logs from the journal, and --follow.
expect_ctl 0 rcon alpha say hello from the journal
expect_ctl 0 logs alpha --lines 200 --no-follow
assert_contains "$OUT" "hello from the journal"
inside timeout -s INT 6 left4me l4d2ctl logs alpha --lines 0 --follow >"$T/follow.out" 2>&1 &
follower=$!
on_exit "kill $follower 2>/dev/null"
sleep 1
expect_ctl 0 rcon alpha say followed line
wait_until 10 grep -q "followed line" "$T/follow.out"
wait "$follower" || true
pass "logs and logs --follow from the journal"

# Identity: beta runs as another uid; beta's uid cannot write (or read the config of) alpha's layer,
# only its own, and inside beta's sandbox alpha's runtime does not exist at all.
expect_ctl 0 start beta --wait --timeout 30
uid_beta=$(inside cat "$root/instances/beta/uid")
pid_beta=$(show beta MainPID)
[ "$uid_beta" != "$uid_alpha" ] || fail "alpha and beta share uid $uid_beta"
assert_eq "$uid_beta" "$(inside stat -c %u /proc/$pid_beta)" "beta's server uid"
as_uid() { local uid=$1; shift; inside setpriv --reuid="$uid" --regid="$uid" --clear-groups -- "$@"; }
expect_exit 0 as_uid "$uid_beta" touch "$root/runtime/beta/merged/left4dead2/written-by-beta"
assert_eq left4me "$(inside stat -c %U "$root/runtime/beta/upper/left4dead2/written-by-beta")" "owner on disk"
expect_exit 1 as_uid "$uid_beta" touch "$root/runtime/alpha/merged/left4dead2/written-by-beta"
assert_contains "$OUT" "Permission denied" "beta writing alpha's merged tree"
expect_exit 1 as_uid "$uid_beta" touch "$root/runtime/alpha/upper/written-by-beta"
expect_exit 1 as_uid "$uid_beta" truncate -s 0 "$root/runtime/alpha/merged/left4dead2/cfg/server.cfg"
expect_exit 1 as_uid "$uid_beta" cat "$root/runtime/alpha/merged/left4dead2/cfg/server.cfg"
expect_exit 1 as_uid "$uid_beta" touch "$root/installation/written-by-beta"
expect_exit 0 as_uid "$uid_alpha" touch "$root/runtime/alpha/merged/left4dead2/written-by-alpha"
expect_exit 0 inside nsenter -t "$pid_beta" -m -- test -d "$root/runtime/beta/merged/left4dead2"
expect_exit 1 inside nsenter -t "$pid_beta" -m -- test -e "$root/runtime/alpha"
expect_ctl 0 stop beta
inside test ! -e /etc/systemd/system/left4me-server@beta.service.d/50-instance.conf || fail "beta's drop-in after stop"
expect_exit 2 inside getent passwd "$uid_beta"
pass "each server runs as its own uid and cannot write another instance's layer"

# Ports: a process in beta's unit may bind beta's own port only; the kernel refuses any other (alpha's
# is taken anyway, so a free port of the range shows the rule: the range used to be allowed whole).
expect_ctl 0 start beta --wait --timeout 30
cgroup=/sys/fs/cgroup$(inside systemctl show -p ControlGroup --value left4me-server@beta.service)
free_in_range=$(game_port)
bind_in_beta() {  # PROTO PORT -> prints ok or the errno name
  inside sh -c "echo \$\$ >'$cgroup/cgroup.procs' && exec python3 -c '
import errno, socket, sys
kind = socket.SOCK_DGRAM if sys.argv[1] == \"udp\" else socket.SOCK_STREAM
s = socket.socket(socket.AF_INET, kind)
try:
    s.bind((\"0.0.0.0\", int(sys.argv[2]))); print(\"ok\")
except OSError as e:
    print(errno.errorcode[e.errno])
' $1 $2"
}
assert_eq EPERM "$(bind_in_beta udp "$free_in_range")" "beta binding a free port of the range (UDP)"
assert_eq EPERM "$(bind_in_beta tcp "$free_in_range")" "beta binding a free port of the range (TCP)"
assert_eq EPERM "$(bind_in_beta udp "$port")" "beta binding alpha's port"
assert_eq EADDRINUSE "$(bind_in_beta udp "$port_beta")" "beta's own port (allowed, and held by its server)"
expect_ctl 0 stop beta
pass "a server may bind only its own game port"

# Nothing the service user writes reaches a root process: instance.env is theirs, and the unit's root
# hooks (ExecStartPre=+/ExecStopPost=+) once took its lines as their environment. A preloaded library
# that leaves a marker when any process loads it, and LD_DEBUG, put into beta's instance.env while its
# unit is configured (started, then restarted by systemd as after a crash): no root process loads
# the library, no loader output reaches the journal, and the start fails with the file's line named.
cat >"$T/marker.c" <<'C'
#include <stdio.h>
#include <unistd.h>
__attribute__((constructor)) static void mark(void) {
  FILE* f = fopen("/run/left4me-marker", "a");
  if (f) { fprintf(f, "uid %d pid %d\n", (int)getuid(), (int)getpid()); fclose(f); }
}
C
gcc -shared -fPIC -o "$T/marker.so" "$T/marker.c" || fail "cannot build the marker library"
inside install -D -m 0755 /mnt/t/marker.so /usr/local/lib/left4me-test/marker.so
expect_ctl 0 start beta --wait --timeout 30
inside sh -c "rm -f /run/left4me-marker && cp $root/instances/beta/instance.env /run/beta.env.good &&
  printf 'LD_PRELOAD=/usr/local/lib/left4me-test/marker.so\nLD_DEBUG=libs\n' >>$root/instances/beta/instance.env"
inside systemctl restart left4me-server@beta.service 2>/dev/null || true
wait_until 20 sh -c "[ \"\$('$CI' sh '$name' systemctl show -p ActiveState --value left4me-server@beta.service)\" = failed ]"
journal=$(inside journalctl -u left4me-server@beta.service --no-pager -o cat)
assert_contains "$journal" "instance.env:5: unknown key \"LD_PRELOAD\"" "the journal names the bad line"
assert_not_contains "$journal" "find library=" "loader debug output in the journal"
inside test ! -e /run/left4me-marker || fail "a process loaded the library: $(inside cat /run/left4me-marker)"
# Through l4d2ctl (and the helper it runs through sudo) the start fails with the same message.
expect_ctl 1 start beta
assert_contains "$OUT" "instance.env:5: unknown key \"LD_PRELOAD\""
expect_exit 1 inside setpriv --reuid=left4me --regid=left4me --init-groups -- sudo -n /usr/local/libexec/left4me/left4me-systemctl enable beta
assert_contains "$OUT" "left4me-systemctl: enable 'beta': $root/instances/beta/instance.env:5: unknown key"
inside test ! -e /run/left4me-marker || fail "a process loaded the library: $(inside cat /run/left4me-marker)"
inside sh -c "cp /run/beta.env.good $root/instances/beta/instance.env && chown left4me: $root/instances/beta/instance.env"
expect_ctl 0 stop beta
pass "instance.env reaches no root process: a loader line fails the start with its line named"

# kill -9 of the server: systemd restarts it.
inside kill -9 "$pid"
wait_until 20 sh -c "[ \"\$('$CI' sh '$name' systemctl show -p NRestarts --value left4me-server@alpha.service)\" = 1 ]"
wait_until 20 sh -c "'$CI' sh '$name' left4me l4d2ctl status alpha --json | grep -q '\"state\": *\"running\"'"
expect_ctl 0 status alpha --json
assert_eq 1 "$(json_get "$OUT" 'j["restarts"]')" "restarts after kill -9"
[ "$(json_get "$OUT" 'j["pid"]')" != "$pid" ] || fail "same pid after the restart"
# systemd restarted it by itself (no helper ran): the identity comes from the unit's drop-in.
assert_eq "$uid_alpha" "$(inside stat -c %u "/proc/$(json_get "$OUT" 'j["pid"]')")" "uid after systemd's restart"
pass "kill -9: systemd restarted the server"

# The burst limit: crashes beyond 5 in 60 s leave the unit failed, and status says so.
for _ in 1 2 3 4 5 6; do
  current=$(show alpha MainPID)
  [ "$current" != 0 ] && inside kill -9 "$current" 2>/dev/null || true
  wait_until 20 sh -c "s=\$('$CI' sh '$name' systemctl show -p ActiveState,MainPID --value left4me-server@alpha.service | tr '\n' ' '); [ \"\$s\" != 'active $current ' ]"
  [ "$(show alpha ActiveState)" == failed ] && break
  wait_until 20 sh -c "[ \"\$('$CI' sh '$name' systemctl show -p SubState --value left4me-server@alpha.service)\" = running ] || [ \"\$('$CI' sh '$name' systemctl show -p ActiveState --value left4me-server@alpha.service)\" = failed ]"
done
assert_eq failed "$(show alpha ActiveState)" "after the burst"
# systemd 252 keeps the last run's Result (signal) when an automatic restart hits the limit;
# the journal names the limit.
assert_contains "$(inside journalctl -u left4me-server@alpha.service --no-pager -o cat)" \
  "Start request repeated too quickly" "the unit's journal"
expect_ctl 0 status alpha --json
assert_eq failed "$(json_get "$OUT" 'j["state"]')" "status after the burst"
assert_eq 0 "$(mounts_inside)" "mounts of a failed instance"
pass "burst limit: failed, and status says so"

# start again after failed, then stop: unmounted; delete: nothing left.
expect_ctl 0 start alpha --wait --timeout 30
expect_ctl 0 stop alpha
expect_ctl 0 status alpha --json
assert_eq stopped "$(json_get "$OUT" 'j["state"]')" "state after stop"
assert_eq false "$(json_get "$OUT" 'j["mounted"]')" "mounted after stop"
assert_eq 0 "$(mounts_inside)" "mounts after stop"
assert_eq disabled "$(inside systemctl show -p UnitFileState --value left4me-server@alpha.service)"
inside test ! -e /etc/systemd/system/left4me-server@alpha.service.d || fail "alpha's identity drop-in after stop"
expect_exit 2 inside getent passwd "$uid_alpha"
expect_ctl 0 stop alpha
expect_ctl 0 delete alpha
inside test ! -e "$root/instances/alpha" || fail "instance left after delete"
inside test ! -e "$root/runtime/alpha" || fail "runtime left after delete"
assert_eq 0 "$(units_inside)" "units after delete"
pass "stop unmounts; delete leaves nothing"

# 50 start/stop cycles.
for cycle in $(seq 1 50); do
  ctl start beta >"$T/cycle.log" 2>&1 || { cat "$T/cycle.log"; fail "start, cycle $cycle"; }
  ctl stop beta >"$T/cycle.log" 2>&1 || { cat "$T/cycle.log"; fail "stop, cycle $cycle"; }
done
assert_eq 0 "$(mounts_inside)" "mounts after 50 cycles"
assert_eq 0 "$(units_inside)" "units after 50 cycles"
expect_ctl 0 delete beta
pass "50 start/stop cycles leave no mounts and no units"
