# The systemd helpers (issue 5): left4me-systemctl and left4me-journalctl. Like every privileged
# helper they link only the model and base code, plus the mount library's instance identity code
# (the uid record the overlay helper shares).
add_library(left4me_systemd_tool STATIC ${CMAKE_CURRENT_LIST_DIR}/systemd_tool.cc
                                        ${CMAKE_CURRENT_LIST_DIR}/systemd_identity.cc)
target_link_libraries(left4me_systemd_tool PUBLIC left4me_mount left4me_model left4me_base)

add_executable(left4me-systemctl ${CMAKE_CURRENT_LIST_DIR}/left4me_systemctl_main.cc)
target_link_libraries(left4me-systemctl PRIVATE left4me_systemd_tool left4me_model left4me_base)

add_executable(left4me-journalctl ${CMAKE_CURRENT_LIST_DIR}/left4me_journalctl_main.cc)
target_link_libraries(left4me-journalctl PRIVATE left4me_systemd_tool left4me_model left4me_base)
