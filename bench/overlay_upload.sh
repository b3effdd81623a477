#!/usr/bin/env bash
# Overlay upload benchmark (not a test): a 1 GiB tar (one file of zeros, written sparse, stored whole by tar)
# sent to a running l4d2web on loopback through the chunked upload API (docs/api.md, "Overlay files") in 8 MiB
# chunks, then unpacked into the overlay. Prints the web process's peak RSS (VmHWM), its RSS before, and the wall
# time of the chunks and of the unpacking, for docs/benchmarks.md ("Overlay uploads").
# Usage: bench/overlay_upload.sh [build-dir] [size-MiB, default 1024]
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$source_dir/build}" && pwd)
mib=${2:-1024}
web="$build/src/web/l4d2web"
[ -x "$web" ] || { echo "overlay_upload: $web is not built"; exit 1; }
work=$(mktemp -d "${BENCH_DIR:-/var/tmp}/l4d2web-upload.XXXXXX")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

export LEFT4ME_WEB_ENV=/nonexistent LEFT4ME_FAST_PASSWORD_HASH=1
(cd "$work" && LEFT4ME_ADMIN_PASSWORD=bench-password "$web" create-user bench --admin >/dev/null)
(cd "$work" && exec env LEFT4ME_WEB_LISTEN="127.0.0.1:$port" LEFT4ME_ACCESS_LOG=false LEFT4ME_WEB_THREADS=4 \
  OVERLAY_UPLOAD_MAX_BYTES=$((4 << 30)) "$web" serve >"$work/out" 2>"$work/err") &
pid=$!
for _ in $(seq 100); do curl -sf "$base/health" >/dev/null && break; sleep 0.1; done

token=$(curl -s -c "$work/jar" "$base/api/v1/csrf" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
csrf=$(curl -s -b "$work/jar" -c "$work/jar" -H "X-CSRF-Token: $token" -H 'Content-Type: application/json' \
  -d '{"name":"bench","password":"bench-password"}' "$base/api/v1/session" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
# The overlay record (until the overlay API lands, straight into the database the app uses).
sqlite3 "$work/data/left4me.db" \
  "INSERT INTO overlays (owner_id, name, kind, directory, created_at, updated_at) VALUES (NULL, 'bench', 'files', '1', 0, 0)"
overlay=1

mkdir "$work/src"
truncate -s "${mib}M" "$work/src/big.vpk"
tar -C "$work/src" -cf "$work/big.tar" big.vpk
rm "$work/src/big.vpk"
size=$(stat -c %s "$work/big.tar")
rss() { awk -v key="$1:" '$1 == key {print $2}' "/proc/$pid/status"; }
rss_before=$(rss VmRSS)

api() { curl -sf -b "$work/jar" -H "X-CSRF-Token: $csrf" "$@"; }
upload=$(api -H 'Content-Type: application/json' -d "{\"name\":\"big.tar\",\"size\":$size}" \
  "$base/api/v1/overlays/$overlay/uploads" | python3 -c 'import json,sys; u=json.load(sys.stdin)["upload"]; print(u["id"], u["chunk_bytes"])')
read -r id chunk <<<"$upload"
start=$(date +%s.%N)
offset=0
exec 3<"$work/big.tar"
while [ "$offset" -lt "$size" ]; do
  head -c "$chunk" <&3 | api -X PUT -H 'Content-Type: application/octet-stream' --data-binary @- \
    "$base/api/v1/overlays/$overlay/uploads/$id?offset=$offset" >/dev/null
  offset=$((offset + chunk))
done
sent=$(date +%s.%N)
api -H 'Content-Type: application/json' -d '{"path":""}' "$base/api/v1/overlays/$overlay/uploads/$id/finish" >"$work/finish"
done_at=$(date +%s.%N)
[ "$(stat -c %s "$work/data/root/overlays/1/big.vpk")" = "$((mib << 20))" ] || { echo "overlay_upload: the file did not land"; exit 1; }

echo "== $(nproc) cores, $(date -u +%Y-%m-%d), $(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo) MiB RAM, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "upload of a $((size >> 20)) MiB tar in $((chunk >> 20)) MiB chunks: $(python3 -c "print(f'{$sent - $start:.1f}')") s sending, $(python3 -c "print(f'{$done_at - $sent:.1f}')") s unpacking"
echo "l4d2web RSS: $((rss_before / 1024)) MiB before, peak (VmHWM) $(($(rss VmHWM) / 1024)) MiB"
