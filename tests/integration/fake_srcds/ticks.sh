#!/usr/bin/env bash
# fake-srcds keeps its tick schedule and reports it through `stats` (Debian's rconclt asks): at -tickrate
# 100 on an idle machine it runs about 100 ticks a second; given more work per tick than the interval
# (FAKE_SRCDS_TICK_WORK_US) it reports missed ticks and lateness of at least that work; left4me_ticks_reset
# starts the measurement again.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

root=$(game_root ticks)
port=$(free_port)
echo 'rcon_password "ticks"' >"$root/left4dead2/cfg/server.cfg"
start_fake "$root" "$port" -tickrate 100 +map c1m1_hotel
wait_line "$root" "VAC secure mode"
rcon() { rconclt -t 5 "ticks@127.0.0.1:$1" "${@:2}"; }
field() { sed -n "s/.*left4me_ticks .*\\b$2=\\([0-9]*\\).*/\\1/p" <<<"$1"; }

rcon "$port" left4me_ticks_reset >/dev/null
sleep 2
stats=$(rcon "$port" stats)
assert_contains "$stats" "CPU   In (KB/s)  Out (KB/s)  Uptime  Map changes  FPS      Players  Connects" "the stats header"
assert_contains "$stats" "left4me_ticks tickrate=100 " "the tick line"
ticks=$(field "$stats" ticks)
fps=$(awk 'NR == 2 { print int($6) }' <<<"$stats")   # ticks a second since the reset
[ "$ticks" -ge 150 ] && [ "$fps" -ge 80 ] && [ "$fps" -le 101 ] || fail "$ticks ticks, $fps a second at tickrate 100: $stats"
pass "tickrate 100: $ticks ticks, $fps a second, late p99 $(field "$stats" late_p99_us) us, missed $(field "$stats" missed)"

# 15 ms of work per 10 ms tick: every tick is late, and about every other one is missed.
slow=$(game_root ticks-slow)
slow_port=$(free_port)
echo 'rcon_password "ticks"' >"$slow/left4dead2/cfg/server.cfg"
FAKE_SRCDS_TICK_WORK_US=15000 start_fake "$slow" "$slow_port" -tickrate 100 +map c1m1_hotel
wait_line "$slow" "VAC secure mode"
rcon "$slow_port" left4me_ticks_reset >/dev/null
sleep 2
stats=$(rcon "$slow_port" stats)
missed=$(field "$stats" missed) p99=$(field "$stats" late_p99_us)
[ "$missed" -ge 40 ] || fail "only $missed ticks missed with 15 ms of work per 10 ms tick: $stats"
[ "$p99" -ge 4000 ] || fail "late p99 only $p99 us with 15 ms of work per 10 ms tick: $stats"
pass "overloaded: $missed ticks missed in 2 s, late p99 $p99 us"

before=$(field "$(rcon "$slow_port" stats)" ticks)
rcon "$slow_port" left4me_ticks_reset >/dev/null
after=$(field "$(rcon "$slow_port" stats)" ticks)
[ "$after" -lt "$before" ] && [ "$after" -lt 50 ] || fail "ticks counted after a reset: $after (before it: $before)"
pass "left4me_ticks_reset: $before ticks counted before, $after just after"
