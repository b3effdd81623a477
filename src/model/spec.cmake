# The instance/blueprint spec and the files rendered from it (included by src/model/CMakeLists.txt).
target_sources(left4me_model PRIVATE ${CMAKE_CURRENT_LIST_DIR}/spec.cc ${CMAKE_CURRENT_LIST_DIR}/spec_rules.cc
                                     ${CMAKE_CURRENT_LIST_DIR}/render.cc)
target_link_libraries(left4me_model PUBLIC left4me_yaml_cpp)
left4me_add_unit_test(spec_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/spec_test.cc ${CMAKE_CURRENT_LIST_DIR}/render_test.cc
  LIBS left4me_model)
# spec_test checks that the example in docs/spec.md parses and renders as documented.
target_compile_definitions(spec_test PRIVATE LEFT4ME_SPEC_DOC="${PROJECT_SOURCE_DIR}/docs/spec.md")
