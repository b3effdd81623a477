#!/usr/bin/env bash
# Web app benchmarks (not a test): with 100 servers in the database (50 initialized on the host through the
# real l4d2ctl and adopted, 50 created and never started; none running), wrk at 64 connections against GET /api/v1/servers and the dashboard (/), then
# 1,000 SSE viewers of one console (the real `l4d2ctl logs --follow`) at 100 lines/s.
# Usage: bench/web_bench.sh [build-dir]   (prints the figures for docs/benchmarks.md, section "Web")
# ACCEPT_ENCODING: the Accept-Encoding header wrk and curl send (default: none, plain bodies); ROUTES: the routes
# wrk runs against (default "/api/v1/servers /"; empty: none); SSE=0 skips the viewers. See bench/compression.sh.
# SECONDS_EACH: how long each wrk run and the writer last (default 10); VIEWERS (default 1000) and RATE (lines/s,
# default 100; 0: idle streams, heartbeats only, held for SECONDS_EACH); TOGETHER=1 runs wrk on the routes while
# the viewers follow (one load, as bench/game_isolation.sh needs) and prints "== load running" when both started;
# LEFT4ME_SSE_HEARTBEAT_SECONDS is passed to the app (default 15).
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$source_dir/build}" && pwd)
web="$build/src/web/l4d2web"
ctl="$build/src/cli/l4d2ctl"  # the real one, on the built-in supervisor under the bench's own root
[ -x "$ctl" ] || { echo "web_bench: $ctl is not built"; exit 1; }
command -v wrk >/dev/null || { echo "web_bench: wrk is not installed (scripts/setup)"; exit 1; }
# Each viewer is a socket in the app and one in web_sse_bench: both may open as many files as the hard limit allows.
ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d /tmp/l4d2web-bench.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

export LEFT4ME_WEB_ENV=/nonexistent LEFT4ME_FAST_PASSWORD_HASH=1
(cd "$work" && LEFT4ME_ADMIN_PASSWORD=bench-password "$web" create-user bench --admin >/dev/null)
: >"$work/host.env"
(cd "$work" && exec env L4D2CTL="$ctl" LEFT4ME_HOST_ENV="$work/host.env" LEFT4ME_WEB_LISTEN="127.0.0.1:$port" LEFT4ME_ACCESS_LOG=false \
  LEFT4ME_WEB_THREADS=2 LEFT4ME_SSE_HEARTBEAT_SECONDS="${LEFT4ME_SSE_HEARTBEAT_SECONDS:-15}" "$web" serve >"$work/out" 2>"$work/err") &
pid=$!
for _ in $(seq 100); do curl -sf "$base/health" >/dev/null && break; sleep 0.1; done

token=$(curl -s -c "$work/jar" "$base/api/v1/csrf" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
csrf=$(curl -s -b "$work/jar" -c "$work/jar" -H "X-CSRF-Token: $token" -H 'Content-Type: application/json' \
  -d '{"name":"bench","password":"bench-password"}' "$base/api/v1/session" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
session=$(awk '$6 == "l4d2_session" {print $7}' "$work/jar")
api() { curl -sf -b "$work/jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -X "$1" -d "$3" "$base$2"; }
blueprint=$(api POST /api/v1/blueprints '{"name":"bench","spec":{"map":"c1m1_hotel"}}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["blueprint"]["id"])')
# Half of them initialized on the host (none running), so `l4d2ctl list` has real work; the panel manages
# them once adopted (ids 1-50, s001 first).
owner=$(curl -sf -b "$work/jar" "$base/api/v1/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["user"]["id"])')
for i in $(seq -w 1 50); do
  printf 'port: %s\nmap: c1m1_hotel\n' "$((27015 + 10#$i - 1))" >"$work/spec.yaml"
  LEFT4ME_ROOT="$work/data/root" LEFT4ME_SUPERVISOR=builtin LEFT4ME_HOST_ENV="$work/host.env" \
    "$ctl" initialize "s0$i" -f "$work/spec.yaml" >/dev/null
  api POST /api/v1/servers/adopt "{\"instance\":\"s0$i\",\"owner_id\":$owner,\"blueprint_id\":$blueprint}" >/dev/null
done
for i in $(seq 51 100); do api POST /api/v1/servers "{\"name\":\"s$(printf %03d "$i")\",\"blueprint_id\":$blueprint}" >/dev/null; done

seconds=${SECONDS_EACH:-10} viewers=${VIEWERS:-1000} rate=${RATE:-100}
echo "== $(nproc) cores, $(date -u +%Y-%m-%d), 100 servers (50 initialized), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# The app's own CPU time (its threads, not wrk's nor l4d2ctl's) per request: unlike the latencies, it hardly
# moves when other work shares the machine, so it compares two builds measured on a busy one.
cpu_ms() { awk -v tick="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / tick)}' "/proc/$pid/stat"; }
encoding=()
[ -n "${ACCEPT_ENCODING:-}" ] && encoding=(-H "Accept-Encoding: $ACCEPT_ENCODING")
wrk_route() {  # ROUTE
  local route=$1 before after out requests
  echo "-- wrk -t2 -c64 -d${seconds}s GET $route${ACCEPT_ENCODING:+ (Accept-Encoding: $ACCEPT_ENCODING)}"
  # Bytes on the wire for one answer: the status line and headers, and the body as sent.
  curl -s -o /dev/null -b "$work/jar" "${encoding[@]}" -w 'on the wire: %{size_header} B headers + %{size_download} B body\n' \
    "$base$route"
  before=$(cpu_ms)
  out=$(wrk -t2 -c64 "-d${seconds}s" --latency -H "Cookie: l4d2_session=$session" "${encoding[@]}" "$base$route")
  after=$(cpu_ms)
  echo "$out" | grep -E 'Requests/sec|^ +(50|99)%|Non-2xx|Socket errors' || true
  requests=$(echo "$out" | awk '/requests in/ {print $1}')
  echo "app CPU per request: $(((after - before) * 1000 / requests)) us"
}
sse() {
  echo "-- $viewers SSE viewers, $rate lines/s for $seconds s"
  "$build/src/web/web_sse_bench" "$port" /api/v1/servers/1/logs "l4d2_session=$session" \
    "$work/data/root/runtime/s001/console.log" "$viewers" "$rate" "$seconds" "$pid"
}

if [ "${TOGETHER:-0}" = 1 ]; then
  loads=()
  for route in ${ROUTES:-/}; do wrk_route "$route" >"$work/wrk-${route//\//_}" & loads+=($!); done
  echo "== load running"
  sse || true
  wait "${loads[@]}"
  cat "$work"/wrk-*
  exit 0
fi
for route in ${ROUTES-/api/v1/servers /}; do wrk_route "$route"; done
[ "${SSE:-1}" = 0 ] && exit 0
sse
