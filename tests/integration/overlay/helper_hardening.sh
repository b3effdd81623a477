# The helper refuses every bad input with its one-line message, and mounts or deletes nothing.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/common.sh"

make_instance a "$STACK"
snapshot() { (cd "$T" && find . -printf '%p %y %l\n' | sort); }

# Usage errors exit 2.
expect_exit 2 "$HELPER_BINARY"
assert_contains "$OUT" "usage: left4me-overlay [--host-env FILE] mount|umount <name>"
expect_exit 2 "$BIN_OVERLAY" remount a
expect_exit 2 "$BIN_OVERLAY" mount a extra
expect_exit 2 "$HELPER_BINARY" --host-env relative.env mount a

# Bad names exit 1 with the name rule.
before=$(snapshot)
for bad in '../x' 'a/b' '-rf' "$(printf 'a%.0s' {1..65})" '' 'A' '.'; do
  expect_exit 1 "$BIN_OVERLAY" mount "$bad"
  assert_contains "$OUT" "left4me-overlay: "
  [ "$(echo "$OUT" | wc -l)" == 1 ] || fail "more than one line for '$bad': $OUT"
  expect_exit 1 "$BIN_OVERLAY" umount "$bad"
done
expect_exit 1 "$BIN_OVERLAY" mount '-rf'
assert_eq "left4me-overlay: invalid instance name '-rf': use 1-64 characters a-z, 0-9, '_' or '-', starting with a letter or digit" "$OUT"
assert_nothing_mounted "bad names"
assert_eq "$before" "$(snapshot)" "tree after bad names"
pass "usage and names"

# A lowerdir symlinked outside the allowed roots.
mkdir -p "$T/outside/left4dead2"
ln -s "$T/outside" "$R/overlays/evil"
make_instance evil "$R/overlays/evil:$R/installation"
expect_exit 1 "$BIN_OVERLAY" mount evil
assert_eq "left4me-overlay: mount 'evil': instances/evil/instance.env: layer 1 '$T/outside' is outside the allowed roots (installation, overlays, workshop_cache, global_overlay_cache)" "$OUT"
assert_nothing_mounted "evil lowerdir"

# upper replaced by a symlink to /etc.
make_instance up "$STACK"
rmdir "$R/runtime/up/upper" && ln -s /etc "$R/runtime/up/upper"
etc_before=$(ls -la /etc | md5sum)
expect_exit 1 "$BIN_OVERLAY" mount up
assert_eq "left4me-overlay: mount 'up': runtime/up/upper must be a real directory, found a symlink" "$OUT"
assert_nothing_mounted "upper symlink"
assert_eq "$etc_before" "$(ls -la /etc | md5sum)" "/etc"

# The runtime directory itself replaced by a symlink.
make_instance rt "$STACK"
mv "$R/runtime/rt" "$T/rt-real" && ln -s "$T/rt-real" "$R/runtime/rt"
expect_exit 1 "$BIN_OVERLAY" mount rt
assert_contains "$OUT" "runtime/rt: is a symlink or passes through one; refusing"
assert_nothing_mounted "runtime symlink"

# 501 layers.
layers="$R/installation"
for i in $(seq 1 500); do layers="$R/overlays/1:$layers"; done
make_instance deep "$layers"
expect_exit 1 "$BIN_OVERLAY" mount deep
assert_eq "left4me-overlay: mount 'deep': $R/instances/deep/instance.env:2: L4D2_LOWERDIRS: 501 layers; at most 500" "$OUT"
assert_nothing_mounted "501 layers"
pass "lowerdir, upper, runtime symlinks and 501 layers refused"

# 500 distinct layers mount (lowerdir+ per layer: no one-page limit).
layers="$R/installation"
for i in $(seq 1 499); do mkdir -p "$R/overlays/many/$i"; layers="$R/overlays/many/$i:$layers"; done
chown -R "$SERVICE_UID:$SERVICE_UID" "$R/overlays/many"
make_instance wide "$layers"
"$BIN_OVERLAY" mount wide
assert_eq overlay "$(findmnt -n -o FSTYPE "$R/runtime/wide/merged")" "500-layer merged"
"$BIN_OVERLAY" umount wide
assert_nothing_mounted "500 layers"
pass "500 layers mount"

# work replaced by a symlink before umount: unmounts, deletes nothing outside, says so.
"$BIN_OVERLAY" mount a
mkdir -p "$T/victim/work" && echo keep >"$T/victim/work/precious"
mv "$R/runtime/a/work" "$R/runtime/a/work.real" && ln -s "$T/victim" "$R/runtime/a/work"
expect_exit 1 "$BIN_OVERLAY" umount a
assert_eq "left4me-overlay: umount 'a': runtime/a/work must be a real directory, found a symlink; work/work not removed" "$OUT"
assert_eq keep "$(cat "$T/victim/work/precious")" "file outside the instance"
assert_nothing_mounted "work symlink"
rm "$R/runtime/a/work" && mv "$R/runtime/a/work.real" "$R/runtime/a/work"
pass "work symlink"

