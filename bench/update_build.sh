#!/usr/bin/env bash
# Benchmark: preparing a game update beside the current build (docs/design.md, "Game builds"): `l4d2ctl
# install` of a new build over a 100,000-file install made by fake-steamcmd. Prints the copy method the
# filesystem allows (reflink or copy), the time of the staging copy, the whole update's time and the disk
# it used, from install --json's done line, beside the bytes the update changed (its download). fake-steamcmd's
# files are sparse by default, so a full copy costs metadata and time but almost no disk; DENSE=1 writes their
# bytes (BYTES in all), as a real install has them. Not a test.
# Usage: bench/update_build.sh [BUILD_DIR] (as root or the data root's owner; FILES=100000 by default, BYTES=5 GiB,
# the update changes UPDATE_PERCENT=1 % of them, BENCH_DIR picks the filesystem: /tmp by default)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
files=${FILES:-100000}
work=$(mktemp -d "${BENCH_DIR:-/tmp}/left4me-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export LEFT4ME_ROOT=$work/root LEFT4ME_HOST_ENV=$work/host.env LEFT4ME_SUPERVISOR=builtin
export LEFT4ME_STEAMCMD=$PWD/$build/src/testing/fake_steamcmd/fake-steamcmd FAKE_SRCDS=/bin/true
export FAKE_STEAMCMD_FILES=$files FAKE_STEAMCMD_BYTES=${BYTES:-$((5 << 30))} FAKE_STEAMCMD_DENSE=${DENSE:-0}
ctl=$PWD/$build/src/cli/l4d2ctl
: >"$LEFT4ME_HOST_ENV"
mkdir -p "$LEFT4ME_ROOT"
"$ctl" install >/dev/null
echo "filesystem: $(df -T "$LEFT4ME_ROOT" | awk 'NR == 2 { print $2 }'), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# The issue's case: the new build changes 1% of the files (UPDATE_PERCENT=100 rewrites every one).
FAKE_STEAMCMD_BUILDID=17000001 FAKE_STEAMCMD_UPDATE_PERCENT=${UPDATE_PERCENT:-1} "$ctl" install --json >"$work/update.json"
python3 - "$work/update.json" "$files" <<'PY'
import json, sys
lines = [json.loads(line) for line in open(sys.argv[1])]
done, files = lines[-1], int(sys.argv[2])
# The bytes the update changed: what steamcmd downloaded (its last downloading step's total).
changed = max((l.get("bytes_total", 0) for l in lines if l.get("phase") == "downloading"), default=0)
copy = done["copy"]
print("| files | copy method | staging copy | whole update | bytes changed | disk added | added / changed |")
print("|---|---|---|---|---|---|---|")
ratio = f"{done['disk_added'] / changed:.2f}x" if changed else "-"
print(f"| {copy['files']:,} ({files:,} content) | {copy['method']} | {copy['ms'] / 1000:.1f} s "
      f"| {done['ms'] / 1000:.1f} s | {changed / 2**20:.0f} MiB | {done['disk_added'] / 2**20:.0f} MiB | {ratio} |")
PY
