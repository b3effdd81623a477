# l4d2web: the real binary over loopback HTTP with real SQLite files (and the real l4d2ctl with the fakes).
left4me_add_integration_test(web_cli web/cli.sh TIMEOUT 120 LABELS web)
left4me_add_integration_test(web_crash web/crash.sh TIMEOUT 240 LABELS web)
# One deeply nested body must not kill the app (JSON bodies, a form's spec, spec_yaml).
left4me_add_integration_test(web_nested_body_crash web/nested_body_crash.sh TIMEOUT 120 LABELS web)
# A server name that is not UTF-8 leaves the dashboard and the other servers' live state intact.
left4me_add_integration_test(web_invalid_utf8_hostname web/invalid_utf8_hostname.sh TIMEOUT 180 LABELS web)
# The pages end to end in headless Chromium (tests/browser/pages.test.js), about 30 s, also in the ASan
# build. Skipped (77) only without chromium or the npm packages.
left4me_add_integration_test(web_pages_browser web/pages_browser.sh TIMEOUT 180 LABELS web browser)
set_tests_properties(web_pages_browser PROPERTIES SKIP_RETURN_CODE 77)
left4me_add_integration_test(web_pages_run web/pages_run.sh TIMEOUT 90 LABELS web browser)
set_tests_properties(web_pages_run PROPERTIES SKIP_RETURN_CODE 77)
# Instances made with the CLI are not the panel's until an admin adopts them (issue 11, item 6).
left4me_add_integration_test(web_cli_instance_takeover web/cli_instance_takeover.sh TIMEOUT 180 LABELS web)
set_tests_properties(web_cli_instance_takeover PROPERTIES SKIP_RETURN_CODE 77)
# GET /metrics with a real server running, checked by promtool (issue 15, item 5).
left4me_add_integration_test(web_metrics web/metrics.sh TIMEOUT 180 LABELS web)
set_tests_properties(web_metrics PROPERTIES SKIP_RETURN_CODE 77)
# The RCON console and live players in headless Chromium (tests/browser/rcon.test.js).
left4me_add_integration_test(web_rcon_browser web/rcon_browser.sh TIMEOUT 180 LABELS web browser)
set_tests_properties(web_rcon_browser PROPERTIES SKIP_RETURN_CODE 77)
# Issue 13's first hour in Chromium: a stuck start ends stopped with its reason, the pages follow the server.
left4me_add_integration_test(web_first_hour_browser web/first_hour_browser.sh TIMEOUT 240 LABELS web browser)
set_tests_properties(web_first_hour_browser PROPERTIES SKIP_RETURN_CODE 77)
# Game builds in the panel: "restart on the new build when empty" with fake-srcds players (issue 16, item 4).
left4me_add_integration_test(web_build_switch web/build_switch.sh TIMEOUT 180 LABELS web)
set_tests_properties(web_build_switch PROPERTIES SKIP_RETURN_CODE 77)
# Two-factor sign-in in Chromium: set up from the account page reading the key, log out, log in with a code
# (issue 19, item 2).
left4me_add_integration_test(web_two_factor_browser web/two_factor_browser.sh TIMEOUT 120 LABELS web browser)
set_tests_properties(web_two_factor_browser PROPERTIES SKIP_RETURN_CODE 77)
# Scheduled daily restarts: waits while fake-srcds has players, says the message, restarts once empty (issue 15, 4).
left4me_add_integration_test(web_restart_schedule web/restart_schedule.sh TIMEOUT 180 LABELS web)
set_tests_properties(web_restart_schedule PROPERTIES SKIP_RETURN_CODE 77)
# Sharing a server in Chromium: the owner shares it as operator, the friend signs in and restarts it (issue 19).
left4me_add_integration_test(web_share_browser web/share_browser.sh TIMEOUT 180 LABELS web browser)
set_tests_properties(web_share_browser PROPERTIES SKIP_RETURN_CODE 77)
# Server history and webhooks with a local receiver: retried, never delaying a job, a crash and a failed server
# (issue 15, items 4 and 6).
left4me_add_integration_test(web_webhooks web/webhooks.sh TIMEOUT 240 LABELS web)
