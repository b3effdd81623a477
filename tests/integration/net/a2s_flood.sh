#!/usr/bin/env bash
# The packaged A2S flood rules (deploy/nftables/left4me-a2s.nft), loaded as shipped into a network
# namespace the test makes (a server namespace and a client namespace joined by a veth pair, addresses
# from TEST-NET-1 inside those namespaces only), in front of fake-srcds on a game port of the default
# range. Without the rules a flooding address gets every answer; with them it gets at most the burst plus
# the rate, another address is answered as before, and packets that are not A2S queries are not counted.
. "$(dirname "$0")/../lib.sh"
rules="$LEFT4ME_SOURCE/deploy/nftables/left4me-a2s.nft"
server_ns="l4m-a2s-s-$$" client_ns="l4m-a2s-c-$$"
ip netns add "$server_ns"; on_exit "ip netns del $server_ns"
ip netns add "$client_ns"; on_exit "ip netns del $client_ns"
ip link add a2s-s-$$ netns "$server_ns" type veth peer name a2s-c-$$ netns "$client_ns"
ip -n "$server_ns" addr add 192.0.2.1/24 dev a2s-s-$$
ip -n "$client_ns" addr add 192.0.2.2/24 dev a2s-c-$$
ip -n "$client_ns" addr add 192.0.2.3/24 dev a2s-c-$$
for ns in "$server_ns" "$client_ns"; do ip -n "$ns" link set lo up; done
ip -n "$server_ns" link set a2s-s-$$ up; ip -n "$client_ns" link set a2s-c-$$ up

mkdir -p "$T/game/left4dead2/cfg"
(cd "$T/game" && exec ip netns exec "$server_ns" "$BIN_FAKE_SRCDS" -game left4dead2 -norestart +ip 0.0.0.0 \
  -port 27015 +map c2m1_highway) >"$T/srcds.log" 2>&1 &
on_exit "kill -9 $! 2>/dev/null"

# queries SOURCE COUNT [KIND]: sends COUNT A2S_INFO queries (or KIND=other: non-A2S packets) from SOURCE
# to the server as fast as possible, then collects answers for a second; prints how many came back.
queries() {
  ip netns exec "$client_ns" python3 - "$@" <<'PY'
import socket, sys, time
source, count, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else "info"
query = b"\xff\xff\xff\xffTSource Engine Query\x00" if kind == "info" else b"\xff\xff\xff\xffqconnect0x00000000\x00"
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((source, 0))
for _ in range(count):
    s.sendto(query, ("192.0.2.1", 27015))
answers, deadline = 0, time.monotonic() + 1.0
s.settimeout(0.1)
while time.monotonic() < deadline:
    try:
        s.recv(4096); answers += 1
    except socket.timeout:
        pass
print(answers)
PY
}
wait_until 10 grep -q "Network: IP" "$T/srcds.log"
sleep 0.5

without=$(queries 192.0.2.2 200)
[ "$without" -ge 190 ] || fail "without the rules only $without of 200 queries were answered"
pass "without the rules: $without of 200 queries answered"

ip netns exec "$server_ns" nft -f "$rules" || fail "nft -f $rules"
sleep 1.1   # the first address's burst was not spent against the rules; start from a quiet second
flooded=$(queries 192.0.2.2 200)
# 32 of burst plus 8 a second over the sending time (well under a second), and a margin for timing.
[ "$flooded" -ge 24 ] && [ "$flooded" -le 48 ] || fail "with the rules $flooded of 200 queries were answered (expected 32 +- a few)"
pass "with the rules: $flooded of 200 queries from one address answered"
other=$(queries 192.0.2.3 10)
assert_eq 10 "$other" "answers to another address right after the flood"
dropped=$(ip netns exec "$server_ns" nft list chain inet left4me_a2s a2s | awk '/saddr/ && /packets/ { for (i = 1; i <= NF; i++) if ($i == "packets") { print $(i + 1); exit } }')
before_other=$dropped
queries 192.0.2.2 100 other >/dev/null
dropped=$(ip netns exec "$server_ns" nft list chain inet left4me_a2s a2s | awk '/saddr/ && /packets/ { for (i = 1; i <= NF; i++) if ($i == "packets") { print $(i + 1); exit } }')
assert_eq "$before_other" "$dropped" "packets dropped by packets that are not A2S queries"
sleep 1.1
assert_eq 5 "$(queries 192.0.2.2 5)" "answers to the flooding address once it slowed down"
pass "another address is unaffected, other packets are not counted, a slowed-down address is answered again"
