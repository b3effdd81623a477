# Network rules the package ships, checked in network namespaces the tests make themselves.
left4me_add_integration_test(net_a2s_flood net/a2s_flood.sh TIMEOUT 60 LABELS net)
