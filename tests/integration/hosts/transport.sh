#!/usr/bin/env bash
# The panel's transport to its hosts (docs/design.md, "Several hosts: transport") through the real ssh and
# Debian's sshd, to three hosts in network namespaces (lib.sh), driven by web_ssh_probe: the web app's own
# ssh_argv, Ctl over ssh, scan/pin and transport_error. On each host: the key pinned as the admin confirms
# it, initialize with the spec on standard input, start, status, list, logs --follow (lines arrive), rcon,
# stop, delete; all over one multiplexed connection; the same short calls through one session (SshSession), and
# what a session refuses. Then what the forced command refuses through sshd
# (nothing runs: a canary stays), a changed host key (refused, nothing run, then re-confirmed), and hosts
# taken away (sshd killed, link down, also under a running logs --follow): the transport's error within the
# connect timeout.
. "$(dirname "$0")/lib.sh"
PROBE_CONNECT_TIMEOUT=3
make_host 1
make_host 2
make_host 3
# no_follower N: no `l4d2ctl logs ... --follow` runs on host N.
no_follower() {
  local pid
  for pid in $(ip netns pids "$(host_ns "$1")"); do
    ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "l4d2ctl logs .*--follow" || return 1
  done
}
accepted() { grep -c "Accepted publickey" "$(host_dir "$1")/sshd.log" || true; }

# Adding a host: the panel pins the key it scanned; the fingerprint it shows is the host's own key's.
for n in 1 2 3; do
  shown=$(panel_ctl "$n" pin) || fail "pin host $n"
  own=$(ssh-keygen -l -E sha256 -f "$(host_dir "$n")/ssh_host_ed25519_key.pub" | cut -d' ' -f2)
  assert_eq "ssh-ed25519 $own" "$shown" "the fingerprint shown for host $n"
  assert_eq "10.231.$n.2 ssh-ed25519" "$(cut -d' ' -f1-2 "$PANEL_DIR/ssh/known_hosts.d/$n")" "pinned line of host $n"
done
pass "host keys pinned as scanned"

# The contract on each host, the same port on all (each host is its own network).
names=(_ alpha bravo charlie)
for n in 1 2 3; do
  name=${names[n]}
  write_spec "$T/spec$n.yaml" 27015
  panel_ctl "$n" initialize "$name" <"$T/spec$n.yaml" >"$T/out" 2>&1 || { cat "$T/out"; fail "initialize on host $n"; }
  assert_contains "$(cat "$(host_dir "$n")/root/instances/$name/instance.env")" "L4D2_PORT=27015" "instance.env on host $n"
  panel_ctl "$n" run start "$name" --wait --timeout 30 >"$T/out" 2>&1 || { cat "$T/out"; fail "start on host $n"; }
  status=$(panel_ctl "$n" run status "$name" --json) || fail "status on host $n"
  assert_eq running "$(json_get "$status" "j['state']")" "state on host $n"
  assert_eq "$name" "$(panel_ctl "$n" list)" "the instances host $n lists"
  # logs --follow: lines that come after it started arrive.
  panel_ctl "$n" follow "$name" 1 "said on host $n" >"$T/follow$n" 2>&1 &
  follower=$!
  wait_until 10 test -s "$T/follow$n"  # the backlog's line: it follows now
  reply=$(panel_ctl "$n" run rcon "$name" echo "it's said on host $n \$(id) | x") || fail "rcon on host $n"
  assert_contains "$reply" "it's said on host $n \$(id) | x" "rcon reply on host $n"
  wait_until 15 bash -c "! kill -0 $follower 2>/dev/null"
  wait "$follower" || fail "logs --follow on host $n: $(cat "$T/follow$n")"
  assert_contains "$(cat "$T/follow$n")" "said on host $n" "followed log of host $n"
  # The panel ended its follower: the host's `l4d2ctl logs --follow` ends too (no process left behind).
  wait_until 10 no_follower "$n"
done
assert_contains "$(host_l4d2ctl 1 list --json)" '"alpha"' "host 1's own list"
assert_not_contains "$(host_l4d2ctl 1 list --json)" '"bravo"' "host 1's own list"
pass "initialize, start, status, list, logs --follow and rcon on every host"

# One connection per host: every call so far went over the first one (one handshake, one login).
mapfile -t argv < <(panel_ssh_argv 1)
destination=${argv[-1]}
ssh_options=("${argv[@]:0:${#argv[@]}-2}")
check=$(in_panel "${ssh_options[@]}" -O check -- "$destination" 2>&1) || fail "ssh -O check: $check"
assert_contains "$check" "Master running" "ssh -O check"
for n in 1 2 3; do assert_eq 1 "$(accepted "$n")" "logins on host $n after all the calls"; done
pass "one multiplexed connection per host"

