#!/usr/bin/env bash
# Benchmark: what reaching a host over SSH adds to a status round trip (docs/design.md, "Several hosts:
# transport"; issue 17's goal: under 5 ms on loopback-namespace links). One host made by the hosts tests'
# harness (tests/integration/hosts/lib.sh: a network namespace joined to the panel's by a veth pair, Debian's
# sshd with the panel key's forced command l4d2ctl-remote), one instance running on fake-srcds there. Timed
# with hyperfine, RUNS runs each:
#   local      `l4d2ctl status bench --json` on the host itself
#   ssh        the same through ssh_argv (the web app's argv) over the multiplexed connection, already up
#   handshake  the same with no connection up (each run closes it first with ssh -O exit): a new handshake
# and, timed inside one process as the web app makes its calls (web_ssh_probe time: Ctl::run, RUNS calls after one
# not timed, median):
#   ctl-local    a local Ctl (the host's l4d2ctl started per call, as on the panel's own host)
#   ctl-session  a remote Ctl: each call a request on the host's session (SshSession; one ssh kept open)
# Prints the medians and the difference for docs/benchmarks.md ("Several hosts: status over SSH"). Not a test.
# Usage: bench/hosts_roundtrip.sh [BUILD_DIR] [RUNS]   (as root; RUNS=50 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
LEFT4ME_BUILD=$(cd "${1:-build}" && pwd)
LEFT4ME_SOURCE=$(pwd)
export LEFT4ME_BUILD LEFT4ME_SOURCE
runs=${2:-50}
. tests/integration/hosts/lib.sh
make_host 1
panel_ctl 1 pin >/dev/null
write_spec "$T/spec.yaml" 27015
panel_ctl 1 initialize bench <"$T/spec.yaml" >/dev/null
panel_ctl 1 run start bench --wait --timeout 30 >/dev/null
mapfile -t argv < <(panel_ssh_argv 1)
ssh_options=("${argv[@]:0:${#argv[@]}-2}")
quoted() { printf '%q ' "$@"; }
local_command="$(quoted nsenter --net="/run/netns/$(host_ns 1)" env LEFT4ME_HOST_ENV="$(host_dir 1)/host.env" \
  "$BIN_L4D2CTL" status bench --json)"
ssh_command="$(quoted nsenter --net="/run/netns/$PANEL_NS" "${argv[@]}" "status bench --json")"
exit_command="$(quoted nsenter --net="/run/netns/$PANEL_NS" "${ssh_options[@]}" -O exit -- "${argv[-1]}") 2>/dev/null; true"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# No shell between hyperfine and the commands (-N): the figures are a few milliseconds.
hyperfine -N --style basic --warmup 5 --runs "$runs" --export-json "$T/warm.json" \
  -n local "$local_command" -n ssh "$ssh_command" >/dev/null
hyperfine -N --style basic --warmup 2 --runs "$((runs / 5 > 5 ? runs / 5 : 5))" --export-json "$T/cold.json" \
  --prepare "bash -c $(printf %q "$exit_command")" -n handshake "$ssh_command" >/dev/null
status_line="status bench --json"
ctl_local=$(in_host 1 env PROBE_L4D2CTL="$BIN_L4D2CTL" PROBE_HOST_ENV="$(host_dir 1)/host.env" \
  "$BIN_PROBE" time "$runs" local "$status_line")
ctl_session=$(panel_ctl 1 time "$runs" remote "$status_line")
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$T/warm.json" "$T/cold.json" "$ctl_local" "$ctl_session" <<'PY'
import json, sys
results = {r["command"]: r for f in sys.argv[1:3] for r in json.load(open(f))["results"]}
ms = lambda name, key="median": results[name][key] * 1000
for name in ("local", "ssh", "handshake"):
    print(f"{name:10} median {ms(name):7.2f} ms  min {ms(name, 'min'):7.2f}  max {ms(name, 'max'):7.2f}"
          f"  ({len(results[name]['times'])} runs)")
print(f"added by ssh over the multiplexed connection: {ms('ssh') - ms('local'):.2f} ms (median)")
print(f"added by a new connection (handshake): {ms('handshake') - ms('local'):.2f} ms (median)")
ctl = {name: dict(zip(line.split()[::2], map(float, line.split()[1::2]))) for name, line in
       (("ctl-local", sys.argv[3]), ("ctl-session", sys.argv[4]))}
for name, figures in ctl.items():
    print(f"{name:11} median {figures['median']:7.2f} ms  min {figures['min']:7.2f}")
print(f"added by the session: {ctl['ctl-session']['median'] - ctl['ctl-local']['median']:.2f} ms (median)")
PY
