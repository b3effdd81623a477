#!/usr/bin/env bash
# l4d2ctl-remote, the forced command of the panel's SSH key, run as sshd runs it: the command line in
# SSH_ORIGINAL_COMMAND, sshd's environment around it, the spec on standard input. The contract's commands
# reach l4d2ctl and behave as locally; a shell, other programs, injection and smuggled options are refused
# with exit 2 before anything runs.
. "$(dirname "$0")/../lib.sh"
setup_host_root
install_game
BIN_REMOTE="$LEFT4ME_BUILD/src/cli/l4d2ctl-remote"
# As on a host: l4d2ctl's settings come from host.env, which the host's sshd names (SetEnv); nothing of
# this shell's environment reaches l4d2ctl.
printf 'LEFT4ME_ROOT=%s\nLEFT4ME_SUPERVISOR=builtin\n' "$LEFT4ME_ROOT" >"$LEFT4ME_HOST_ENV"
remote() {  # remote COMMAND-LINE [stdin-file]: as sshd runs the forced command
  env -i HOME=/nonexistent PATH=/usr/bin:/bin LEFT4ME_HOST_ENV="$LEFT4ME_HOST_ENV" LEFT4ME_ROOT=/wrong \
      LEFT4ME_SUPERVISOR=systemd LC_ALL=C SSH_CONNECTION="10.0.0.1 5000 10.0.0.2 22" \
      SSH_ORIGINAL_COMMAND="$1" "$BIN_REMOTE" <"${2:-/dev/null}"
}
port=$(free_port)
write_spec "$T/a.yaml" "$port"

# The contract: initialize from standard input, start, status, rcon with quoted text, logs, stop, delete.
remote "initialize alpha -f -" "$T/a.yaml" >"$T/out" 2>&1 || { cat "$T/out"; fail "remote initialize"; }
assert_contains "$(cat "$LEFT4ME_ROOT/instances/alpha/instance.env")" "L4D2_PORT=$port" "instance.env"
remote "start alpha --wait --timeout 30" >"$T/out" 2>&1 || { cat "$T/out"; fail "remote start"; }
status=$(remote "status alpha --json") || fail "remote status"
assert_eq running "$(json_get "$status" "j['state']")" "state"
assert_eq builtin "$(json_get "$status" "j['supervisor']")" "the supervisor host.env names, not the caller's environment"
reply=$(remote "rcon alpha 'echo it'\\''s \$(id) \`id\` & | > fine'") || fail "remote rcon"
assert_contains "$reply" "it's \$(id) \`id\` & | > fine" "rcon reply to quoted text"
reply=$(remote "rcon alpha echo --json -f") || fail "remote rcon with option-like words"
assert_contains "$reply" "--json -f" "option-like words reach the console, not l4d2ctl"
assert_contains "$(remote "logs alpha -n 200")" "echo --json -f" "remote logs"
assert_contains "$(remote "list --json")" '"alpha"' "remote list"

# Refused before anything runs: exit 2, one line naming why.
refused() {  # refused COMMAND-LINE EXPECTED-MESSAGE-PART [stdin-file]
  local out rc=0
  out=$(remote "$1" "${3:-/dev/null}" 2>&1) || rc=$?
  assert_eq 2 "$rc" "exit code of: $1"
  assert_contains "$out" "l4d2ctl-remote: " "message of: $1"
  assert_contains "$out" "$2" "message of: $1"
}
touch "$T/canary"
refused "bash -c 'rm $T/canary'" "'bash' is not a command this key may run"
refused "status alpha; rm $T/canary" "';' outside single quotes"
refused "status \$(rm $T/canary)" "'\$' outside single quotes"
refused "status \`rm $T/canary\`" "'\`' outside single quotes"
refused "status alpha && rm $T/canary" "'&' outside single quotes"
refused "status alpha | rm $T/canary" "'|' outside single quotes"
refused "$(printf 'status alpha\nrm %s/canary' "$T")" "control character"
refused "rcon alpha '$(printf 'say x\nquit')'" "control character"
refused "__supervise alpha --lock-fd 0" "'__supervise' is not a command"
refused "status alpha --lock-fd 0" "no option '--lock-fd'"
refused "initialize alpha -f /etc/shadow" "standard input"
refused "status ../../etc" "invalid instance name"
refused "stop alpha --timeout=0" "next word"
refused "" "empty"
[ -e "$T/canary" ] || fail "a refused command removed the canary"
assert_eq running "$(json_get "$("$BIN_L4D2CTL" status alpha --json)" "j['state']")" "state after the refusals"

# A spec over the limit is refused and the instance keeps its spec.
head -c $((256 * 1024 + 1)) /dev/zero | tr '\0' '#' >"$T/huge.yaml"
refused "initialize alpha -f -" "larger than 262144 bytes" "$T/huge.yaml"
assert_contains "$(cat "$LEFT4ME_ROOT/instances/alpha/instance.env")" "L4D2_PORT=$port" "instance.env after a huge spec"
# A bad spec is l4d2ctl's usage error, with its own message.
echo "port: 70000" >"$T/bad.yaml"
rc=0; out=$(remote "initialize alpha -f -" "$T/bad.yaml" 2>&1) || rc=$?
assert_eq 2 "$rc" "exit code of a bad spec"
assert_contains "$out" "port" "l4d2ctl's message for a bad spec"
# No command at all (ssh without a command asks for a shell).
rc=0; out=$(env -i "$BIN_REMOTE" 2>&1) || rc=$?
assert_eq 2 "$rc" "exit code without a command"
assert_contains "$out" "runs l4d2ctl commands only" "message without a command"

remote "stop alpha" >/dev/null || fail "remote stop"
remote "delete alpha --yes" >/dev/null || fail "remote delete"
[ ! -e "$LEFT4ME_ROOT/instances/alpha" ] || fail "alpha is still there after remote delete"
assert_eq 0 "$(mounts_under "$LEFT4ME_ROOT")" "mounts at the end"
pass "remote"
