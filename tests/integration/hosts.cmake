# Several hosts (issue 17): each a network namespace the test makes, running Debian's sshd on its own config
# with the panel's key's forced command (hosts/lib.sh): the transport through web_ssh_probe, and the panel (the real
# l4d2web in the panel's namespace) through its API.
left4me_add_integration_test(hosts_transport hosts/transport.sh TIMEOUT 120 LABELS hosts)
left4me_add_integration_test(hosts_panel hosts/panel.sh TIMEOUT 300 LABELS hosts)
