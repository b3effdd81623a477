# Project-wide warnings, the optional sanitizer build, and the fuzz build's instrumentation.
add_compile_options(-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                    -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual
                    -Wformat=2 -Wimplicit-fallthrough
                    # designated initializers of option structs leave the rest defaulted on purpose
                    -Wno-missing-field-initializers)
if(LEFT4ME_WERROR)
  add_compile_options(-Werror)
endif()
if(LEFT4ME_FUZZ)
  # Every library is instrumented for libFuzzer's coverage, ASan and UBSan (UB aborts, so it counts as a
  # crash); asserts stay on (-UNDEBUG after the build type's -DNDEBUG); -O1 and line tables only, which build
  # in half the time and still give stack traces. fuzz/CMakeLists.txt links the runtime.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
                      -UNDEBUG -O1 -gline-tables-only)
  add_link_options(-fsanitize=address,undefined)
endif()
if(LEFT4ME_SANITIZE)
  # Line tables only (-g1): the sanitizers' stack traces still name files and lines, and the build is faster.
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all -g1)
  add_link_options(-fsanitize=address,undefined)
endif()
