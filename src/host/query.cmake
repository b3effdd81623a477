# A2S and RCON: the Source wire codec and the clients l4d2ctl uses to query a running server.
list(APPEND LEFT4ME_HOST_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/source_wire.cc)
list(APPEND LEFT4ME_HOST_TESTS
  ${CMAKE_CURRENT_SOURCE_DIR}/source_wire_test.cc)
