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
