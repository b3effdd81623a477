# Configuration, instances and the built-in supervisor.
list(APPEND LEFT4ME_HOST_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/host_config.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/process_identity.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/launch.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/console_log.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/supervisor_state.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/rendered_files.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/builtin_supervisor.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/supervise_loop.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/socket_owner.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/instances.cc)
list(APPEND LEFT4ME_HOST_TESTS
  ${CMAKE_CURRENT_SOURCE_DIR}/host_config_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/console_log_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/supervisor_state_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/instances_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/rendered_files_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/socket_owner_test.cc)
