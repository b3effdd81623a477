# left4me-overlay: real overlayfs and idmapped binds (CI runs as root).
left4me_add_integration_test(overlay_helper_hardening overlay/helper_hardening.sh TIMEOUT 120 LABELS overlay)
left4me_add_integration_test(overlay_helper_cycles overlay/helper_cycles.sh TIMEOUT 300 LABELS overlay)
left4me_add_integration_test(overlay_mount_namespace overlay/mount_namespace.sh TIMEOUT 60 LABELS overlay)
left4me_add_integration_test(overlay_sudoers overlay/sudoers.sh TIMEOUT 30 LABELS overlay)
# Script overlays without systemd: l4d2ctl build-overlay under bubblewrap (issue 14, item 6).
left4me_add_integration_test(overlay_script_sandbox overlay/script_sandbox.sh TIMEOUT 60 LABELS overlay)
set_tests_properties(overlay_script_sandbox PROPERTIES SKIP_RETURN_CODE 77)
