# systemd deployment (issue 5). Container tests boot a real systemd with systemd-nspawn (root only).
left4me_add_integration_test(systemd_helpers systemd/helpers.sh TIMEOUT 60 LABELS systemd)
left4me_add_integration_test(systemd_generator systemd/generator.sh TIMEOUT 60 LABELS systemd)
set_tests_properties(systemd_helpers PROPERTIES SKIP_RETURN_CODE 77)
left4me_add_integration_test(systemd_package systemd/package.sh TIMEOUT 240 LABELS systemd container)
set_tests_properties(systemd_package PROPERTIES SKIP_RETURN_CODE 77)
left4me_add_integration_test(systemd_lifecycle systemd/lifecycle.sh TIMEOUT 600 LABELS systemd container)
set_tests_properties(systemd_lifecycle PROPERTIES SKIP_RETURN_CODE 77)
# docs/deploy.md run as written in a booted container, then upgraded (issue 20).
left4me_add_integration_test(systemd_deploy_doc systemd/deploy_doc.sh TIMEOUT 600 LABELS systemd container)
set_tests_properties(systemd_deploy_doc PROPERTIES SKIP_RETURN_CODE 77)
# Hang detection under systemd: left4me-monitor.service (issue 15, item 3).
left4me_add_integration_test(systemd_health systemd/health.sh TIMEOUT 300 LABELS systemd container)
set_tests_properties(systemd_health PROPERTIES SKIP_RETURN_CODE 77)
# Script overlays under systemd: left4me-script-sandbox's transient unit (issue 14, item 6).
left4me_add_integration_test(systemd_script_sandbox systemd/script_sandbox.sh TIMEOUT 240 LABELS systemd container)
set_tests_properties(systemd_script_sandbox PROPERTIES SKIP_RETURN_CODE 77)
