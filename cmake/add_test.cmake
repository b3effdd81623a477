# left4me_add_unit_test(NAME SOURCES... LIBS ... [PRECOMPILE headers...]): one gtest binary per module, run by
# ctest. Every one links the shared test support (src/testing/test_support.h: ASSERT_OK, EXPECT_OK, TempDir). The
# fuzz configuration (LEFT4ME_FUZZ) defines the target but builds it only when asked for by name.
#
# Build time (CI runs two full builds on 2 cores, docs/benchmarks.md "CI time"): the tests' own code is compiled
# without optimisation in every build type (the libraries under test keep the build type's flags), which halves
# its compile time, and PRECOMPILE names the headers nearly every file of a large test binary includes (gtest,
# a fixture), parsed once per binary instead of once per file. Only test code, which is never optimised, is built
# with precompiled headers: gcc 12 reports its false -Warray-bounds positives from inside std::string when the
# standard headers come from a precompiled header at -O2, which -Werror turns into errors.
#
# Test time: by default each test case is a ctest test of its own (one process each, reported by name). With
# LEFT4ME_UNIT_TEST_SHARDS=N each binary is N ctest tests instead, each running one gtest shard: the sanitizer
# build's processes take 0.4 to 1 s each to start and end, 897 of them about 10 of its 15 CPU minutes of unit tests.
function(left4me_add_unit_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS;PRECOMPILE" ${ARGN})
  if(LEFT4ME_FUZZ)
    add_executable(${name} EXCLUDE_FROM_ALL ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} left4me_test_support GTest::gtest GTest::gtest_main)
  target_compile_options(${name} PRIVATE -O0)
  if(ARG_PRECOMPILE)
    target_precompile_headers(${name} PRIVATE ${ARG_PRECOMPILE})
  endif()
  if(LEFT4ME_UNIT_TEST_SHARDS GREATER 0)
    foreach(index RANGE 1 ${LEFT4ME_UNIT_TEST_SHARDS})
      math(EXPR shard "${index} - 1")
      add_test(NAME ${name}_shard${index} COMMAND ${name})
      set_tests_properties(${name}_shard${index} PROPERTIES LABELS unit ENVIRONMENT
        "GTEST_TOTAL_SHARDS=${LEFT4ME_UNIT_TEST_SHARDS};GTEST_SHARD_INDEX=${shard}")
    endforeach()
  else()
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 30 PROPERTIES LABELS unit)
  endif()
endfunction()
include(GoogleTest)
