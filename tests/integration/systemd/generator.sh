#!/usr/bin/env bash
# left4me-generator: derives the CPU split from host.env, validates it and the port range, pins nothing
# on bad settings, and takes its test hooks as options, never from the environment. (The port rule is
# per server since the security fix: left4me-systemctl writes it into each instance's own drop-in.)
. "$(dirname "$0")/../lib.sh"
GENERATOR="$LEFT4ME_SOURCE/deploy/scripts/left4me-generator"
gen() { "$GENERATOR" --host-env "$T/host.env" --cpus-present 0-7 "$@"; }

generate() {  # host.env lines...
  printf '%s\n' "$@" >"$T/host.env"
  rm -rf "$T/out"; mkdir "$T/out"
  set +e; OUT=$(gen "$T/out" 2>&1); RC=$?; set -e
}
file() { grep -v '^#' "$T/out/$1" 2>/dev/null | tr '\n' ' '; }

generate "# defaults"
assert_eq 0 "$RC" "exit of defaults"
[ ! -e "$T/out/left4me-server@.service.d" ] || fail "a drop-in for every server without a setting"
[ ! -e "$T/out/l4d2-game.slice.d" ] || fail "pinning without LEFT4ME_SYSTEM_CPUS"
pass "defaults: no drop-ins (no pinning; ports are per server)"

generate LEFT4ME_PORT_RANGE_START=27015 "LEFT4ME_PORT_RANGE_END=27115  " "LEFT4ME_SYSTEM_CPUS=0,4"
assert_eq 0 "$RC" "exit ($OUT)"
assert_eq "[Slice] AllowedCPUs=1,2,3,5,6,7 " "$(file l4d2-game.slice.d/20-cpus.conf)"
for unit in l4d2-build.slice.d/20-cpus.conf system.slice.d/99-left4me-cpuset.conf user.slice.d/99-left4me-cpuset.conf; do
  assert_eq "[Slice] AllowedCPUs=0,4 " "$(file $unit)" "$unit"
done
generate "LEFT4ME_SYSTEM_CPUS=0-1,1"
assert_eq "[Slice] AllowedCPUs=2,3,4,5,6,7 " "$(file l4d2-game.slice.d/20-cpus.conf)"
pass "CPU split"

for bad in "LEFT4ME_SYSTEM_CPUS=0-7" "LEFT4ME_SYSTEM_CPUS=8" "LEFT4ME_SYSTEM_CPUS=a" "LEFT4ME_SYSTEM_CPUS=3-1" \
           "LEFT4ME_SYSTEM_CPUS=0,,1" "LEFT4ME_SYSTEM_CPUS=-1"; do
  generate "$bad"
  assert_eq 1 "$RC" "exit for $bad"
  assert_contains "$OUT" "LEFT4ME_SYSTEM_CPUS" "message for $bad"
  [ ! -e "$T/out/l4d2-game.slice.d" ] || fail "$bad: pinned anyway"
done
generate "LEFT4ME_SYSTEM_CPUS=0-7"
assert_contains "$OUT" "at least one must remain for games"
pass "bad CPU settings are refused and nothing is pinned"

# The restart delay: a RestartSec= drop-in when set (the unit's own 5 s otherwise); bad values are refused.
generate "LEFT4ME_RESTART_DELAY_MS=300"
assert_eq 0 "$RC" "exit ($OUT)"
assert_eq "[Service] RestartSec=300ms " "$(file left4me-server@.service.d/20-restart.conf)"
for bad in "LEFT4ME_RESTART_DELAY_MS=fast" "LEFT4ME_RESTART_DELAY_MS=600001" "LEFT4ME_RESTART_DELAY_MS=-1"; do
  generate "$bad"
  assert_eq 1 "$RC" "exit for $bad"
  assert_contains "$OUT" "LEFT4ME_RESTART_DELAY_MS" "message for $bad"
  [ ! -e "$T/out/left4me-server@.service.d" ] || fail "$bad: a drop-in anyway"
done
pass "the restart delay from host.env"

for bad in "LEFT4ME_PORT_RANGE_START=80" "LEFT4ME_PORT_RANGE_END=70000" "LEFT4ME_PORT_RANGE_START=x" \
           "LEFT4ME_PORT_RANGE_START=28000"; do
  generate "$bad"
  assert_eq 1 "$RC" "exit for $bad"
  assert_contains "$OUT" "port range" "message for $bad"
done
pass "bad port ranges are reported"

printf 'LEFT4ME_SYSTEM_CPUS=0\n' >"$T/host.env"
assert_eq "ports=27000-27999
system_cpus=0
game_cpus=1,2,3,4,5,6,7
restart_delay_ms=5000" "$(gen --check)"
printf 'LEFT4ME_SYSTEM_CPUS=9\n' >"$T/host.env"
expect_exit 1 gen --check
assert_contains "$OUT" "CPU 9 not present"
printf 'LEFT4ME_SYSTEM_CPUS=$(touch %s/pwned)\n' "$T" >"$T/host.env"
expect_exit 1 gen --check
[ ! -e "$T/pwned" ] || fail "host.env was executed"
pass "--check validates; host.env is parsed, never executed"

# The environment picks nothing: LEFT4ME_HOST_ENV names a file with a bad value, and is ignored.
printf 'LEFT4ME_SYSTEM_CPUS=9\n' >"$T/host.env"
printf 'LEFT4ME_SYSTEM_CPUS=zzz\n' >"$T/evil.env"
out=$(LEFT4ME_HOST_ENV="$T/evil.env" LEFT4ME_CPUS_PRESENT=0 "$GENERATOR" --host-env "$T/host.env" --cpus-present 0-7 --check 2>&1 || true)
assert_contains "$out" "CPU 9 not present"   # from --host-env's file, not the environment's
pass "the environment is ignored"
