#!/usr/bin/env bash
# Hang detection under systemd (docs/design.md, "Health and hang detection"), in one container boot: the
# package's left4me-monitor.service, with short times set in host.env as an administrator would, watches the
# servers systemd runs. A server whose process lives but no longer answers (stopped with SIGSTOP) is killed
# through `left4me-systemctl kill` within the hang time plus a margin and restarted by systemd, the reason in
# status and in `l4d2ctl logs`; a map change whose silence outlasts the hang time inside the grace window is
# not restarted (sent by `l4d2ctl rcon`, or seen only on the console, i.e. in the journal); a server that
# hangs after every start ends failed after StartLimitBurst.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root (boots a container)"; exit 77; }
for binary in "$BIN_L4D2CTL" "$BIN_FAKE_STEAMCMD" "$BIN_FAKE_SRCDS"; do
  [ -x "$binary" ] || fail "$binary is not built"
done
command -v rconclt >/dev/null || fail "rconclt is missing (scripts/setup installs it)"
CI="$LEFT4ME_SOURCE/tests/integration/systemd/ci-systemd.sh"
name=health-$$
inside() { "$CI" sh "$name" "$@"; }
ctl() { inside left4me l4d2ctl "$@"; }
expect_ctl() { local code=$1; shift; expect_exit "$code" inside left4me l4d2ctl "$@"; }
root=/var/lib/left4me
show() { inside systemctl show -p "$2" --value "left4me-server@$1.service"; }
field() { json_get "$(ctl status "$1" --json)" "$2"; }
health_is() { [ "$(field "$1" 'j["health"]["state"]')" == "$2" ]; }
answering() { quakestat -a2s "127.0.0.1:$(field "$1" 'j["port"]')" -raw , | grep -q c2m1_highway; }
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
hang() { inside systemctl kill --signal=SIGSTOP "left4me-server@$1.service"; }
resume() { inside systemctl kill --signal=SIGCONT "left4me-server@$1.service"; }

(cd "$LEFT4ME_BUILD" && cpack -G DEB -B "$T/pkg" >"$T/cpack.log" 2>&1) || { cat "$T/cpack.log"; fail "cpack"; }
cp "$T"/pkg/left4me_*.deb "$T/left4me.deb"
on_exit "'$CI' down '$name'"
"$CI" up "$name" --bind-ro="$T:/mnt/t" --bind-ro="$LEFT4ME_BUILD" >/dev/null
inside dpkg -i /mnt/t/left4me.deb >"$T/dpkg.log" 2>&1 || { cat "$T/dpkg.log"; fail "dpkg -i"; }
inside install -D -m 0755 "$BIN_FAKE_SRCDS" /usr/local/lib/left4me-test/fake-srcds
# The administrator's settings, then the monitor restarted to read them: a hang after 3 s of silence, asked
# every second; a map change gets 10 s; a start 8 s before its first answer is due.
inside sh -c "sed -i 's|^LEFT4ME_STEAMCMD=.*|LEFT4ME_STEAMCMD=$BIN_FAKE_STEAMCMD|' /etc/left4me/host.env &&
  printf '%s\n' FAKE_SRCDS=/usr/local/lib/left4me-test/fake-srcds LEFT4ME_SUPERVISOR=systemd \
    LEFT4ME_RESTART_DELAY_MS=300 LEFT4ME_HANG_SECONDS=3 LEFT4ME_MONITOR_INTERVAL_SECONDS=1 \
    LEFT4ME_MAP_CHANGE_GRACE_SECONDS=10 LEFT4ME_START_GRACE_SECONDS=8 >>/etc/left4me/host.env &&
  systemctl daemon-reload && systemctl restart left4me-monitor.service"
assert_eq active "$(inside systemctl is-active left4me-monitor.service)" "the monitor after its restart"
ctl install --json >"$T/install.log" 2>&1 || { cat "$T/install.log"; fail "l4d2ctl install"; }
for instance in hung mapchange console hangloop; do
  write_spec "$T/$instance.yaml" "$(game_port)"
  inside install -m 0640 -o left4me -g left4me "/mnt/t/$instance.yaml" "$root/tmp/$instance.yaml"
  expect_ctl 0 initialize "$instance" -f "$root/tmp/$instance.yaml"
done
pass "package installed; the monitor runs with host.env's hang settings"

# 1. A hung server is killed by the monitor and restarted by systemd.
expect_ctl 0 start hung --wait --timeout 30
wait_until 15 health_is hung ready || fail "hung never became ready: $(ctl status hung --json)"
hung_pid=$(show hung MainPID)
hang hung
stopped_at=$EPOCHREALTIME
wait_until 20 sh -c "[ \"\$('$CI' sh '$name' systemctl show -p MainPID --value left4me-server@hung.service)\" != $hung_pid ]"
took=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$stopped_at" "$EPOCHREALTIME")
python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) <= 3 + 3 else 1)" "$took" ||
  fail "the hung server was killed after ${took} s, more than the hang time (3 s) plus 3 s"
