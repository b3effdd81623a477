# Project-wide warnings and the optional sanitizer build.
add_compile_options(-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                    -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual
                    -Wformat=2 -Wimplicit-fallthrough
                    # designated initializers of option structs leave the rest defaulted on purpose
                    -Wno-missing-field-initializers)
if(LEFT4ME_WERROR)
  add_compile_options(-Werror)
endif()
if(LEFT4ME_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
