#!/usr/bin/env bash
# Per-instance identity on the built-in supervisor: with the data root owned by a service user, each
# server runs as its own instance uid over idmapped binds; a write lands on disk as the service user,
# and one instance's uid cannot write another's layer.
. "$(dirname "$0")/../lib.sh"
setup_host_root
install_game
service=4242
port_a=$(free_port); port_b=$(free_port)
write_spec "$T/a.yaml" "$port_a"; write_spec "$T/b.yaml" "$port_b"
expect_exit 0 "$BIN_L4D2CTL" initialize a -f "$T/a.yaml"
expect_exit 0 "$BIN_L4D2CTL" initialize b -f "$T/b.yaml"
chmod 755 "$T"
chown -R "$service:$service" "$LEFT4ME_ROOT"   # as the package leaves it: the service user owns the data

expect_exit 0 "$BIN_L4D2CTL" start a --wait --timeout 30
expect_exit 0 "$BIN_L4D2CTL" start b --wait --timeout 30
uid_of() { awk '/^Uid:/ { print $2 }' "/proc/$("$BIN_L4D2CTL" status "$1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')/status"; }
uid_a=$(uid_of a); uid_b=$(uid_of b)
[ "$uid_a" -ge $((0x70000000)) ] && [ "$uid_a" -lt $((0x70000000 + 65536)) ] || fail "server a runs as uid $uid_a"
[ "$uid_b" -ge $((0x70000000)) ] && [ "$uid_b" -lt $((0x70000000 + 65536)) ] || fail "server b runs as uid $uid_b"
[ "$uid_a" != "$uid_b" ] || fail "both servers run as uid $uid_a"
assert_eq "$uid_a" "$(cat "$LEFT4ME_ROOT/instances/a/uid")" "the recorded uid of a"

as_uid() { local uid=$1; shift; setpriv --reuid="$uid" --regid="$uid" --clear-groups "$@"; }
as_uid "$uid_a" touch "$LEFT4ME_ROOT/runtime/a/merged/left4dead2/written-by-a" || fail "a cannot write its own tree"
assert_eq "$service" "$(stat -c %u "$LEFT4ME_ROOT/runtime/a/upper/left4dead2/written-by-a")" "owner on disk"
! as_uid "$uid_a" touch "$LEFT4ME_ROOT/runtime/b/merged/left4dead2/written-by-a" 2>/dev/null || fail "a wrote b's tree"
! as_uid "$uid_a" touch "$LEFT4ME_ROOT/runtime/b/upper/x" 2>/dev/null || fail "a wrote b's layer"

# Re-initializing keeps the identity.
expect_exit 0 "$BIN_L4D2CTL" initialize a -f "$T/a.yaml"
assert_eq "$uid_a" "$(cat "$LEFT4ME_ROOT/instances/a/uid")" "the uid of a after initialize"
expect_exit 0 "$BIN_L4D2CTL" stop a
expect_exit 0 "$BIN_L4D2CTL" stop b

# The uid range in host.env holds for l4d2ctl as root too (the same keys the helper reads).
echo "LEFT4ME_INSTANCE_UID_BASE=1900000000" >>"$LEFT4ME_HOST_ENV"
port_c=$(free_port)
write_spec "$T/c.yaml" "$port_c"
expect_exit 0 "$BIN_L4D2CTL" initialize c -f "$T/c.yaml"
chown -R "$service:$service" "$LEFT4ME_ROOT"
expect_exit 0 "$BIN_L4D2CTL" start c --wait --timeout 30
uid_c=$(uid_of c)
[ "$uid_c" -ge 1900000000 ] && [ "$uid_c" -lt $((1900000000 + 65536)) ] || fail "server c runs as uid $uid_c, outside host.env's range"
expect_exit 0 "$BIN_L4D2CTL" stop c
assert_eq 0 "$(mounts_under "$LEFT4ME_ROOT")" "mounts at the end"
pass "identity"
