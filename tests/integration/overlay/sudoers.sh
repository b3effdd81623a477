# deploy/sudoers.d/left4me parses with visudo and allows exactly the helpers and verbs.
. "$(dirname "$0")/../lib.sh"
F="$LEFT4ME_SOURCE/deploy/sudoers.d/left4me"
command -v visudo >/dev/null || fail "visudo missing (scripts/setup installs sudo)"

install -m 0440 "$F" "$T/left4me"
expect_exit 0 visudo -cf "$T/left4me"
assert_contains "$OUT" "parsed OK"
# The check can fail: a broken copy is rejected.
sed 's/NOPASSWD:/NOPASSWD/' "$F" >"$T/broken"
expect_exit 1 visudo -cf "$T/broken"

rules=$(grep -vE '^\s*(#|$)' "$F")
assert_eq 7 "$(echo "$rules" | wc -l)" "rule lines"
H=/usr/local/libexec/left4me
assert_contains "$rules" "Cmnd_Alias LEFT4ME_OVERLAY = $H/left4me-overlay ^(mount|umount) [a-z0-9][a-z0-9_-]{0,63}\$"
assert_contains "$rules" "Cmnd_Alias LEFT4ME_SYSTEMCTL = $H/left4me-systemctl ^(enable|disable|restart|show|kill) [a-z0-9][a-z0-9_-]{0,63}\$"
assert_contains "$rules" "Cmnd_Alias LEFT4ME_JOURNALCTL = $H/left4me-journalctl ^([a-z0-9][a-z0-9_-]{0,63} --lines [0-9]{1,6} --(follow|no-follow)|--map-changes)\$"
assert_contains "$rules" "Cmnd_Alias LEFT4ME_SCRIPT_SANDBOX = $H/left4me-script-sandbox ^[1-9][0-9]{0,17} /var/lib/left4me/scripts/[1-9][0-9]{0,17}\\.sh\$"
assert_contains "$rules" "left4me ALL=(root) NOPASSWD: LEFT4ME_OVERLAY, LEFT4ME_SYSTEMCTL, LEFT4ME_JOURNALCTL, LEFT4ME_SCRIPT_SANDBOX"
assert_not_contains "$rules" "ALL, " "no blanket command"
assert_not_contains "$rules" "SETENV" "no caller environment"
# The argument patterns accept what the service sends and nothing else (sudo uses POSIX EREs).
overlay_re='^(mount|umount) [a-z0-9][a-z0-9_-]{0,63}$'
for ok in "mount alpha" "umount 2" "mount a_b-c"; do echo "$ok" | grep -qE "$overlay_re" || fail "refuses '$ok'"; done
for bad in "mount ../x" "mount a/b" "mount -rf" "remount a" "mount a b" "mount " "mount $(printf 'a%.0s' {1..65})"; do
  ! echo "$bad" | grep -qE "$overlay_re" || fail "allows '$bad'"
done
sandbox_re='^[1-9][0-9]{0,17} /var/lib/left4me/scripts/[1-9][0-9]{0,17}\.sh$'
for ok in "1 /var/lib/left4me/scripts/1.sh" "42 /var/lib/left4me/scripts/42.sh"; do
  echo "$ok" | grep -qE "$sandbox_re" || fail "refuses '$ok'"
done
for bad in "0 /var/lib/left4me/scripts/0.sh" "1 /tmp/1.sh" "1 /var/lib/left4me/scripts/../x.sh" "1 /var/lib/left4me/scripts/1xsh" \
  "1 /var/lib/left4me/scripts/1.sh x" "a /var/lib/left4me/scripts/1.sh" "1" "-1 /var/lib/left4me/scripts/1.sh"; do
  ! echo "$bad" | grep -qE "$sandbox_re" || fail "allows '$bad'"
done
pass "sudoers"
