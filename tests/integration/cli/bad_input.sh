#!/usr/bin/env bash
# Every bad input gets its message and exit code, and the disk stays exactly as it was.
. "$(dirname "$0")/../lib.sh"
setup_host_root
port=$(free_port)
write_spec "$T/good.yaml" "$port"
expect_exit 0 "$BIN_L4D2CTL" initialize alpha -f "$T/good.yaml"

snapshot() { (cd "$LEFT4ME_ROOT" && find . -printf '%p %s %m\n' | sort && find . -type f -exec md5sum {} + | sort); }
before=$(snapshot)
unchanged() { assert_eq "$before" "$(snapshot)" "the data root after: $1"; }

for name in '../x' 'A' "$(printf 'x%.0s' {1..65})" '' 'a/b' '-rf' '_a'; do
  for command in "initialize $name -f $T/good.yaml" "start $name" "stop $name" "delete $name" "status $name"; do
    read -r -a argv <<<"$command"
    [ -z "$name" ] && argv=("${argv[0]}" "" "${argv[@]:1}")
    expect_exit 2 "$BIN_L4D2CTL" "${argv[@]}"
    [[ "$OUT" == *"invalid instance name"* || "$OUT" == *"l4d2ctl:"* ]] || fail "no clear message for '$name': $OUT"
  done
done
expect_exit 2 "$BIN_L4D2CTL" start '../x'
assert_contains "$OUT" "invalid instance name '../x'"
unchanged "invalid names"

expect_exit 2 "$BIN_L4D2CTL" initialize alpha -f "$T/missing.yaml"
assert_contains "$OUT" "missing.yaml"
unchanged "a missing spec"

printf 'port: [1, 2\nhostname: x\n' >"$T/malformed.yaml"
expect_exit 2 "$BIN_L4D2CTL" initialize alpha -f "$T/malformed.yaml"
assert_contains "$OUT" "malformed.yaml:"
unchanged "malformed YAML"

check_invalid() {  # description expected-fragment yaml...
  local what=$1 expected=$2; shift 2
  printf '%s\n' "$@" >"$T/bad.yaml"
  expect_exit 2 "$BIN_L4D2CTL" initialize alpha -f "$T/bad.yaml"
  assert_contains "$OUT" "$expected" "$what"
  assert_contains "$OUT" "bad.yaml:" "$what names the file"
  unchanged "$what"
}
check_invalid "port out of range" "port" "port: 70000"
check_invalid "port of wrong type" "port" "port: abc"
check_invalid "missing port" "port" "hostname: x"
check_invalid "unknown key" "colour" "port: $port" "colour: red"
check_invalid "cvar injection" "cvars.sv_cheats" "port: $port" "cvars:" "  sv_cheats: \"1; quit\""
check_invalid "max players range" "max_players" "port: $port" "max_players: 99"
check_invalid "missing overlay" "overlay" "port: $port" "overlays: [\"../etc\"]"
check_invalid "overlay not present" "nothere" "port: $port" "overlays: [nothere]"
check_invalid "bad map" "map" "port: $port" "map: \"c1m1 hotel\""

expect_exit 2 "$BIN_L4D2CTL" frobnicate
assert_contains "$OUT" "l4d2ctl:"
expect_exit 2 "$BIN_L4D2CTL" start
expect_exit 3 "$BIN_L4D2CTL" start ghost
assert_contains "$OUT" "no such instance 'ghost'"
expect_exit 3 "$BIN_L4D2CTL" logs ghost --no-follow
expect_exit 0 "$BIN_L4D2CTL" delete ghost
unchanged "unknown commands and instances"

# steamcmd missing: a clear error.
LEFT4ME_STEAMCMD= expect_exit 1 "$BIN_L4D2CTL" install
assert_contains "$OUT" "LEFT4ME_STEAMCMD"
LEFT4ME_STEAMCMD=/nonexistent/steamcmd expect_exit 1 "$BIN_L4D2CTL" install
assert_contains "$OUT" "/nonexistent/steamcmd"
pass "bad input"
