# Overlay plan and mounting. The mount code is its own small library so the privileged helper
# (src/helper) links only it, model and base; left4me_host links it too.
add_library(left4me_mount STATIC
  ${CMAKE_CURRENT_SOURCE_DIR}/mount_plan.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/mount_table.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/mount_probe.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/safe_open.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/instance_identity.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/instance_env_file.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/host_env.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/bind_guard.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/overlay_mount.cc)
# libmount's headers only: mount_table.cc opens the library on first use (see there), so programs that
# never read the mount table (l4d2ctl status on kernels with statmount) do not load it.
target_include_directories(left4me_mount PRIVATE ${MOUNT_INCLUDE_DIRS})
target_link_libraries(left4me_mount PUBLIC left4me_model left4me_base ${CMAKE_DL_LIBS})

list(APPEND LEFT4ME_HOST_SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/mounter.cc)
list(APPEND LEFT4ME_HOST_TESTS
  ${CMAKE_CURRENT_SOURCE_DIR}/mount_plan_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/mount_table_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/mount_probe_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/instance_identity_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/overlay_mount_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/mounter_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/bind_guard_test.cc)
# left4me_host is created after the area files are included; link it to the mount code then.
cmake_language(DEFER CALL target_link_libraries left4me_host PUBLIC left4me_mount)
