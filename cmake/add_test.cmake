# left4me_add_unit_test(NAME SOURCES... LIBS ...): one gtest binary per module, run by ctest. Every one links
# the shared test support (src/testing/test_support.h: ASSERT_OK, EXPECT_OK, TempDir). The fuzz configuration
# (LEFT4ME_FUZZ) defines the target but builds it only when asked for by name.
function(left4me_add_unit_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  if(LEFT4ME_FUZZ)
    add_executable(${name} EXCLUDE_FROM_ALL ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} left4me_test_support GTest::gtest GTest::gtest_main)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 30 PROPERTIES LABELS unit)
endfunction()
include(GoogleTest)
