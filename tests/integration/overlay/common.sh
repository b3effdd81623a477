# Shared setup for the overlay tests: a LEFT4ME_ROOT in $T owned by a service uid, with an
# installation, two overlays and instances whose stacks use them. Source after lib.sh.
# The helper reads its settings only from a host.env (never from its environment): the tests name
# theirs with --host-env, which the helper accepts from plain root only. $BIN_OVERLAY is a one-line
# wrapper that adds it, so it can be run through nsenter and bash -c like the binary itself.
HELPER_BINARY="$LEFT4ME_BUILD/src/helper/left4me-overlay"
SERVICE_UID=4343
[ "$(id -u)" == 0 ] || { echo "SKIP: needs root for real mounts"; exit 0; }

R="$T/root"
unset LEFT4ME_ROOT LEFT4ME_HOST_ENV LEFT4ME_INSTANCE_UID_BASE LEFT4ME_INSTANCE_UID_COUNT SUDO_UID
printf 'LEFT4ME_ROOT=%s\nLEFT4ME_INSTANCE_UID_BASE=3100000\nLEFT4ME_INSTANCE_UID_COUNT=1000\n' "$R" >"$T/host.env"
BIN_OVERLAY="$T/left4me-overlay"
printf '#!/bin/sh\nexec %s --host-env %s "$@"\n' "$HELPER_BINARY" "$T/host.env" >"$BIN_OVERLAY"
chmod +x "$BIN_OVERLAY"

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
  printf 'L4D2_PORT=27015\nL4D2_LOWERDIRS=%s\nL4D2_ARGS=+map c1m1_hotel\n' "$2" >"$R/instances/$1/instance.env"
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
