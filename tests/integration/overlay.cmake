# left4me-overlay: real overlayfs and idmapped binds (CI runs as root).
left4me_add_integration_test(overlay_helper_hardening overlay/helper_hardening.sh TIMEOUT 120 LABELS overlay)
left4me_add_integration_test(overlay_helper_cycles overlay/helper_cycles.sh TIMEOUT 300 LABELS overlay)
left4me_add_integration_test(overlay_mount_namespace overlay/mount_namespace.sh TIMEOUT 60 LABELS overlay)
left4me_add_integration_test(overlay_sudoers overlay/sudoers.sh TIMEOUT 30 LABELS overlay)