# What the key cannot do, through sshd: nothing runs, the canary stays.
touch "$T/canary"
raw() { in_panel "${argv[@]}" "$@"; }  # ssh_argv and a command line of the test's own, not Ctl's quoting
refused() {  # refused EXPECTED-MESSAGE-PART COMMAND-LINE...
  local want=$1 rc=0 out; shift
  out=$(raw "$@" 2>&1 </dev/null) || rc=$?
  assert_eq 2 "$rc" "exit code of: $*"
  assert_contains "$out" "$want" "message of: $*"
}
refused "runs l4d2ctl commands only"                           # no command: a shell
refused "is not a command this key may run" "bash -c 'rm $T/canary'"
refused "';' outside single quotes" "status alpha; rm $T/canary"
refused "'\$' outside single quotes" "status \$(rm $T/canary)"
refused "control character" "$(printf 'status alpha\nrm %s/canary' "$T")"
refused "no option '--lock-fd'" "status alpha --lock-fd 0"
refused "'__supervise' is not a command" "__supervise alpha"
refused "standard input" "initialize alpha -f $T/canary"
refused "';' outside single quotes" status alpha "; rm $T/canary"  # ssh joins words with spaces
rc=0; out=$(in_panel "${ssh_options[@]}" -W 127.0.0.1:22 -- "$destination" 2>&1 </dev/null) || rc=$?
[ "$rc" != 0 ] || fail "a forwarding through the panel's key was allowed"
head -c $((256 * 1024 + 1)) /dev/zero | tr '\0' '#' >"$T/huge.yaml"
rc=0; out=$(panel_ctl 1 initialize alpha <"$T/huge.yaml" 2>&1) || rc=$?
assert_eq 2 "$rc" "exit code of a spec over the limit"
assert_contains "$out" "larger than 262144 bytes" "message of a spec over the limit"
assert_contains "$(cat "$(host_dir 1)/root/instances/alpha/instance.env")" "L4D2_PORT=27015" "alpha's spec after"
[ -e "$T/canary" ] || fail "a refused command removed the canary"
assert_eq running "$(json_get "$(host_l4d2ctl 1 status alpha --json)" "j['state']")" "alpha after the refusals"
pass "the forced command refuses a shell, other commands, injection, smuggled options and a huge spec"

# The session (SshSession: one ssh per host for the panel's short calls): Ctl::run's status, list and rcon go
# through one session over the same connection, answered as single calls are.
out=$(panel_ctl 1 ask "status alpha --json" "list --json" "status nosuch --json" "rcon alpha 'echo in a session'") ||
  fail "calls through the session: $out"
assert_eq 3 "$(grep -c '^exit 0$' <<<"$out")" "calls answered with exit 0 through the session"
assert_contains "$out" '"name":"alpha"' "status and list through the session"
assert_contains "$out" "in a session" "rcon through the session"
assert_contains "$out" "sessions: 1" "session ssh processes for four calls"
assert_eq 1 "$(accepted 1)" "logins on host 1 after the session"
# What a session refuses: every request passes a single call's checks, and only calls that run to completion
# without a spec run in it; a refusal is an answer (exit 2) and the session goes on; its input's end ends it.
frames() {  # the session's answers as "<exit code>|<stderr>", one a line
  python3 -c '
import sys
data = sys.stdin.buffer.read()
while data:
    head, _, data = data.partition(b"\n")
    code, out, err = map(int, head.split(b" "))
    print(f"{code}|{data[out:out + err].decode().strip()}")
    data = data[out + err:]'
}
rc=0
printf '%s\n' "bash -c 'rm $T/canary'" "status alpha" "status alpha; rm $T/canary" "logs alpha --follow" \
  "initialize alpha -f -" "status \$(rm $T/canary)" "status alpha --lock-fd 0" "session" "list" |
  raw session >"$T/frames" 2>&1 || rc=$?
assert_eq 0 "$rc" "exit code of a session at its input's end"
frames <"$T/frames" >"$T/answers" || fail "the session's answers are not frames: $(head -c 300 "$T/frames")"
expected=("2|l4d2ctl-remote: 'bash' is not a command this key may run" "0|" "2|l4d2ctl-remote: command line, at byte 13: ';'"
  "2|l4d2ctl-remote: 'logs' runs while its output is read: not in a session" "2|l4d2ctl-remote: 'initialize' takes a spec"
  "2|l4d2ctl-remote: command line, at byte 8: '\$'" "2|l4d2ctl-remote: status has no option '--lock-fd'"
  "2|l4d2ctl-remote: 'session' is not a command" "0|")
