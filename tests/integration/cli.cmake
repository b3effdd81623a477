# l4d2ctl end to end on the built-in supervisor with fake-steamcmd and fake-srcds (real mounts as root).
left4me_add_integration_test(cli_lifecycle cli/lifecycle.sh LABELS cli)
left4me_add_integration_test(cli_bad_input cli/bad_input.sh LABELS cli)
left4me_add_integration_test(cli_faults cli/faults.sh TIMEOUT 400 LABELS cli)
left4me_add_integration_test(cli_install cli/install.sh LABELS cli)
left4me_add_integration_test(cli_game_builds cli/game_builds.sh TIMEOUT 300 LABELS cli)
left4me_add_integration_test(cli_identity cli/identity.sh LABELS cli)
left4me_add_integration_test(cli_recovery cli/recovery.sh TIMEOUT 500 LABELS cli)
left4me_add_integration_test(cli_rcon_impostor cli/rcon_impostor.sh LABELS cli)
left4me_add_integration_test(cli_invalid_utf8_hostname cli/invalid_utf8_hostname.sh LABELS cli)
left4me_add_integration_test(cli_remote cli/remote.sh LABELS cli)
# A failed start ends stopped, with its reason in status.
left4me_add_integration_test(cli_failed_start cli/failed_start.sh TIMEOUT 180 LABELS cli)
# The Steam client library in the servers' HOME: copied by install, checked at start, no LAN mode.
left4me_add_integration_test(cli_steam_client cli/steam_client.sh TIMEOUT 120 LABELS cli)
# The maps to pick from, with fake-steamcmd's installation and an overlay's addon campaign.
left4me_add_integration_test(cli_maps cli/maps.sh TIMEOUT 60 LABELS cli)
# The players of status/list --players, from fake-srcds over A2S_PLAYER.
left4me_add_integration_test(cli_players cli/players.sh TIMEOUT 90 LABELS cli)
# Hang detection: the built-in supervisor's one health monitor restarts a hung server, not a map change.
left4me_add_integration_test(cli_health cli/health.sh TIMEOUT 300 LABELS cli)
# cli_health judges hangs with a 3 s hang time and 1 s rounds: beside a booting container or a browser test on the
# two cores, its monitor has restarted a server that answered all along (the code before and after the change that
# found it, 2026-12-04, on a VM where a process start costs 2 ms). It runs alone.
set_tests_properties(cli_health PROPERTIES RUN_SERIAL TRUE)
