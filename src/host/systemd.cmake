# The systemd supervisor backend (issue 5): units acted on through left4me-systemctl/-journalctl.
list(APPEND LEFT4ME_HOST_SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/systemd_supervisor.cc)
list(APPEND LEFT4ME_HOST_TESTS ${CMAKE_CURRENT_SOURCE_DIR}/systemd_supervisor_test.cc)
