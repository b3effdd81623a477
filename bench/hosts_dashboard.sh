#!/usr/bin/env bash
# Benchmark: the dashboard's status refresh over several hosts (issue 17's goal: 3 hosts x 50 servers under 1.5x one
# host's, i.e. hosts polled in parallel). Three hosts made by the hosts tests' harness (tests/integration/hosts/lib.sh:
# network namespaces joined to the panel's by veth pairs, Debian's sshd with the panel key's forced command
# l4d2ctl-remote), SERVERS (default 50) instances running on fake-srcds on each, started by l4d2ctl on the host itself
# (the panel polls `l4d2ctl list --json --players` of every host whoever made them). The real l4d2web runs in the
# panel's namespace with a web.env; the hosts are added through /api/v1/hosts and confirm-key. What is measured is
# the web app's own figure: GET /api/v1/hosts's status_refresh.wall_ms (one refresh of the live status, from its
# first `l4d2ctl list` to the merged statuses; the local host, empty, is polled in both cases) and each host's
# round_trip_ms. Each round: host 1 alone, then hosts 1-3, SAMPLES refreshes each (after WARMUP dropped ones: the
# new ssh connection); hosts 2 and 3 are removed again before the next round. Prints each round's medians and the
# medians of the ROUNDS (default 3) for docs/benchmarks.md ("Several hosts"). Where the machine has cgroups, also the
# CPU time one refresh costs (the web app with its ssh clients and the local host's l4d2ctl; each host's sshd with
# its sessions, l4d2ctl-remote and the l4d2ctl it starts), and from it the ratio's floor on this machine: every
# host on the same cores, three hosts' refresh cannot take less than its CPU time over the cores. Not a test.
# Usage: bench/hosts_dashboard.sh [BUILD_DIR]   (as root; SERVERS=50 ROUNDS=3 SAMPLES=15 WARMUP=2 PERIOD_MS=1000)
set -euo pipefail
cd "$(dirname "$0")/.."
LEFT4ME_BUILD=$(cd "${1:-build}" && pwd)
LEFT4ME_SOURCE=$(pwd)
export LEFT4ME_BUILD LEFT4ME_SOURCE
servers=${SERVERS:-50} rounds=${ROUNDS:-3} samples=${SAMPLES:-15} warmup=${WARMUP:-2} period=${PERIOD_MS:-1000}
. tests/integration/hosts/lib.sh

# running_on N: how many of host N's instances run, as its own l4d2ctl lists them.
running_on() {
  host_l4d2ctl "$1" list --json | python3 -c 'import json,sys; print(sum(s.get("state") == "running" for s in json.load(sys.stdin)))'
}
all_running() { [ "$(running_on "$1")" == "$servers" ]; }
for n in 1 2 3; do
  make_host "$n"
  for ((i = 0; i < servers; i++)); do
    write_spec "$T/s$n-$i.yaml" $((27015 + i))
    host_l4d2ctl "$n" initialize "s$n-$i" -f "$T/s$n-$i.yaml" >/dev/null
    host_l4d2ctl "$n" start "s$n-$i" >/dev/null
  done
done
for n in 1 2 3; do wait_until 120 all_running "$n"; done
echo "hosts 1-3: $servers instances running on each"

panel_web_start "LEFT4ME_STATUS_CACHE_MS=$period" LEFT4ME_ACCESS_LOG=false

# CPU accounting: a cgroup per host for its sshd (the sessions it forks, l4d2ctl-remote and the l4d2ctl each
# request starts inherit it; the host's supervisor and servers, started above, stay outside), one for the web app
# (its ssh clients and the local host's l4d2ctl inherit it). cgroup v1's cpuacct where this machine mounts it,
# else v2's cpu.stat; none: no CPU columns.
CPU_GROUPS=""
if [ -w /sys/fs/cgroup/cpuacct/cgroup.procs ]; then
  cpu_group() { echo "/sys/fs/cgroup/cpuacct/l4m-bench-$$-$1"; }
elif [ -w /sys/fs/cgroup/cgroup.procs ] && [ -e /sys/fs/cgroup/cgroup.controllers ]; then
  cpu_group() { echo "/sys/fs/cgroup/l4m-bench-$$-$1"; }