# fuse-overlayfs leftovers in upper.
make_instance fuse "$STACK"
echo x >"$R/runtime/fuse/upper/f" && python3 -c "import os,sys; os.setxattr(sys.argv[1], 'user.fuseoverlayfs.origin', b'y')" "$R/runtime/fuse/upper/f"
expect_exit 1 "$BIN_OVERLAY" mount fuse
assert_eq "left4me-overlay: mount 'fuse': runtime/fuse/upper was written by fuse-overlayfs (user.fuseoverlayfs.origin on 'f'); wipe upper/ and work/ before mounting" "$OUT"
assert_nothing_mounted "fuse-overlayfs upper"
pass "fuse-overlayfs upper refused"

# A layer holding a symlink out of the game tree (issue 14, item 8): each trick refused, naming the layer
# and the link; nothing mounted. Workshop-cache layers are walked as overlays are.
mkdir -p "$R/overlays/links/left4dead2/cfg" "$R/workshop_cache/links/left4dead2"
ln -s . "$R/overlays/links/left4dead2/cfg/here"
chown -R "$SERVICE_UID:$SERVICE_UID" "$R/overlays/links" "$R/workshop_cache/links"
for target in /etc/shadow ../../../.. here/here/here/../../../etc; do
  ln -sfn "$target" "$R/overlays/links/left4dead2/cfg/out"
  make_instance links "$R/overlays/links:$STACK"
  expect_exit 1 "$BIN_OVERLAY" mount links
  assert_contains "$OUT" "left4me-overlay: mount 'links': layer 1 'overlays/links': symlink 'left4dead2/cfg/out' -> '$target' leads out of the game tree ("
  assert_nothing_mounted "symlink -> $target"
done
rm "$R/overlays/links/left4dead2/cfg/out"
ln -s /root "$R/workshop_cache/links/left4dead2/addons"
make_instance links "$R/overlays/links:$R/workshop_cache/links:$STACK"
expect_exit 1 "$BIN_OVERLAY" mount links
assert_eq "left4me-overlay: mount 'links': layer 2 'workshop_cache/links': symlink 'left4dead2/addons' -> '/root' leads out of the game tree (absolute)" "$OUT"
assert_nothing_mounted "workshop_cache layer"
rm "$R/workshop_cache/links/left4dead2/addons"
expect_exit 0 "$BIN_OVERLAY" mount links
[ -L "$R/runtime/links/merged/left4dead2/cfg/here" ] || fail "the link inside the tree is not in merged"
expect_exit 0 "$BIN_OVERLAY" umount links
assert_nothing_mounted "after the clean layers"
pass "layers with symlinks out of the game tree refused"

# instance.env is the service user's file: read with the strict parser, it cannot carry anything else
# (an LD_PRELOAD line, a symlink to another file, a FIFO, a huge file) into the root helper.
make_instance env "$STACK"
printf 'LD_PRELOAD=/tmp/evil.so\n' >>"$R/instances/env/instance.env"
expect_exit 1 "$BIN_OVERLAY" mount env
assert_eq "left4me-overlay: mount 'env': $R/instances/env/instance.env:4: unknown key \"LD_PRELOAD\"; expected L4D2_PORT, L4D2_LOWERDIRS and L4D2_ARGS" "$OUT"
printf 'L4D2_PORT=27015\nL4D2_LOWERDIRS=%s\n' "$STACK" >"$R/instances/env/instance.env"
expect_exit 1 "$BIN_OVERLAY" mount env
assert_contains "$OUT" "instance.env: L4D2_ARGS: missing"
echo "L4D2_LOWERDIRS=$STACK" >"$T/elsewhere.env"
rm "$R/instances/env/instance.env" && ln -s "$T/elsewhere.env" "$R/instances/env/instance.env"
expect_exit 1 "$BIN_OVERLAY" mount env
assert_contains "$OUT" "instance.env: is a symlink or passes through one; refusing"
rm "$R/instances/env/instance.env" && mkfifo "$R/instances/env/instance.env"
expect_exit 1 timeout 5 "$BIN_OVERLAY" mount env
assert_contains "$OUT" "instance.env: is not a regular file"
assert_nothing_mounted "bad instance.env"
pass "instance.env: unknown keys, missing keys, symlinks and FIFOs refused"

# The helper never reads its environment: LEFT4ME_ROOT, LEFT4ME_HOST_ENV and the uid range there are
# ignored even from plain root; it reads /etc/left4me/host.env (absent here: the default
# /var/lib/left4me, where this instance does not exist).
expect_exit 1 env LEFT4ME_ROOT="$R" LEFT4ME_HOST_ENV="$T/host.env" "$HELPER_BINARY" mount a
assert_not_contains "$OUT" "$R"
assert_contains "$OUT" "/var/lib/left4me"
# Through sudo (SUDO_UID set) --host-env is refused outright.
expect_exit 2 env SUDO_UID=1000 "$HELPER_BINARY" --host-env "$T/host.env" mount a
assert_contains "$OUT" "--host-env is accepted only from root, not through sudo"
expect_exit 2 env SUDO_COMMAND=x "$HELPER_BINARY" --host-env "$T/host.env" mount a
assert_nothing_mounted "sudo caller"
# From plain root, the named host.env is honoured.
"$BIN_OVERLAY" mount a
assert_eq overlay "$(findmnt -n -o FSTYPE "$R/runtime/a/merged")" "merged via --host-env"
"$BIN_OVERLAY" umount a
assert_nothing_mounted "end"
pass "the environment is never read; --host-env only from plain root"
