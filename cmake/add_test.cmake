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
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 30 PROPERTIES LABELS unit)
endfunction()
include(GoogleTest)
