#!/usr/bin/env bash
# Benchmark: how long a running server is down when it moves to a new game build (docs/design.md, "Game
# builds"): one instance on fake-srcds (built-in supervisor) runs build 16034045; a new build is installed
# beside it; then `l4d2ctl restart --wait` moves it, RUNS times (the first onto the new build, the rest the
# same restart again). The wall time of that restart is an upper bound on the downtime: it covers the stop,
# the new mount and the start until the server answers A2S with its map. Prints the median and the range
# for docs/benchmarks.md ("Preparing a game update"). Not a test.
# Usage: bench/build_switch.sh [BUILD_DIR] [RUNS]   (as root; RUNS=5 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(cd "${1:-build}" && pwd)
runs=${2:-5}
work=$(mktemp -d /tmp/left4me-bench.XXXXXX)
ctl=$build/src/cli/l4d2ctl
cleanup() { "$ctl" stop bench --timeout 5 >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
export LEFT4ME_ROOT=$work/root LEFT4ME_HOST_ENV=$work/host.env LEFT4ME_SUPERVISOR=builtin
export LEFT4ME_STEAMCMD=$build/src/testing/fake_steamcmd/fake-steamcmd
export FAKE_SRCDS=$build/src/testing/fake_srcds/fake-srcds FAKE_STEAMCMD_FILES=64
: >"$LEFT4ME_HOST_ENV"
mkdir -p "$LEFT4ME_ROOT"
"$ctl" install >/dev/null 2>&1
port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'port: %s\nmap: c1m1_hotel\nhostname: bench\n' "$port" >"$work/spec.yaml"
"$ctl" initialize bench -f "$work/spec.yaml" >/dev/null
"$ctl" start bench --wait --timeout 30 >/dev/null
build_of() { "$ctl" status bench --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["build"]["id"])'; }
before=$(build_of)
FAKE_STEAMCMD_BUILDID=17000001 FAKE_STEAMCMD_UPDATE_PERCENT=1 "$ctl" install >/dev/null 2>&1
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
times=()
for i in $(seq 1 "$runs"); do
  start=$(date +%s%N)
  "$ctl" restart bench --wait --timeout 30 >/dev/null
  times+=($(( ($(date +%s%N) - start) / 1000000 )))
  [ "$i" = 1 ] && after=$(build_of)
done
[ "$after" = 17000001 ] || { echo "the restart did not move the server to the new build ($before -> $after)" >&2; exit 1; }
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }' <<<"$sorted")
echo "| build $before -> $after, restart --wait | median $median ms | range $(head -1 <<<"$sorted")-$(tail -1 <<<"$sorted") ms over $runs runs (first: $(printf '%s' "${times[0]}") ms) |"
