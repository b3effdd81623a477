# fake-srcds checked against real clients (quakestat, gamedig, rconclt), and one test per fault mode
# (docs/fakes.md).
foreach(test quakestat gamedig rconclt console ticks fault_crash fault_hang fault_bind fault_start_delay
             fault_mapchange_quiet)
  left4me_add_integration_test(fake_srcds_${test} fake_srcds/${test}.sh TIMEOUT 60 LABELS fake_srcds)
endforeach()
