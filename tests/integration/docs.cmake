# The documentation against the programs (issue 20).
left4me_add_integration_test(docs_config_keys docs/config_keys.sh TIMEOUT 30 LABELS docs)
