#!/usr/bin/env bash
# Benchmark: `l4d2ctl status <name> --json` of a running instance, median wall time over many runs,
# next to exec of /bin/true in the same run (goal: under 3x /bin/true; a stopped one under 1.5x). Not a test.
# Usage: [OLD_CTL=<another l4d2ctl>] bench/status.sh [BUILD_DIR]   (as root; uses fake-steamcmd and fake-srcds
# from the build). OLD_CTL times that binary too, in the same hyperfine run, over the same two instances.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
runs=${RUNS:-500}
work=$(mktemp -d /tmp/left4me-bench.XXXXXX)
export LEFT4ME_ROOT=$work/root LEFT4ME_HOST_ENV=$work/host.env LEFT4ME_SUPERVISOR=builtin
export LEFT4ME_STEAMCMD=$PWD/$build/src/testing/fake_steamcmd/fake-steamcmd FAKE_SRCDS=$PWD/$build/src/testing/fake_srcds/fake-srcds
ctl=$PWD/$build/src/cli/l4d2ctl
: >"$LEFT4ME_HOST_ENV"
cleanup() {
  "$ctl" stop bench >/dev/null 2>&1 || true
  "$ctl" delete bench --yes >/dev/null 2>&1 || true
  "$ctl" delete idle --yes >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
"$ctl" install >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'port: %s\nhostname: "bench"\n' "$port" >"$work/bench.yaml"
"$ctl" initialize bench -f "$work/bench.yaml" >/dev/null
"$ctl" start bench --wait --timeout 30
"$ctl" status bench --json | grep -q '"live":{' || { echo "bench: no live data in status" >&2; exit 1; }
printf 'port: %s\nhostname: "idle"\n' "$((port + 1))" >"$work/idle.yaml"
"$ctl" initialize idle -f "$work/idle.yaml" >/dev/null
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
commands=("/bin/true" "$ctl status bench --json" "$ctl status idle --json")
if [ -n "${OLD_CTL:-}" ]; then
  cmp -s <("$ctl" status idle --json) <("$OLD_CTL" status idle --json) || { echo "bench: OLD_CTL prints other bytes" >&2; exit 1; }
  commands+=("$OLD_CTL status bench --json" "$OLD_CTL status idle --json")
fi
hyperfine -N --warmup 20 --runs "$runs" --export-json "$work/result.json" "${commands[@]}" >/dev/null
python3 - "$work/result.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
true_median = results[0]["median"] * 1000
print("| command | median | min | median / `/bin/true` |")
print("|---|---|---|---|")
names = ["`/bin/true`", "`l4d2ctl status <name> --json`, running (with an A2S query)",
         "`l4d2ctl status <name> --json`, stopped (no A2S)",
         "OLD_CTL `status <name> --json`, running", "OLD_CTL `status <name> --json`, stopped"]
for name, result in zip(names, results):
    median, low = result["median"] * 1000, result["min"] * 1000
    print(f"| {name} | {median:.2f} ms | {low:.2f} ms | {median / true_median:.2f}x |")
PY
