# fake-steamcmd: its behaviours as protocols.md §4 describes the real steamcmd (docs/fakes.md).
left4me_add_integration_test(fake_steamcmd_install fake_steamcmd/install.sh TIMEOUT 60 LABELS fake_steamcmd)
left4me_add_integration_test(fake_steamcmd_srcds_run fake_steamcmd/srcds_run.sh TIMEOUT 60 LABELS fake_steamcmd)
left4me_add_integration_test(fake_steamcmd_failures fake_steamcmd/failures.sh TIMEOUT 60 LABELS fake_steamcmd)
left4me_add_integration_test(fake_steamcmd_buffering fake_steamcmd/buffering.sh TIMEOUT 60 LABELS fake_steamcmd)
left4me_add_integration_test(fake_steamcmd_workshop fake_steamcmd/workshop.sh TIMEOUT 60 LABELS fake_steamcmd)
left4me_add_integration_test(fake_steamcmd_builds fake_steamcmd/builds.sh TIMEOUT 60 LABELS fake_steamcmd)
