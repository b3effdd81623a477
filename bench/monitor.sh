#!/usr/bin/env bash
# Benchmark: the built-in supervisor's health monitor with N running fake-srcds servers (default 100): its CPU
# use over a window (goal: under 1% of one core), `l4d2ctl list --json` of all of them next to one `status --json`
# (medians of LIST_RUNS alternating runs, wall and CPU time; goal: list under 2x status; with OLD_CTL set, that
# binary alternates with the build's over the same servers), and how long after a server hangs
# (SIGSTOP) it runs again (goal: within LEFT4ME_HANG_SECONDS plus 2 s). Not a test.
# Usage: bench/monitor.sh [BUILD_DIR]   (as root; uses fake-steamcmd and fake-srcds from the build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
count=${SERVERS:-100}
window=${WINDOW_SECONDS:-60}
work=$(mktemp -d /tmp/left4me-bench.XXXXXX)
export LEFT4ME_ROOT=$work/root LEFT4ME_HOST_ENV=$work/host.env LEFT4ME_SUPERVISOR=builtin
export LEFT4ME_STEAMCMD=$PWD/$build/src/testing/fake_steamcmd/fake-steamcmd FAKE_SRCDS=$PWD/$build/src/testing/fake_srcds/fake-srcds
export LEFT4ME_HANG_SECONDS=${LEFT4ME_HANG_SECONDS:-10} LEFT4ME_MONITOR_INTERVAL_SECONDS=${LEFT4ME_MONITOR_INTERVAL_SECONDS:-2}
export LEFT4ME_RESTART_DELAY_MS=${LEFT4ME_RESTART_DELAY_MS:-200}
export LEFT4ME_PORT_RANGE_START=20000 LEFT4ME_PORT_RANGE_END=29999
ctl=$PWD/$build/src/cli/l4d2ctl
: >"$LEFT4ME_HOST_ENV"
names=()
cleanup() {
  for name in "${names[@]}"; do "$ctl" stop "$name" --timeout 1 >/dev/null 2>&1 || true; done
  for name in "${names[@]}"; do "$ctl" delete "$name" --yes >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
"$ctl" install >/dev/null
free_ports=$(python3 - "$count" <<'PY'
import socket, sys
ports = []
for port in range(20000, 30000):
    if len(ports) == int(sys.argv[1]): break
    t = socket.socket(); u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        t.bind(("0.0.0.0", port)); u.bind(("0.0.0.0", port)); ports.append(port)
    except OSError:
        pass
    finally:
        t.close(); u.close()
print(" ".join(map(str, ports)))
PY
)
i=0
for port in $free_ports; do
  name=s$i; i=$((i + 1)); names+=("$name")
  printf 'port: %s\nhostname: "%s"\n' "$port" "$name" >"$work/$name.yaml"
  "$ctl" initialize "$name" -f "$work/$name.yaml" >/dev/null
  "$ctl" start "$name" --wait --timeout 60 >/dev/null
done
monitor=$(for pid in $(ls /proc | grep -E '^[0-9]+$'); do
  { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -q ' __monitor ' || continue
  { tr '\0' '\n' <"/proc/$pid/environ"; } 2>/dev/null | grep -qx "LEFT4ME_ROOT=$LEFT4ME_ROOT" && echo "$pid"
done)
[ "$(wc -w <<<"$monitor")" == 1 ] || { echo "bench: expected one monitor, found: $monitor" >&2; exit 1; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$monitor/stat"; }
sleep 5  # every server seen and ready
before=$(cpu_ticks); started=$EPOCHREALTIME
sleep "$window"
after=$(cpu_ticks); ended=$EPOCHREALTIME
percent=$(python3 -c "import os,sys; t=os.sysconf('SC_CLK_TCK'); print(f'{(int(sys.argv[2])-int(sys.argv[1]))/t/(float(sys.argv[4])-float(sys.argv[3]))*100:.2f}')" \
  "$before" "$after" "$started" "$ended")
# OLD_CTL=<another tree's l4d2ctl>: both binaries alternate over the same servers, one row each.
list_vs_status=$(python3 - "${LIST_RUNS:-21}" "$ctl" ${OLD_CTL:+"$OLD_CTL"} <<'PY'
import resource, statistics, subprocess, sys, time
runs, ctls = int(sys.argv[1]), sys.argv[2:]
def timed(ctl, args):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run([ctl] + args, stdout=subprocess.DEVNULL, check=True)
    wall = (time.perf_counter() - began) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
rows = {ctl: ([], [], [], []) for ctl in ctls}
for _ in range(runs):
    for ctl in ctls:
        for offset, args in ((0, ["list", "--json"]), (2, ["status", "s1", "--json"])):
            wall, cpu = timed(ctl, args)
            rows[ctl][offset].append(wall)
            rows[ctl][offset + 1].append(cpu)
for ctl in ctls:
    lw, lc, sw, sc = map(statistics.median, rows[ctl])
    print(f"| {ctl} | {lw:.1f} ms ({lc:.1f} ms CPU) | {sw:.1f} ms ({sc:.1f} ms CPU) | {lw / sw:.2f}x ({lc / sc:.1f}x) |")
PY
)
pid=$("$ctl" status s0 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
kill -STOP -- "-$pid"
hung=$EPOCHREALTIME
while [ -d "/proc/$pid" ]; do sleep 0.05; done
killed=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$hung" "$EPOCHREALTIME")
until "$ctl" status s0 --json | python3 -c 'import json,sys; j=json.load(sys.stdin); sys.exit(0 if j["pid"] not in (None, '"$pid"') and j["state"] == "running" else 1)'; do
  sleep 0.05
done
took=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$hung" "$EPOCHREALTIME")
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| running servers | interval | monitor CPU (of one core, ${window} s) | hang time | hung server killed after | running again after |"
echo "|---|---|---|---|---|---|"
echo "| $count | ${LEFT4ME_MONITOR_INTERVAL_SECONDS} s | ${percent} % | ${LEFT4ME_HANG_SECONDS} s | ${killed} s | ${took} s |"
echo
echo "| $count running servers, l4d2ctl | list --json (median of ${LIST_RUNS:-21}) | status --json of one | ratio, wall (CPU) |"
echo "|---|---|---|---|"
echo "$list_vs_status"
