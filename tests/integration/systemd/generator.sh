#!/usr/bin/env bash
# left4me-generator: derives the port rule and the CPU split from host.env, validates both, and fails
# closed (no allowed port, no pinning) on bad settings.
. "$(dirname "$0")/../lib.sh"
GENERATOR="$LEFT4ME_SOURCE/deploy/scripts/left4me-generator"
export LEFT4ME_HOST_ENV="$T/host.env" LEFT4ME_CPUS_PRESENT=0-7

generate() {  # host.env lines...
  printf '%s\n' "$@" >"$T/host.env"
  rm -rf "$T/out"; mkdir "$T/out"
  set +e; OUT=$("$GENERATOR" "$T/out" 2>&1); RC=$?; set -e
}
file() { grep -v '^#' "$T/out/$1" 2>/dev/null | tr '\n' ' '; }

generate "# defaults"
assert_eq 0 "$RC" "exit of defaults"
assert_eq "[Service] SocketBindDeny=any SocketBindAllow=udp:27000-27999 SocketBindAllow=tcp:27000-27999 " \
  "$(file left4me-server@.service.d/20-ports.conf)"
[ ! -e "$T/out/l4d2-game.slice.d" ] || fail "pinning without LEFT4ME_SYSTEM_CPUS"
pass "defaults: ports 27000-27999, no pinning"

generate LEFT4ME_PORT_RANGE_START=27015 "LEFT4ME_PORT_RANGE_END=27115  " "LEFT4ME_SYSTEM_CPUS=0,4"
assert_eq 0 "$RC" "exit ($OUT)"
assert_contains "$(file left4me-server@.service.d/20-ports.conf)" "SocketBindAllow=udp:27015-27115 SocketBindAllow=tcp:27015-27115"
assert_eq "[Slice] AllowedCPUs=1,2,3,5,6,7 " "$(file l4d2-game.slice.d/20-cpus.conf)"
for unit in l4d2-build.slice.d/20-cpus.conf system.slice.d/99-left4me-cpuset.conf user.slice.d/99-left4me-cpuset.conf; do
  assert_eq "[Slice] AllowedCPUs=0,4 " "$(file $unit)" "$unit"
done
generate "LEFT4ME_SYSTEM_CPUS=0-1,1"
assert_eq "[Slice] AllowedCPUs=2,3,4,5,6,7 " "$(file l4d2-game.slice.d/20-cpus.conf)"
pass "port range and CPU split"

for bad in "LEFT4ME_SYSTEM_CPUS=0-7" "LEFT4ME_SYSTEM_CPUS=8" "LEFT4ME_SYSTEM_CPUS=a" "LEFT4ME_SYSTEM_CPUS=3-1" \
           "LEFT4ME_SYSTEM_CPUS=0,,1" "LEFT4ME_SYSTEM_CPUS=-1"; do
  generate "$bad"
  assert_eq 1 "$RC" "exit for $bad"
  assert_contains "$OUT" "LEFT4ME_SYSTEM_CPUS" "message for $bad"
  [ ! -e "$T/out/l4d2-game.slice.d" ] || fail "$bad: pinned anyway"
  assert_contains "$(file left4me-server@.service.d/20-ports.conf)" "SocketBindAllow=udp:27000-27999"
done
generate "LEFT4ME_SYSTEM_CPUS=0-7"
assert_contains "$OUT" "at least one must remain for games"
pass "bad CPU settings are refused and nothing is pinned"

for bad in "LEFT4ME_PORT_RANGE_START=80" "LEFT4ME_PORT_RANGE_END=70000" "LEFT4ME_PORT_RANGE_START=x" \
           "LEFT4ME_PORT_RANGE_START=28000"; do
  generate "$bad"
  assert_eq 1 "$RC" "exit for $bad"
  assert_contains "$OUT" "port range" "message for $bad"
  assert_eq "[Service] SocketBindDeny=any " "$(file left4me-server@.service.d/20-ports.conf)" "fail closed for $bad"
done
pass "bad port ranges fail closed"

printf 'LEFT4ME_SYSTEM_CPUS=0\n' >"$T/host.env"
assert_eq "ports=27000-27999
system_cpus=0
game_cpus=1,2,3,4,5,6,7" "$("$GENERATOR" --check)"
printf 'LEFT4ME_SYSTEM_CPUS=9\n' >"$T/host.env"
expect_exit 1 "$GENERATOR" --check
assert_contains "$OUT" "CPU 9 not present"
printf 'LEFT4ME_SYSTEM_CPUS=$(touch %s/pwned)\n' "$T" >"$T/host.env"
expect_exit 1 "$GENERATOR" --check
[ ! -e "$T/pwned" ] || fail "host.env was executed"
pass "--check validates; host.env is parsed, never executed"
