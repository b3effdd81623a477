# Several hosts (issue 17): each a network namespace the test makes, running Debian's sshd on its own config
# with the panel's key's forced command (hosts/lib.sh).
left4me_add_integration_test(hosts_transport hosts/transport.sh TIMEOUT 120 LABELS hosts)
