#!/usr/bin/env bash
# Does the game wait for the panel? (issue 18 item 2; a benchmark, not a test.) In a booted systemd-nspawn container
# with the package installed (as tests/integration/systemd/ boots it), 4 fake-srcds servers at -tickrate 100 run
# under the systemd supervisor in l4d2-game.slice while, at the same time: wrk on the panel's dashboard at 64
# connections and 1,000 SSE viewers of one console (bench/web_bench.sh TOGETHER=1, its own l4d2web on the host),
# a game install of a new build with fake-steamcmd (in system.slice) and a script overlay build burning two CPUs
# for the whole window (`l4d2ctl build-overlay`, in l4d2-build.slice). Each server's tick lateness (p50, p99, max)
# and missed ticks over the window come from fake-srcds's `stats` (its left4me_ticks line) through `l4d2ctl rcon`.
# First the same window with none of that load (the reference); then every round runs once without CPU pinning and
# once with it; between the two only /etc/left4me/host.env changes (LEFT4ME_SYSTEM_CPUS, then daemon-reload and a
# restart of the servers), never a packaged unit. It also records the game slice's AllowedCPUs/EffectiveCPUs and the
# CPUs each server may run on (Cpus_allowed_list), which say whether the pinning is in force where it ran.
# Usage: bench/game_isolation.sh [BUILD_DIR]   (as root; RUNS rounds, default 3; SECONDS_EACH, default 20, the
# window; SYSTEM_CPUS, default 0, the pinned runs' LEFT4ME_SYSTEM_CPUS; PACKAGE, a left4me .deb to install instead
# of the one cpack makes from BUILD_DIR). About 2 minutes a round. Needs cpack and wrk.
# Prints the figures for docs/benchmarks.md, "Game isolation".
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$source_dir/build}" && pwd)
runs=${RUNS:-3} seconds=${SECONDS_EACH:-20} system_cpus=${SYSTEM_CPUS:-0}
CI=$source_dir/tests/integration/systemd/ci-systemd.sh
name=iso-$$
root=/var/lib/left4me
work=$(mktemp -d /tmp/game-isolation.XXXXXX)
inside() { "$CI" sh "$name" "$@"; }
ctl() { inside left4me l4d2ctl "$@"; }  # as the service user, env files loaded
cleanup() { "$CI" down "$name" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
servers=(g1 g2 g3 g4)

if [ -n "${PACKAGE:-}" ]; then
  cp "$PACKAGE" "$work/left4me.deb"
else
  (cd "$build" && cpack -G DEB -B "$work/pkg" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; exit 1; }
  cp "$work"/pkg/left4me_*.deb "$work/left4me.deb"
fi
chmod 0755 "$work"
"$CI" up "$name" --bind-ro="$work:/mnt/t" --bind-ro="$build" >/dev/null
inside dpkg -i /mnt/t/left4me.deb >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; exit 1; }
# As tests/integration/systemd/lifecycle.sh: fake-srcds where the hardened unit can see it, fake-steamcmd as
# steamcmd, the systemd supervisor; a game of 128 MiB of real bytes, so an install copies and writes.
inside install -D -m 0755 "$build/src/testing/fake_srcds/fake-srcds" /usr/local/lib/left4me-test/fake-srcds
inside sh -c "sed -i 's|^LEFT4ME_STEAMCMD=.*|LEFT4ME_STEAMCMD=$build/src/testing/fake_steamcmd/fake-steamcmd|' /etc/left4me/host.env &&
  printf '%s\n' FAKE_SRCDS=/usr/local/lib/left4me-test/fake-srcds LEFT4ME_SUPERVISOR=systemd FAKE_STEAMCMD_FILES=5000 \
    FAKE_STEAMCMD_BYTES=$((128 << 20)) FAKE_STEAMCMD_DENSE=1 FAKE_STEAMCMD_BUILDID=1000 >>/etc/left4me/host.env &&
  systemctl daemon-reload"
ctl install >"$work/install-first.log" 2>&1 || { cat "$work/install-first.log"; exit 1; }
port=27100
for server in "${servers[@]}"; do
  printf 'port: %s\nhostname: "%s"\nmap: c1m1_hotel\nrcon_password: "isolation-%s"\nargs: [-tickrate, "100"]\n' \
    "$port" "$server" "$server" >"$work/$server.yaml"
  inside install -m 0640 -o left4me -g left4me "/mnt/t/$server.yaml" "$root/tmp/$server.yaml"
  ctl initialize "$server" -f "$root/tmp/$server.yaml" >/dev/null
  port=$((port + 1))
done
# The build: two busy loops for the whole window (CPUQuota 200 %, host.env's default).
printf 'for i in 1 2; do timeout %s sh -c "while :; do :; done" & done\nwait\necho built\n' "$seconds" >"$work/burn.sh"
inside sh -c "install -d -o left4me -g left4me $root/overlays/1 && install -m 0644 -o left4me -g left4me /mnt/t/burn.sh $root/tmp/"

