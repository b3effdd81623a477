# Where mounts land: in the mount namespace the helper runs in. systemd's ExecStartPre=+ hook runs
# it under `nsenter --mount=/proc/1/ns/mnt`, so the mounts land in PID 1's (the host's) namespace
# even though the unit has a private one. Here a long-lived process in its own namespace plays PID 1.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"
command -v unshare >/dev/null && command -v nsenter >/dev/null || fail "unshare/nsenter missing (util-linux)"

make_instance a "$STACK"
unshare --mount --propagation private sleep 300 &
HOST=$!
on_exit "kill $HOST; wait $HOST 2>/dev/null"
own_namespace() { [ "$(readlink "/proc/$HOST/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ]; }
wait_until 5 own_namespace
in_host() { nsenter --mount="/proc/$HOST/ns/mnt" -- "$@"; }
on_exit "in_host '$BIN_OVERLAY' umount a 2>/dev/null || true"
host_mounts() { awk -v p="$R" 'index($5, p "/") == 1 { print $5 }' "/proc/$HOST/mountinfo"; }

# The unit's hook: from a private namespace, enter the "host" one, then mount.
unshare --mount --propagation private nsenter --mount="/proc/$HOST/ns/mnt" -- "$BIN_OVERLAY" mount a
assert_contains "$(host_mounts)" "$R/runtime/a/merged" "host namespace"
assert_nothing_mounted "the caller's namespace"
assert_eq overlay2 "$(in_host cat "$R/runtime/a/merged/left4dead2/both.txt")" "merged seen in the host namespace"
pass "mount lands in the entered namespace"

# The same namespace's helper sees its own mounts: idempotent, then unmount.
in_host "$BIN_OVERLAY" mount a
in_host "$BIN_OVERLAY" umount a
assert_eq "" "$(host_mounts)" "host namespace after umount"

# Without nsenter, a helper in a private namespace mounts only there; the mounts die with it and
# the host never sees them (why the unit must enter PID 1's namespace).
inside=$(unshare --mount --propagation private bash -c "'$BIN_OVERLAY' mount a && awk '{print \$5}' /proc/self/mountinfo")
assert_contains "$inside" "$R/runtime/a/merged" "private namespace"
assert_eq "" "$(host_mounts)" "host namespace"
assert_nothing_mounted "caller"
# The kernel-made work/work remains; the next umount (anywhere) removes it.
"$BIN_OVERLAY" umount a
[ ! -e "$R/runtime/a/work/work" ] || fail "work/work left"
pass "private namespace mounts stay private"
