#!/usr/bin/env bash
# Compressed responses, before and after, in one run: bench/web_bench.sh against two builds in turn (ROUNDS times,
# default 3, alternating), each time wrk at 64 connections on the 100-row dashboard and the servers list with
# `Accept-Encoding: gzip, deflate, br` (what browsers send), then the medians of the rounds per build.
# Usage: bench/compression.sh BEFORE_BUILD_DIR AFTER_BUILD_DIR   (figures for docs/benchmarks.md)
#        bench/compression.sh BUILD_DIR   one build, with and without compression: "before" is wrk without
#        Accept-Encoding (plain bodies), "after" with it, alternating as above.
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/.." && pwd)
before=$1
after=${2:-$1}
plain_before=0
[ $# -eq 1 ] && plain_before=1
rounds=${ROUNDS:-3}
log=$(mktemp /tmp/compression-bench.XXXXXX)
trap 'rm -f "$log"' EXIT
echo "== $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC'), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$rounds"); do
  for side in before after; do
    build=$before
    [ "$side" = after ] && build=$after
    encoding="gzip, deflate, br"
    [ "$side" = before ] && [ $plain_before = 1 ] && encoding=""
    echo "## round $round, $side ($build, Accept-Encoding: ${encoding:-none})"
    ACCEPT_ENCODING=$encoding SSE=0 "$source_dir/bench/web_bench.sh" "$build" | tee /dev/stderr |
      sed "s/^/$side /" >>"$log"
  done
done 2>&1
python3 - "$log" <<'PY'
import re, statistics, sys
runs = {}
side = route = None
for line in open(sys.argv[1]):
    side, text = line.split(" ", 1)
    match = re.match(r"-- wrk .* GET (\S+)", text)
    if match:
        route = match.group(1)
        continue
    if route is None:
        continue
    entry = runs.setdefault((side, route), {"wire": [], "rps": [], "p50": [], "p99": [], "cpu": []})
    if m := re.match(r"on the wire: (\d+) B headers \+ (\d+) B body", text):
        entry["wire"].append(int(m.group(1)) + int(m.group(2)))
    elif m := re.match(r"Requests/sec:\s+([\d.]+)", text):
        entry["rps"].append(float(m.group(1)))
    elif m := re.match(r"\s+(50|99)%\s+([\d.]+)(us|ms|s)", text):
        value = float(m.group(2)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(3)]
        entry["p" + m.group(1)].append(value)
    elif m := re.match(r"app CPU per request: (\d+) us", text):
        entry["cpu"].append(int(m.group(1)))
print("| route | build | bytes on the wire | req/s | p50 | p99 (runs) | app CPU per request |")
print("|---|---|---|---|---|---|---|")
for (side, route), e in sorted(runs.items(), key=lambda item: (item[0][1], item[0][0] == "after")):
    med = statistics.median
    print(f"| {route} | {side} | {med(e['wire']):,.0f} B | {med(e['rps']):,.0f} | {med(e['p50']):.1f} ms | "
          f"{med(e['p99']):.1f} ms ({', '.join(f'{v:.1f}' for v in e['p99'])}) | {med(e['cpu']):.0f} us |")
PY