pinning() {  # "" or a CPU list: host.env's LEFT4ME_SYSTEM_CPUS, then the servers restarted under it
  inside sh -c "sed -i 's|^LEFT4ME_SYSTEM_CPUS=.*|LEFT4ME_SYSTEM_CPUS=$1|' /etc/left4me/host.env && systemctl daemon-reload"
  for server in "${servers[@]}"; do ctl restart "$server" --wait --timeout 30 >/dev/null; done
}

build_id=1000
measure() {  # MODE ROUND
  local mode=$1 round=$2 server pid web_log=$work/web-$1-$2.log
  echo "## round $round, $mode: host.env LEFT4ME_SYSTEM_CPUS=$(inside sed -n 's/^LEFT4ME_SYSTEM_CPUS=//p' /etc/left4me/host.env), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "l4d2-game.slice: $(inside systemctl show -p AllowedCPUs -p EffectiveCPUs l4d2-game.slice | tr '\n' ' ')"
  for server in "${servers[@]}"; do
    pid=$(inside systemctl show -p MainPID --value "left4me-server@$server.service")
    echo "$server: pid $pid, $(inside grep Cpus_allowed_list "/proc/$pid/status" | tr '\t' ' ')"
  done
  TOGETHER=1 ROUTES=/ SECONDS_EACH=$seconds VIEWERS=1000 "$source_dir/bench/web_bench.sh" "$build" >"$web_log" 2>&1 &
  local web=$!
  until grep -q '^== load running' "$web_log"; do
    kill -0 "$web" 2>/dev/null || { cat "$web_log"; exit 1; }
    sleep 0.2
  done
  sleep 1  # the viewers connected; the writer starts
  for server in "${servers[@]}"; do ctl rcon "$server" left4me_ticks_reset >/dev/null; done
  build_id=$((build_id + 1))
  inside sed -i "s|^FAKE_STEAMCMD_BUILDID=.*|FAKE_STEAMCMD_BUILDID=$build_id|" /etc/left4me/host.env
  inside systemd-run --quiet --wait --pipe -p Slice=system.slice left4me l4d2ctl install >"$work/install.log" 2>&1 &
  local install=$!
  ctl build-overlay 1 "$root/tmp/burn.sh" >"$work/build.log" 2>&1 &
  local overlay=$!
  sleep $((seconds - 3))
  for server in "${servers[@]}"; do
    echo "$mode $round $server $(ctl rcon "$server" stats | grep '^left4me_ticks')"
  done
  wait "$install" || echo "the install failed: $(tail -3 "$work/install.log")"
  wait "$overlay" || echo "the overlay build failed: $(tail -3 "$work/build.log")"
  wait "$web" || true
  grep -E 'Requests/sec|^ +99%|SSE viewers|delivered=' "$web_log" | sed 's/^/  panel: /'
}

echo "== $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC'), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for server in "${servers[@]}"; do ctl start "$server" --wait --timeout 30 >/dev/null; done
# The reference: the same window with none of the bench's load (only whatever else runs on the machine).
{
  echo "## quiet: no panel, install or build load, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  for server in "${servers[@]}"; do ctl rcon "$server" left4me_ticks_reset >/dev/null; done
  sleep "$seconds"
  for server in "${servers[@]}"; do echo "quiet 0 $server $(ctl rcon "$server" stats | grep '^left4me_ticks')"; done
} | tee "$work/out"
for round in $(seq "$runs"); do
  pinning ""
  measure unpinned "$round"
  pinning "$system_cpus"
  measure pinned "$round"
done | tee -a "$work/out"
python3 - "$work/out" <<'PY'
import re, statistics, sys
rounds = {}
for line in open(sys.argv[1]):
    m = re.match(r"(quiet|unpinned|pinned) (\d+) (\S+) left4me_ticks (.*)", line)
    if m:
        fields = dict(pair.split("=") for pair in m.group(4).split())
        rounds.setdefault((m.group(1), int(m.group(2))), []).append({k: int(v) for k, v in fields.items()})
print("| CPU pinning | round | ticks (4 servers) | missed | late p50 (worst server) | late p99 (each server) | late max |")
print("|---|---|---|---|---|---|---|")
worst = {}
for (mode, number), servers in sorted(rounds.items(), key=lambda item: (item[0][1], item[0][0] == "pinned")):
    p99s = [s["late_p99_us"] for s in servers]
    worst.setdefault(mode, []).append((max(p99s), sum(s["missed"] for s in servers)))
    print(f"| {mode} | {number} | {sum(s['ticks'] for s in servers)} | {sum(s['missed'] for s in servers)} | "
          f"{max(s['late_p50_us'] for s in servers) / 1000:.2f} ms | "
          f"{', '.join(f'{v / 1000:.2f}' for v in p99s)} ms | {max(s['late_max_us'] for s in servers) / 1000:.1f} ms |")
for mode, values in worst.items():
    print(f"{mode}: median over rounds of the worst server's p99 {statistics.median(v[0] for v in values) / 1000:.2f} ms, "
          f"missed ticks per round {', '.join(str(v[1]) for v in values)}")
PY