fi
if declare -F cpu_group >/dev/null; then
  for part in panel h1 h2 h3; do
    mkdir "$(cpu_group "$part")"
    on_exit "rmdir $(cpu_group "$part") 2>/dev/null"
    CPU_GROUPS+="$(cpu_group "$part") "
  done
  # PID and its descendants (PANEL_WEB_PID is the subshell that runs nsenter and the web app in the background).
  with_descendants() {
    local child
    echo "$1"
    for child in $(cat /proc/"$1"/task/*/children 2>/dev/null); do with_descendants "$child"; done
  }
  for pid in $(with_descendants "$PANEL_WEB_PID"); do echo "$pid" >"$(cpu_group panel)/cgroup.procs"; done
  for n in 1 2 3; do
    for pid in $(sshd_pids "$n"); do echo "$pid" >"$(cpu_group "h$n")/cgroup.procs"; done
  done
  [ "$(wc -l <"$(cpu_group panel)/cgroup.procs")" -ge 2 ] || fail "the web app is not in $(cpu_group panel)"
  # At exit the processes go back to the parent group before the groups are removed (cleanups run last first).
  cpu_groups_release() {
    local group pid
    for group in $CPU_GROUPS; do
      for pid in $(cat "$group/cgroup.procs"); do echo "$pid" >"$(dirname "$group")/cgroup.procs" || true; done
    done 2>/dev/null
  }
  on_exit cpu_groups_release
fi
export CPU_GROUPS
# PATCH local's max_servers to 0 is not needed: no server is created; local is polled (empty) in both cases.

# sample COUNT: COUNT new refreshes after WARMUP, one line each: wall_ms, the slowest remote host's round_trip_ms,
# and the sum of every host's (local included): what the refresh would take polling them one after another. Then,
# with CPU_GROUPS, a line "cpu PANEL H1 H2 H3": each group's CPU time per refresh (ms) over a window of 10 periods
# in which nothing asks the web app anything (one GET before and one after count the refreshes).
sample() {
  python3 - "$1" "$warmup" "$period" -s --max-time 30 -b "$PANEL_DIR/jar" "$PANEL_WEB/api/v1/hosts" <<'PY'
import json, os, subprocess, sys, time
count, warmup, period_ms = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
curl = ["nsenter", "--net=/run/netns/" + os.environ["PANEL_NS"], "curl"] + sys.argv[4:]
groups = os.environ.get("CPU_GROUPS", "").split()
def usage_ms():
    result = []
    for group in groups:
        if os.path.exists(group + "/cpuacct.usage"):
            result.append(int(open(group + "/cpuacct.usage").read()) / 1e6)
        else:
            stat = dict(line.split() for line in open(group + "/cpu.stat"))
            result.append(int(stat["usage_usec"]) / 1e3)
    return result
def get():
    return json.loads(subprocess.run(curl, capture_output=True, text=True, check=True).stdout)
seen, skipped, out = None, 0, []
while len(out) < count:
    j = get()
    refresh = j["status_refresh"]
    if refresh and refresh["number"] != seen:
        remote = [h for h in j["hosts"] if not h["local"]]
        # A refresh of every host listed, each answering; the first ones pay the new ssh connection.
        if seen is not None and refresh["hosts"] == len(j["hosts"]) and all(h["reachable"] for h in remote):
            if skipped < warmup:
                skipped += 1
            else:
                trips = [h["round_trip_ms"] for h in j["hosts"]]
                out.append((refresh["wall_ms"], max(h["round_trip_ms"] for h in remote), sum(trips)))
        seen = refresh["number"]
    time.sleep(0.1)
for row in out:
    print(*row)
if groups:
    first, before = get()["status_refresh"]["number"], usage_ms()
    time.sleep(10 * period_ms / 1000)
    after, last = usage_ms(), get()["status_refresh"]["number"]
    if last > first:
        print("cpu", *(f"{(b - a) / (last - first):.2f}" for a, b in zip(before, after)))
PY
}
export PANEL_NS
median() { python3 -c 'import statistics,sys; print(f"{statistics.median(float(x) for x in sys.argv[1:]):.1f}")' "$@"; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
host1=$(panel_add_host 1 "\"port_min\":27015,\"port_max\":27115,\"max_servers\":100")
cores=$(nproc)
one_walls=() three_walls=() one_trips=() three_trips=() three_sums=() floors=() one_cpus=() three_cpus=()
# column K of the refresh rows of the named sample (the "cpu" line left out)
column() { local -n rows=$1; printf '%s\n' "${rows[@]}" | grep -v '^cpu' | cut -d' ' -f"$2"; }
# CPU per refresh of the named sample, the parts added: panel + host 1 (+ hosts 2 and 3)
cpu_sum() { local -n rows=$1; printf '%s\n' "${rows[@]}" | awk '$1 == "cpu" { printf "%.2f", $2 + $3 + $4 + $5 }'; }
cpu_parts() { local -n rows=$1; printf '%s\n' "${rows[@]}" | awk '$1 == "cpu" { printf "panel %s, hosts %s / %s / %s", $2, $3, $4, $5 }'; }
for ((round = 1; round <= rounds; round++)); do
  mapfile -t one < <(sample "$samples")
  ids=()
  for n in 2 3; do ids+=("$(panel_add_host "$n" "\"port_min\":27015,\"port_max\":27115,\"max_servers\":100")"); done
  mapfile -t three < <(sample "$samples")
  for id in "${ids[@]}"; do
    [ "$(panel_api_status DELETE "/api/v1/hosts/$id")" == 200 ] || fail "deleting host $id: $(cat "$PANEL_DIR/api.body")"
  done
  one_wall=$(median $(column one 1))
  three_wall=$(median $(column three 1))
  one_trip=$(median $(column one 2))
  three_trip=$(median $(column three 2))
  three_sum=$(median $(column three 3))
  three_sums+=("$three_sum")
  one_walls+=("$one_wall") three_walls+=("$three_wall") one_trips+=("$one_trip") three_trips+=("$three_trip")
  printf 'round %d: refresh 1 host %.1f ms (its list %.0f ms), 3 hosts %.1f ms (slowest list %.0f ms, all lists %.0f ms): %.2fx\n' \
    "$round" "$one_wall" "$one_trip" "$three_wall" "$three_trip" "$three_sum" "$(python3 -c "print($three_wall / $one_wall)")"
  if [ -n "$CPU_GROUPS" ]; then
    one_cpu=$(cpu_sum one) three_cpu=$(cpu_sum three)
    one_cpus+=("$one_cpu") three_cpus+=("$three_cpu")
    # N cores do the 3-host refresh's CPU work in no less than 1/N of it: the ratio's floor on this machine.
    floors+=("$(python3 -c "print(f'{$three_cpu / $cores / $one_wall:.2f}')")")
    printf '  CPU per refresh: 1 host %s ms (%s); 3 hosts %s ms (%s); on %d cores at best %.1f ms = %sx the 1-host refresh\n' \
      "$one_cpu" "$(cpu_parts one)" "$three_cpu" "$(cpu_parts three)" "$cores" "$(python3 -c "print($three_cpu / $cores)")" "${floors[-1]}"
  fi
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "$host1" ]
one=$(median "${one_walls[@]}") three=$(median "${three_walls[@]}")
echo "| hosts x running servers | status refresh (median of $samples, each round) | median of the $rounds rounds | slowest host's list | all hosts' lists added | CPU per refresh (all parts) |"
echo "|---|---|---|---|---|---|"
cpu_cell() { [ $# -eq 0 ] || echo "$(median "$@") ms"; }
echo "| 1 x $servers | ${one_walls[*]} ms | $one ms | $(median "${one_trips[@]}") ms | | $(cpu_cell "${one_cpus[@]}") |"
echo "| 3 x $servers | ${three_walls[*]} ms | $three ms | $(median "${three_trips[@]}") ms | $(median "${three_sums[@]}") ms | $(cpu_cell "${three_cpus[@]}") |"
python3 -c "print(f'3 hosts / 1 host: {$three / $one:.2f}x (goal: under 1.5x)')"
[ ${#floors[@]} -eq 0 ] || echo "the ratio's floor on these $cores cores (3 hosts' CPU per refresh / $cores / 1 host's refresh), per round: ${floors[*]}"
