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
# Server history and webhooks with a local receiver: retried, never delaying a job, a crash and a failed server
# (issue 15, items 4 and 6).
left4me_add_integration_test(web_webhooks web/webhooks.sh TIMEOUT 240 LABELS web)
