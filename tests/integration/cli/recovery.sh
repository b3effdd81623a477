#!/usr/bin/env bash
# Recovery: after a simulated reboot (server and supervisor gone, every mount gone) and after a crash
# between two mounts (half-mounted), the next start repairs the game tree; and start/stop cycles leave
# the mount table exactly as it was, with nothing stacked at any point (the upstream ismount bug).
. "$(dirname "$0")/../lib.sh"
setup_host_root
install_game
port=$(free_port)
write_spec "$T/r.yaml" "$port"
expect_exit 0 "$BIN_L4D2CTL" initialize r -f "$T/r.yaml"
# As the package leaves it, the data belongs to a service user: mounts then include idmapped binds.
chmod 755 "$T"
chown -R 4242:4242 "$LEFT4ME_ROOT"
runtime="$LEFT4ME_ROOT/runtime/r"
before=$(mounts_under "$LEFT4ME_ROOT")

# Simulated reboot: every process and mount vanishes behind the tool's back.
expect_exit 0 "$BIN_L4D2CTL" start r --wait --timeout 30
kill_supervisors_under "$LEFT4ME_ROOT"
unmount_all_under "$LEFT4ME_ROOT"
assert_eq 0 "$(mounts_under "$LEFT4ME_ROOT")" "mounts after the simulated reboot"
expect_exit 0 "$BIN_L4D2CTL" status r --json
assert_eq failed "$(json_get "$OUT" 'j["state"]')" "state after the simulated reboot"
expect_exit 0 "$BIN_L4D2CTL" start r --wait --timeout 30
expect_exit 0 "$BIN_L4D2CTL" status r --json
assert_eq running "$(json_get "$OUT" 'j["state"]')" "state after recovery"
assert_eq true "$(json_get "$OUT" 'j["mounted"]')" "mounted after recovery"
expect_exit 0 "$BIN_L4D2CTL" stop r

# Half-mounted: the binds are there but the overlay is not (a crash between two mounts).
expect_exit 0 "$BIN_L4D2CTL" start r --wait --timeout 30
kill_supervisors_under "$LEFT4ME_ROOT"
umount -l "$runtime/merged"
[ "$(mounts_under "$runtime")" -gt 0 ] || fail "the test needs the binds to remain"
expect_exit 0 "$BIN_L4D2CTL" start r --wait --timeout 30
assert_eq 1 "$(awk -v d="$runtime/merged" '$5 == d' /proc/self/mountinfo | wc -l)" "overlays on merged after repair"
expect_exit 0 "$BIN_L4D2CTL" stop r
assert_eq "$before" "$(mounts_under "$LEFT4ME_ROOT")" "mounts after the repaired instance stopped"

# Cycles: the mount table returns exactly to where it was, never stacking on the way.
cycles=${LEFT4ME_TEST_CYCLES:-200}
snapshot=$(awk -v d="$LEFT4ME_ROOT/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort)
for i in $(seq "$cycles"); do
  "$BIN_L4D2CTL" start r >/dev/null || fail "start in cycle $i"
  stacked=$(awk -v d="$LEFT4ME_ROOT/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort | uniq -d)
  [ -z "$stacked" ] || fail "stacked mounts in cycle $i: $stacked"
  "$BIN_L4D2CTL" stop r >/dev/null || fail "stop in cycle $i"
done
assert_eq "$snapshot" "$(awk -v d="$LEFT4ME_ROOT/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort)" \
  "mount table after $cycles start/stop cycles"
[ -z "$(pgrep -f -- "[+]hostport $port( |$)")" ] || fail "a server is left after the cycles"
pass "recovery and $cycles cycles"
