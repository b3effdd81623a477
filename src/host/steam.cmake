# steamcmd: the install engine of `l4d2ctl install` and workshop downloads.
list(APPEND LEFT4ME_HOST_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/steamcmd.cc)
list(APPEND LEFT4ME_HOST_TESTS
  ${CMAKE_CURRENT_SOURCE_DIR}/steamcmd_test.cc)
# The tests drive the wrapper against the built fake-steamcmd (src/testing/fake_steamcmd adds the
# build-order dependency of host_test on it).
set_source_files_properties(${CMAKE_CURRENT_SOURCE_DIR}/steamcmd_test.cc PROPERTIES COMPILE_DEFINITIONS
  "LEFT4ME_FAKE_STEAMCMD=\"${PROJECT_BINARY_DIR}/src/testing/fake_steamcmd/fake-steamcmd\"")
