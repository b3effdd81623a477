#!/usr/bin/env bash
# Benchmark: preparing a game update beside the current build (docs/design.md, "Game builds"): `l4d2ctl
# install` of a new build over a 100,000-file install made by fake-steamcmd. Prints the copy method the
# filesystem allows (reflink or copy), the time of the staging copy, the whole update's time and the disk
# it used, from install --json's done line. fake-steamcmd's files are sparse, so a full copy here costs
# metadata and time but almost no disk; on a real install it costs the game's bytes. Not a test.
# Usage: bench/update_build.sh [BUILD_DIR] (as root or the data root's owner; FILES=100000 by default, the
# update changes UPDATE_PERCENT=1 % of them, BENCH_DIR picks the filesystem: /tmp by default)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
files=${FILES:-100000}
work=$(mktemp -d "${BENCH_DIR:-/tmp}/left4me-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export LEFT4ME_ROOT=$work/root LEFT4ME_HOST_ENV=$work/host.env LEFT4ME_SUPERVISOR=builtin
export LEFT4ME_STEAMCMD=$PWD/$build/src/testing/fake_steamcmd/fake-steamcmd FAKE_SRCDS=/bin/true
export FAKE_STEAMCMD_FILES=$files FAKE_STEAMCMD_BYTES=$((5 << 30))
ctl=$PWD/$build/src/cli/l4d2ctl
: >"$LEFT4ME_HOST_ENV"
mkdir -p "$LEFT4ME_ROOT"
"$ctl" install >/dev/null
echo "filesystem: $(df -T "$LEFT4ME_ROOT" | awk 'NR == 2 { print $2 }'), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# The issue's case: the new build changes 1% of the files (UPDATE_PERCENT=100 rewrites every one).
done_line=$(FAKE_STEAMCMD_BUILDID=17000001 FAKE_STEAMCMD_UPDATE_PERCENT=${UPDATE_PERCENT:-1} "$ctl" install --json |
  tail -n 1)
python3 - "$done_line" "$files" <<'PY'
import json, sys
done, files = json.loads(sys.argv[1]), int(sys.argv[2])
copy = done["copy"]
print("| files | copy method | staging copy | whole update | disk used |")
print("|---|---|---|---|---|")
print(f"| {copy['files']:,} ({files:,} content) | {copy['method']} | {copy['ms'] / 1000:.1f} s "
      f"| {done['ms'] / 1000:.1f} s | {done['disk_added'] / 2**20:.0f} MiB |")
PY
