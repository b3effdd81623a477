#!/usr/bin/env bash
# Script overlays without systemd: `l4d2ctl build-overlay` runs the script under bubblewrap (docs/design.md,
# "Script overlays"). The script writes its own overlay (made world-readable afterwards, a symlink out of it
# removed); it cannot read a file standing for the database under LEFT4ME_ROOT, write another overlay, or
# reach a TCP listener on the host's 127.0.0.1; it is stopped at host.env's memory and time limits; its
# output arrives line by line while it runs; bad ids and missing overlays are refused before anything runs.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root (bubblewrap as root, like CI)"; exit 77; }
command -v bwrap >/dev/null || fail "bwrap missing (scripts/setup installs bubblewrap)"
setup_host_root
R=$LEFT4ME_ROOT
mkdir -p "$R/overlays/1" "$R/overlays/2" "$R/web"
echo "secret-database-row" >"$R/web/left4me.db"
echo "untouched" >"$R/overlays/2/keep.txt"
settings() { printf '%s\n' "$@" >"$LEFT4ME_HOST_ENV"; }
build() { "$BIN_L4D2CTL" build-overlay "$@"; }

# A listener on the host's loopback that records every connection.
port=$(free_port)
python3 - "$port" "$T/connections" <<'PY' &
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(5)
while True:
    c, _ = s.accept(); open(sys.argv[2], "a").write("connected\n"); c.close()
PY
listener=$!
on_exit "kill $listener"
wait_until 5 python3 -c "import socket; socket.create_connection(('127.0.0.1', $port)).close()"
rm -f "$T/connections"

cat >"$T/probe.sh" <<PROBE
echo "cwd=\$PWD overlay=\$OVERLAY"
mkdir -p left4dead2/cfg && echo 'sv_maxrate 0' >left4dead2/cfg/built.cfg && chmod 0600 left4dead2/cfg/built.cfg
ln -s /etc/passwd left4dead2/escape
cat "$R/web/left4me.db" ../web/left4me.db ../../web/left4me.db 2>/dev/null && echo "READ-DATABASE"
ls "$R" >/dev/null 2>&1 && echo "SEES-ROOT"
echo overwritten 2>/dev/null >"$R/overlays/2/keep.txt" && echo "WROTE-OTHER"
echo overwritten 2>/dev/null >../2/keep.txt && echo "WROTE-OTHER"
timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null && echo "REACHED-LOOPBACK"
echo done
exit 7
PROBE
settings
expect_exit 7 build 1 "$T/probe.sh"
assert_contains "$OUT" "cwd=/overlay overlay=/overlay"
assert_contains "$OUT" "done"
for leak in READ-DATABASE SEES-ROOT WROTE-OTHER REACHED-LOOPBACK secret-database-row; do
  assert_not_contains "$OUT" "$leak" "the script's output"
done
assert_contains "$OUT" "left4me: removed symlink left4dead2/escape -> /etc/passwd: it leads out of the overlay"
assert_eq "sv_maxrate 0" "$(cat "$R/overlays/1/left4dead2/cfg/built.cfg")" "the built file"
assert_eq 644 "$(stat -c %a "$R/overlays/1/left4dead2/cfg/built.cfg")" "the built file's mode"
[ ! -L "$R/overlays/1/left4dead2/escape" ] || fail "the symlink out of the overlay is still there"
assert_eq untouched "$(cat "$R/overlays/2/keep.txt")" "the other overlay"
[ ! -e "$T/connections" ] || fail "the script reached the host's loopback listener"
cmp -s "$T/probe.sh" "$R/scripts/1.sh" || fail "scripts/1.sh is not the script that ran"
pass "writes its overlay only; no database, other overlay or loopback; exit status passed through"

# Output arrives while the script runs.
printf 'echo first\nsleep 2\necho second\n' >"$T/slow.sh"
build 1 "$T/slow.sh" >"$T/slow.out" 2>&1 &
builder=$!
wait_until 5 grep -q first "$T/slow.out"
grep -q second "$T/slow.out" && fail "the first line came only with the last"
wait "$builder" || fail "the slow script failed: $(cat "$T/slow.out")"
assert_eq $'first\nsecond' "$(cat "$T/slow.out")" "streamed output"
pass "output is streamed line by line"

# The memory limit: an allocation beyond LEFT4ME_SCRIPT_MEMORY_MB fails and the script does not go on.
settings LEFT4ME_SCRIPT_MEMORY_MB=64
printf 'x=$(head -c 200000000 /dev/zero | tr "\\0" a)\necho "survived ${#x}"\n' >"$T/memory.sh"
set +e; OUT=$(build 1 "$T/memory.sh" 2>&1); code=$?; set -e
[ "$code" -ne 0 ] || fail "the memory hog succeeded: $OUT"
assert_not_contains "$OUT" "survived 200000000" "the memory hog's output"
printf 'x=$(head -c 20000000 /dev/zero | tr "\\0" a)\necho "survived ${#x}"\n' >"$T/small.sh"
expect_exit 0 build 1 "$T/small.sh"
assert_contains "$OUT" "survived 20000000" "a script within the limit"
pass "killed at the memory limit (64 MiB), not below it"

# The time limit kills the script and everything it started.
settings LEFT4ME_SCRIPT_TIMEOUT_SECONDS=2
printf 'echo begin\nsleep 31.25 &\nsleep 31.5\necho never\n' >"$T/forever.sh"
started=$SECONDS
expect_exit 137 build 1 "$T/forever.sh"
[ $((SECONDS - started)) -le 8 ] || fail "the time limit took $((SECONDS - started)) s"
assert_contains "$OUT" "begin"
assert_not_contains "$OUT" "never"
assert_contains "$OUT" "left4me: the script ran longer than 2 s (LEFT4ME_SCRIPT_TIMEOUT_SECONDS) and was killed"
wait_until 5 sh -c '! pgrep -f "^sleep 31\.(25|5)$"'
pass "killed at the time limit with its children"

# Bad input is refused before anything runs.
settings
rm -rf "$R/scripts"
expect_exit 2 build 01 "$T/probe.sh"
assert_contains "$OUT" "overlay id '01' is not a number"
expect_exit 3 build 99 "$T/probe.sh"
assert_contains "$OUT" "overlays/99: does not exist"
ln -s "$R/overlays/2" "$R/overlays/3"
expect_exit 2 build 3 "$T/probe.sh"
assert_contains "$OUT" "overlays/3 must be a real directory, found a symlink"
expect_exit 2 build 1 "$T/missing.sh"
assert_contains "$OUT" "missing.sh"
[ ! -e "$R/scripts" ] || fail "a refused build left a script behind"
assert_eq untouched "$(cat "$R/overlays/2/keep.txt")" "the other overlay"
pass "bad ids, missing or linked overlays and missing scripts are refused"

# The shipped examples build offline under bubblewrap, and each carries the header the seeding reads.
for example in "$LEFT4ME_SOURCE"/examples/script-overlays/*.sh; do
  grep -qE '^# left4me-name: .+' "$example" || fail "$example has no '# left4me-name:' header"
  rm -rf "$R/overlays/1" && mkdir "$R/overlays/1"
  expect_exit 0 build 1 "$example"
done
rm -rf "$R/overlays/1" && mkdir "$R/overlays/1"
expect_exit 0 build 1 "$LEFT4ME_SOURCE/examples/script-overlays/competitive-config.sh"
assert_contains "$(cat "$R/overlays/1/left4dead2/cfg/competitive.cfg")" "sv_cheats 0"
pass "the examples build"