wait_until 20 answering hung || fail "hung was not restarted: $(ctl status hung --json)"
assert_eq 1 "$(show hung NRestarts)" "systemd's restarts of the hung server"
expect_ctl 0 status hung --json
assert_contains "$(json_get "$OUT" 'j["health"]["last_restart_reason"]')" "unresponsive: no A2S answer for " "health"
assert_eq 1 "$(json_get "$OUT" 'j["restarts"]')" "restarts in status"
expect_ctl 0 logs hung --lines 400 --no-follow
assert_contains "$OUT" "left4me: monitor: unresponsive: no A2S answer for " "l4d2ctl logs says why"
assert_contains "$OUT" "killing the server so that systemd restarts it" "l4d2ctl logs"
assert_contains "$(inside journalctl -u left4me-server@hung.service --no-pager -o cat)" "status=9/KILL" \
  "the unit's journal: killed by SIGKILL"
wait_until 15 health_is hung ready
pass "a hung server is killed after ${took} s (hang time 3 s) and restarted by systemd, the reason in status and logs"

# 2. Map changes silent for 6 s (twice the hang time) inside the 10 s grace window: one sent by `l4d2ctl rcon`
# (recorded before it is sent), one by another RCON client (seen only on the console, in the journal).
expect_ctl 0 start mapchange --wait --timeout 30
expect_ctl 0 start console --wait --timeout 30
wait_until 15 health_is mapchange ready || fail "mapchange never became ready: $(ctl status mapchange --json)"
wait_until 15 health_is console ready || fail "console never became ready: $(ctl status console --json)"
mapchange_pid=$(show mapchange MainPID)
console_pid=$(show console MainPID)
console_changes() {
  inside journalctl -u left4me-server@console.service --no-pager -o cat | grep -c -- '---- Host_Changelevel ----' || true
}
before=$(console_changes)
console_port=$(field console 'j["port"]')
rconclt -t 2 "secret-$console_port@127.0.0.1:$console_port" changelevel c1m1_hotel >/dev/null ||
  fail "rconclt changelevel on console's port $console_port"
console_changed() { [ "$(console_changes)" -gt "$before" ]; }
wait_until 5 console_changed || fail "the console's map change is not in the journal"
hang console
expect_ctl 0 rcon mapchange changelevel c1m1_hotel
hang mapchange
sleep 6
resume mapchange
resume console
sleep 2  # past the hang time after the silence: a wrong verdict would have been acted on
for instance in mapchange console; do
  assert_eq 0 "$(show "$instance" NRestarts)" "$instance: systemd's restarts after a map change"
  assert_eq active "$(show "$instance" ActiveState)" "$instance after a map change"
  expect_ctl 0 status "$instance" --json
  assert_eq ready "$(json_get "$OUT" 'j["health"]["state"]')" "$instance: health after a map change"
  assert_eq null "$(json_get "$OUT" 'j["health"]["last_restart_reason"]')" "$instance: last restart reason"
done
assert_eq "$mapchange_pid" "$(show mapchange MainPID)" "pid after a map change sent by l4d2ctl rcon"
assert_eq "$console_pid" "$(show console MainPID)" "pid after a map change seen on the console"
expect_ctl 0 stop mapchange
expect_ctl 0 stop console
pass "a map change quiet for twice the hang time, inside the grace window, is not restarted"

# 3. A server that hangs after every start: each hang is killed, until systemd's burst limit leaves it failed.
expect_ctl 0 start hangloop --wait --timeout 30
previous=0
for _ in 1 2 3 4 5 6; do
  new_run_or_failed() {
    local state pid
    state=$(show hangloop ActiveState) pid=$(show hangloop MainPID)
    [ "$state" == failed ] || { [ "$pid" != 0 ] && [ "$pid" != "$previous" ]; }
  }
  wait_until 20 new_run_or_failed || fail "hangloop did not restart: $(show hangloop ActiveState)"
  [ "$(show hangloop ActiveState)" == failed ] && break
  wait_until 15 health_is hangloop ready || fail "hangloop's run never became ready: $(ctl status hangloop --json)"
  previous=$(show hangloop MainPID)
  hang hangloop
  wait_until 15 sh -c "[ \"\$('$CI' sh '$name' systemctl show -p MainPID --value left4me-server@hangloop.service)\" != $previous ]" ||
    fail "hangloop's hung run was not killed"
done
wait_until 10 sh -c "[ \"\$('$CI' sh '$name' systemctl show -p ActiveState --value left4me-server@hangloop.service)\" = failed ]" ||
  fail "hangloop is $(show hangloop ActiveState) after its hangs, not failed"
assert_contains "$(inside journalctl -u left4me-server@hangloop.service --no-pager -o cat)" \
  "Start request repeated too quickly" "the unit's journal"
expect_ctl 0 status hangloop --json
assert_eq failed "$(json_get "$OUT" 'j["state"]')" "status after the burst"
assert_contains "$(json_get "$OUT" 'j["health"]["last_restart_reason"]')" "unresponsive" "health of the failed instance"
expect_ctl 0 logs hangloop --lines 400 --no-follow
assert_eq 5 "$(grep -c 'left4me: monitor: unresponsive' <<<"$OUT")" "the monitor's kills in l4d2ctl logs"
pass "a server that hangs after every start ends failed after StartLimitBurst"

# The server that was restarted once answers on, and was not restarted again.
assert_eq 1 "$(show hung NRestarts)" "restarts of the server that hung once"
assert_eq active "$(inside systemctl is-active left4me-monitor.service)" "the monitor at the end"
pass "one monitor service watched every server"
