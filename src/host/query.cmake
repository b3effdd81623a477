# A2S and RCON: the Source wire codec and the clients l4d2ctl uses to query a running server.
list(APPEND LEFT4ME_HOST_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/source_wire.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/net_client.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/a2s_client.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/rcon_client.cc)
# The client tests run against a real fake-srcds (its path comes from src/testing/fake_srcds/CMakeLists.txt)
# and against lying servers written inside the tests.
list(APPEND LEFT4ME_HOST_TESTS
  ${CMAKE_CURRENT_SOURCE_DIR}/source_wire_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/a2s_client_test.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/rcon_client_test.cc
  ${PROJECT_SOURCE_DIR}/src/testing/fake_srcds/running_fake_srcds.cc)
