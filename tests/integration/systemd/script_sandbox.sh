#!/usr/bin/env bash
# Script overlays under systemd, in one container boot with the package installed: the service user's
# `l4d2ctl build-overlay` goes through `sudo -n left4me-script-sandbox`, whose transient unit runs the script
# as left4me in l4d2-build.slice. The script writes its overlay (world-readable afterwards); it cannot read a
# file standing for the database, write another overlay, or reach a listener on 127.0.0.1; its output comes
# back with its exit status; host.env's time limit ends it. sudo refuses a script path other than
# scripts/<id>.sh, and so does the helper.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root (boots a container)"; exit 77; }
[ -x "$BIN_L4D2CTL" ] || fail "$BIN_L4D2CTL is not built"
CI="$LEFT4ME_SOURCE/tests/integration/systemd/ci-systemd.sh"
name=sandbox-$$
inside() { "$CI" sh "$name" "$@"; }
root=/var/lib/left4me
helper=/usr/local/libexec/left4me/left4me-script-sandbox

(cd "$LEFT4ME_BUILD" && cpack -G DEB -B "$T/pkg" >"$T/cpack.log" 2>&1) || { cat "$T/cpack.log"; fail "cpack"; }
cp "$T"/pkg/left4me_*.deb "$T/left4me.deb"
port=$(free_port)
cat >"$T/probe.sh" <<PROBE
echo "cwd=\$PWD uid=\$(id -u)"
mkdir -p left4dead2/cfg && echo 'sv_maxrate 0' >left4dead2/cfg/built.cfg && chmod 0600 left4dead2/cfg/built.cfg
cat $root/web/left4me.db ../../web/left4me.db 2>/dev/null && echo "READ-DATABASE"
echo overwritten 2>/dev/null >$root/overlays/2/keep.txt && echo "WROTE-OTHER"
timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null && echo "REACHED-LOOPBACK"
echo done
exit 7
PROBE
printf 'echo begin\nsleep 30\necho never\n' >"$T/forever.sh"
cat >"$T/listen.py" <<'PY'
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(5)
while True:
    c, _ = s.accept(); open("/run/connections", "a").write("connected\n"); c.close()
PY
chmod 0755 "$T"
on_exit "'$CI' down '$name'"
"$CI" up "$name" --bind-ro="$T:/mnt/t" >/dev/null
inside dpkg -i /mnt/t/left4me.deb >"$T/dpkg.log" 2>&1 || { cat "$T/dpkg.log"; fail "dpkg -i"; }
inside sh -c "install -d -o left4me -g left4me $root/overlays/1 $root/overlays/2 &&
  echo secret-database-row | install -m 0600 -o left4me -g left4me /dev/stdin $root/web/left4me.db &&
  echo untouched | install -m 0644 -o left4me -g left4me /dev/stdin $root/overlays/2/keep.txt &&
  install -m 0644 -o left4me -g left4me /mnt/t/probe.sh /mnt/t/forever.sh $root/tmp/"
inside sh -c "nohup python3 /mnt/t/listen.py $port >/dev/null 2>&1 &"
wait_until 10 inside python3 -c "import socket; socket.create_connection(('127.0.0.1', $port)).close()"
inside rm -f /run/connections
pass "package installed"

expect_exit 7 inside left4me l4d2ctl build-overlay 1 "$root/tmp/probe.sh"
assert_contains "$OUT" "cwd=/overlay uid=$(inside id -u left4me)"
assert_contains "$OUT" "done"
for leak in READ-DATABASE WROTE-OTHER REACHED-LOOPBACK secret-database-row; do
  assert_not_contains "$OUT" "$leak" "the script's output"
done
assert_eq "sv_maxrate 0" "$(inside cat $root/overlays/1/left4dead2/cfg/built.cfg)" "the built file"
assert_eq "644 left4me" "$(inside stat -c '%a %U' $root/overlays/1/left4dead2/cfg/built.cfg)" "the built file"
assert_eq untouched "$(inside cat $root/overlays/2/keep.txt)" "the other overlay"
inside test ! -e /run/connections || fail "the script reached the listener on 127.0.0.1"
assert_eq "" "$(inside systemctl list-units --all --plain --no-legend 'left4me-script-*')" "units left behind"
pass "the unit writes its overlay only, reaches no database, other overlay or loopback"

inside sh -c "printf '%s\n' LEFT4ME_SCRIPT_TIMEOUT_SECONDS=2 >>/etc/left4me/host.env"
started=$SECONDS
set +e; OUT=$(inside left4me l4d2ctl build-overlay 1 "$root/tmp/forever.sh" 2>&1); code=$?; set -e
[ "$code" -ne 0 ] || fail "the endless script succeeded: $OUT"
[ $((SECONDS - started)) -le 15 ] || fail "the time limit took $((SECONDS - started)) s"
assert_contains "$OUT" "begin"
assert_not_contains "$OUT" "never"
pass "RuntimeMaxSec= from host.env ends the script (exit $code)"

expect_exit 1 inside runuser -u left4me -- sudo -n "$helper" 1 "$root/tmp/probe.sh"
expect_exit 64 inside "$helper" 1 "$root/tmp/probe.sh"
assert_contains "$OUT" "is not overlay 1's script $root/scripts/1.sh"
expect_exit 65 inside "$helper" 3 "$root/scripts/3.sh"
assert_contains "$OUT" "overlays/3: does not exist"
pass "sudo and the helper refuse other scripts and missing overlays"
