#!/usr/bin/env bash
# l4d2ctl rcon never hands an instance's RCON password to whatever took its port: a process that is not
# the instance's server (here a stand-in RCON server that records what it receives) gets nothing, whether
# the instance is stopped or crash-looping because the impostor took the port; the real server still
# answers. (The regression: l4d2ctl rcon connected to 127.0.0.1:<port> and sent the password to anyone.)
. "$(dirname "$0")/../lib.sh"
setup_host_root
install_game

port=$(free_port)
write_spec "$T/alpha.yaml" "$port"
expect_exit 0 "$BIN_L4D2CTL" initialize alpha -f "$T/alpha.yaml"

# The impostor: accepts RCON connections on the instance's port, records every byte, and answers an
# auth request as a real server would (so an unchecked client goes on and sends its command too).
cat >"$T/impostor.py" <<'PY'
import socket, struct, sys, threading
port, record = int(sys.argv[1]), sys.argv[2]
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("0.0.0.0", port))
server.listen(8)
open(record + ".ready", "w").close()
def serve(conn):
    data = b""
    while True:
        chunk = conn.recv(4096)
        if not chunk:
            return
        data += chunk
        with open(record, "ab") as out:
            out.write(chunk)
        while len(data) >= 4 and len(data) >= 4 + struct.unpack("<i", data[:4])[0]:
            size, rid, kind = struct.unpack("<iii", data[:12])
            data = data[4 + size:]
            reply = b""
            if kind == 3:
                reply += struct.pack("<iii", 10, rid, 0) + b"\0\0" + struct.pack("<iii", 10, rid, 2) + b"\0\0"
            else:
                body = b"impostor"
                reply += struct.pack("<iii", 10 + len(body), rid, 0) + body + b"\0\0"
            conn.sendall(reply)
while True:
    conn, _ = server.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
PY
python3 "$T/impostor.py" "$port" "$T/received" &
impostor=$!
on_exit "kill $impostor 2>/dev/null || true"
wait_until 5 test -e "$T/received.ready"

# Stopped instance, port taken: refused before connecting; the impostor receives nothing.
expect_exit 1 "$BIN_L4D2CTL" rcon alpha status
assert_contains "$OUT" "the server is not running"
assert_eq "" "$(cat "$T/received" 2>/dev/null)" "bytes the impostor received (stopped)"
pass "a stopped instance's password goes nowhere"

# Started while the impostor holds its TCP port: the server cannot bind and crash-loops (restarting
# every 200 ms until the burst limit); rcon at any moment of that (a server process alive for an
# instant, or none) never reaches the impostor. (The connection check itself, against a process that
# holds the port but is not the server, is SocketOwnerTest's.)
LEFT4ME_RESTART_DELAY_MS=200 "$BIN_L4D2CTL" start alpha >"$T/start.out" 2>&1 &
starter=$!
for attempt in $(seq 1 40); do
  "$BIN_L4D2CTL" rcon alpha status >"$T/rcon.out" 2>&1 && fail "rcon succeeded against the impostor: $(cat "$T/rcon.out")"
  sleep 0.05
done
wait "$starter" || true
assert_eq "" "$(cat "$T/received" 2>/dev/null)" "bytes the impostor received (crash loop)"
assert_not_contains "$(cat "$T/rcon.out")" "impostor"
"$BIN_L4D2CTL" stop alpha >/dev/null 2>&1 || true
pass "a crash-looping instance's password goes nowhere"

# The impostor gone, the real server answers RCON as before.
kill "$impostor"; wait "$impostor" 2>/dev/null || true
expect_exit 0 "$BIN_L4D2CTL" start alpha --wait --timeout 30
expect_exit 0 "$BIN_L4D2CTL" rcon alpha status
assert_contains "$OUT" "c2m1_highway" "rcon status from the real server"
expect_exit 0 "$BIN_L4D2CTL" stop alpha
pass "the instance's own server still gets its password"