mapfile -t answers <"$T/answers"
assert_eq "${#expected[@]}" "${#answers[@]}" "answers of the session"
for i in "${!expected[@]}"; do assert_contains "${answers[i]}" "${expected[i]}" "answer $i of the session"; done
refused "'session' is not a command" "session status alpha"
[ -e "$T/canary" ] || fail "a request refused in a session removed the canary"
no_follower 1 || fail "a session started a follower"
pass "calls through one session; a session refuses what a single call refuses, and what runs while read or takes a spec"

for n in 1 2 3; do
  name=${names[n]}
  panel_ctl "$n" run stop "$name" >"$T/out" 2>&1 || { cat "$T/out"; fail "stop on host $n"; }
  panel_ctl "$n" run delete "$name" --yes >"$T/out" 2>&1 || { cat "$T/out"; fail "delete on host $n"; }
  [ ! -e "$(host_dir "$n")/root/instances/$name" ] || fail "$name is still on host $n after delete"
  assert_eq "" "$(panel_ctl "$n" list)" "host $n's instances after delete"
done
pass "stop and delete on every host"

# A changed host key: refused with the new key's fingerprint named, nothing run; confirmed again, it works.
stop_sshd 2
rm "$(host_dir 2)"/ssh_host_ed25519_key*
ssh-keygen -q -t ed25519 -N '' -C host-2-reinstalled -f "$(host_dir 2)/ssh_host_ed25519_key"
new=$(ssh-keygen -l -E sha256 -f "$(host_dir 2)/ssh_host_ed25519_key.pub" | cut -d' ' -f2)
logins=$(accepted 2)
start_sshd 2
rc=0; out=$(panel_ctl 2 initialize bravo <"$T/spec2.yaml" 2>&1) || rc=$?
assert_eq 255 "$rc" "exit code with a changed host key"
assert_contains "$out" "transport: the host key of root@10.231.2.2:22 changed: it now offers ED25519 $new" "message"
assert_contains "$out" "confirm the new key on the hosts page" "message"
assert_eq "$logins" "$(accepted 2)" "logins on host 2 with a changed key"
[ ! -e "$(host_dir 2)/root/instances/bravo" ] || fail "an instance was made through a changed host key"
assert_eq "ssh-ed25519 $new" "$(panel_ctl 2 pin)" "the fingerprint shown when confirming again"
assert_eq "" "$(panel_ctl 2 list)" "host 2 after the new key is confirmed"
pass "a changed host key is refused until confirmed again"

# Hosts taken away. Host 1's sshd killed: its connection ends; calls fail at once with the transport's error.
stop_sshd 1
started=$SECONDS
rc=0; out=$(panel_ctl 1 run status alpha --json 2>&1) || rc=$?
assert_eq 255 "$rc" "exit code with host 1's sshd gone"
assert_contains "$out" "transport: cannot reach root@10.231.1.2:22 over ssh: " "message with sshd gone"
assert_contains "$out" "Connection refused" "message with sshd gone"
rc=0; out=$(panel_ctl 1 list 2>&1) || rc=$?
assert_eq 255 "$rc" "list's exit code with host 1's sshd gone"
[ $((SECONDS - started)) -le "$PROBE_CONNECT_TIMEOUT" ] || fail "took $((SECONDS - started)) s with sshd gone"
# Host 2's link down under a running logs --follow (the multiplexed connection is up): the follower ends
# and a new call fails, each within the connect timeout (3 s) and a second of slack.
write_spec "$T/spec2.yaml" 27015
panel_ctl 2 initialize bravo <"$T/spec2.yaml" >/dev/null 2>&1 || fail "initialize bravo again"
panel_ctl 2 follow bravo 5 "never said" >"$T/follow-down" 2>&1 &
follower=$!
sleep 1
ip -n "$(host_ns 2)" link set "l4h2-$$" down
started=$SECONDS
rc=0; wait "$follower" || rc=$?
[ "$rc" != 0 ] || fail "logs --follow ended well with the link down"
[ $((SECONDS - started)) -le $((PROBE_CONNECT_TIMEOUT + 2)) ] || fail "logs --follow took $((SECONDS - started)) s to end"
started=$SECONDS
rc=0; out=$(panel_ctl 2 run status bravo --json 2>&1) || rc=$?
assert_eq 255 "$rc" "exit code with host 2's link down"
assert_contains "$out" "transport: cannot reach root@10.231.2.2:22 over ssh: " "message with the link down"
[ $((SECONDS - started)) -le $((PROBE_CONNECT_TIMEOUT + 2)) ] || fail "status took $((SECONDS - started)) s"
pass "hosts taken away: the transport's error within the connect timeout"
