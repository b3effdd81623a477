# Shared setup for the overlay tests: a LEFT4ME_ROOT in $T owned by a service uid, with an
# installation, two overlays and instances whose stacks use them. Source after lib.sh.
BIN_OVERLAY="$LEFT4ME_BUILD/src/helper/left4me-overlay"
SERVICE_UID=4343
[ "$(id -u)" == 0 ] || { echo "SKIP: needs root for real mounts"; exit 0; }

R="$T/root"
export LEFT4ME_ROOT="$R"
export LEFT4ME_INSTANCE_UID_BASE=3100000 LEFT4ME_INSTANCE_UID_COUNT=1000
unset LEFT4ME_HOST_ENV SUDO_UID

# mounts_under DIR: the mount points at or below DIR in this namespace, one per line, table order.
mounts_under() { awk -v p="$1" '$5 == p || index($5, p "/") == 1 { print $5 }' /proc/self/mountinfo; }
# Unmounts everything below $T (innermost first, lazily as a last resort).
unmount_all_under_t() {
  local m
  for m in $(mounts_under "$T" | tac); do umount "$m" 2>/dev/null || umount -l "$m" || true; done
}
on_exit unmount_all_under_t
assert_nothing_mounted() { assert_eq "" "$(mounts_under "$T")" "mounts under the test root${1:+ ($1)}"; }
assert_no_stacked() {
  local dup
  dup=$(mounts_under "$T" | sort | uniq -d)
  [ -z "$dup" ] || fail "stacked mounts: $dup"
}

make_instance() {  # name lowerdirs
  mkdir -p "$R/instances/$1" "$R/runtime/$1"/{upper,work,merged}
  printf 'L4D2_PORT=27015\nL4D2_LOWERDIRS=%s\n' "$2" >"$R/instances/$1/instance.env"
  chown -R "$SERVICE_UID:$SERVICE_UID" "$R/instances/$1" "$R/runtime/$1"
}

mkdir -p "$R"/{installation/left4dead2,overlays/1/left4dead2,overlays/2/left4dead2,workshop_cache,global_overlay_cache}
echo installation >"$R/installation/left4dead2/base.txt"
echo installation >"$R/installation/left4dead2/both.txt"
echo overlay1 >"$R/overlays/1/left4dead2/both.txt"
echo overlay2 >"$R/overlays/2/left4dead2/both.txt"
chown -R "$SERVICE_UID:$SERVICE_UID" "$R"
chmod 755 "$T" "$R"
STACK="$R/overlays/2:$R/overlays/1:$R/installation"
