# Regression for the upstream bind-stacking bug: 200 mount/umount cycles of one instance leave the
# mount table exactly as before, with no stacked mount at any point; plus layer order, isolation of
# two instances, and recovery of vanished and half-made mounts.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

make_instance a "$STACK"
make_instance b "$STACK"
M="$R/runtime/a/merged"
before=$(mounts_under "$R")
lines_before=$(grep -c "$R" /proc/self/mountinfo || true)

"$BIN_OVERLAY" mount a
mounted=$(mounts_under "$R")
assert_eq 4 "$(echo "$mounted" | wc -l)" "mounts of one instance (writable, installation, overlays, merged)"
for i in $(seq 1 200); do
  "$BIN_OVERLAY" mount a  # already mounted: nothing stacked
  assert_eq "$mounted" "$(mounts_under "$R")" "mount table while mounted, cycle $i"
  "$BIN_OVERLAY" umount a
  assert_eq "$before" "$(mounts_under "$R")" "mount table after cycle $i"
  "$BIN_OVERLAY" mount a
  assert_no_stacked
done
"$BIN_OVERLAY" umount a
"$BIN_OVERLAY" umount a  # a clean instance is a no-op
assert_eq "$lines_before" "$(grep -c "$R" /proc/self/mountinfo || true)" "mountinfo lines under the root"
pass "200 cycles leave the table as before"

# Layer order and isolation.
"$BIN_OVERLAY" mount a
"$BIN_OVERLAY" mount b
assert_eq overlay2 "$(cat "$M/left4dead2/both.txt")" "top layer wins"
assert_eq installation "$(cat "$M/left4dead2/base.txt")" "installation at the bottom"
echo "from a" >"$M/left4dead2/both.txt"
assert_eq "from a" "$(cat "$R/runtime/a/upper/left4dead2/both.txt")" "write lands in a's upper"
assert_eq overlay2 "$(cat "$R/overlays/2/left4dead2/both.txt")" "overlay untouched"
assert_eq overlay2 "$(cat "$R/runtime/b/merged/left4dead2/both.txt")" "b does not see a's write"
[ ! -e "$R/runtime/b/upper/left4dead2" ] || fail "b's upper changed"
pass "layer order and isolation"

# Recovery: a reboot wipes every mount; the next mount brings them back.
healthy=$(mounts_under "$R/runtime/a")
for m in $(mounts_under "$R/runtime/a" | tac); do umount "$m"; done
"$BIN_OVERLAY" mount a
assert_eq "$healthy" "$(mounts_under "$R/runtime/a")" "after simulated reboot"
assert_eq "from a" "$(cat "$M/left4dead2/both.txt")" "upper survives"
# Half-mounted: the binds exist but the overlay does not (crash between two mounts).
umount "$M"
"$BIN_OVERLAY" mount a
assert_eq "$healthy" "$(mounts_under "$R/runtime/a")" "after half mount"
# The upstream symptom: an orphan bind stacked on an idmap bind.
mount --bind "$R/overlays" "$R/runtime/a/idmap/overlays"
"$BIN_OVERLAY" mount a
assert_eq "$healthy" "$(mounts_under "$R/runtime/a")" "after stacked bind"
assert_no_stacked
pass "recovery"

"$BIN_OVERLAY" umount a
"$BIN_OVERLAY" umount b
assert_nothing_mounted "end"
[ ! -e "$R/runtime/a/work/work" ] || fail "work/work left behind"
[ ! -e "$R/runtime/a/idmap" ] || fail "idmap left behind"
