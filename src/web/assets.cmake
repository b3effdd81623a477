# The l4d2web pages: their sources, and the files they need embedded into the binary at build time: our
# mustache templates (templates/), our CSS and JS (static/), and HTMX with its SSE extension from
# node_modules (pinned by package-lock.json, installed by scripts/setup with `npm ci`; never committed).
# Static files are embedded with their gzip and brotli forms beside them, made here by web_precompress.
set(_web_vendor
  "static/htmx.min.js=${PROJECT_SOURCE_DIR}/node_modules/htmx.org/dist/htmx.min.js"
  "static/htmx-sse.js=${PROJECT_SOURCE_DIR}/node_modules/htmx-ext-sse/dist/sse.js")
file(GLOB _web_templates CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/templates/*.mustache)
file(GLOB _web_static CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/static/*.css ${CMAKE_CURRENT_SOURCE_DIR}/static/*.js
     ${CMAKE_CURRENT_SOURCE_DIR}/static/*.ico)

set(_web_manifest "")
set(_web_asset_files "")
# A static file's manifest line, "name=path|gzip-path|brotli-path", and the command that compresses it.
function(_web_static_entry name file)
  set(gz "${CMAKE_CURRENT_BINARY_DIR}/precompressed/${name}.gz")
  set(br "${CMAKE_CURRENT_BINARY_DIR}/precompressed/${name}.br")
  get_filename_component(dir "${gz}" DIRECTORY)
  add_custom_command(
    OUTPUT "${gz}" "${br}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${dir}"
    COMMAND web_precompress "${file}" "${gz}" "${br}"
    DEPENDS "${file}" web_precompress
    VERBATIM)
  set(_web_manifest "${_web_manifest}${name}=${file}|${gz}|${br}\n" PARENT_SCOPE)
  set(_web_asset_files ${_web_asset_files} "${file}" "${gz}" "${br}" PARENT_SCOPE)
endfunction()
foreach(entry ${_web_vendor})
  string(REGEX MATCH "^[^=]*" name "${entry}")
  string(REGEX REPLACE "^[^=]*=" "" file "${entry}")
  if(NOT EXISTS "${file}")
    message(FATAL_ERROR "${file} is missing: run scripts/setup (it runs `npm ci`)")
  endif()
  _web_static_entry("${name}" "${file}")
endforeach()
foreach(file ${_web_static})
  file(RELATIVE_PATH name ${CMAKE_CURRENT_SOURCE_DIR} ${file})
  _web_static_entry("${name}" "${file}")
endforeach()
foreach(file ${_web_templates})
  file(RELATIVE_PATH name ${CMAKE_CURRENT_SOURCE_DIR} ${file})
  string(APPEND _web_manifest "${name}=${file}\n")
  list(APPEND _web_asset_files "${file}")
endforeach()
# Written only when it changes, so a reconfigure does not rebuild the assets.
file(GENERATE OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/web_assets.manifest CONTENT "${_web_manifest}")

add_custom_command(
  OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/embedded_assets.cc
  COMMAND ${CMAKE_COMMAND} -DMANIFEST=${CMAKE_CURRENT_BINARY_DIR}/web_assets.manifest
          -DOUTPUT=${CMAKE_CURRENT_BINARY_DIR}/embedded_assets.cc -P ${CMAKE_CURRENT_SOURCE_DIR}/embed_assets.cmake
  DEPENDS ${_web_asset_files} ${CMAKE_CURRENT_SOURCE_DIR}/embed_assets.cmake
          ${CMAKE_CURRENT_BINARY_DIR}/web_assets.manifest
  COMMENT "Embedding the l4d2web templates and static files"
  VERBATIM)

target_sources(left4me_web PRIVATE
  assets.cc
  page_render.cc
  pages_account.cc
  pages_admin.cc
  pages_audit.cc
  pages_blueprints.cc
  pages_builds.cc
  pages_common.cc
  pages_hosts.cc
  pages_jobs.cc
  pages_managed_overlays.cc
  pages_overlay_files.cc
  pages_overlays.cc
  pages_servers.cc
  pages_two_factor.cc
  pages_webhooks.cc
  ${CMAKE_CURRENT_BINARY_DIR}/embedded_assets.cc)
find_path(KAINJOW_MUSTACHE_INCLUDE_DIR kainjow/mustache.hpp REQUIRED)
target_include_directories(left4me_web PRIVATE ${KAINJOW_MUSTACHE_INCLUDE_DIR})

left4me_add_unit_test(web_pages_test
  SOURCES
    assets_test.cc
    compressed_responses_test.cc
    page_render_test.cc
    pages_account_test.cc
    pages_admin_test.cc
    pages_blueprints_test.cc
    pages_builds_test.cc
    pages_common_test.cc
    pages_hosts_test.cc
    pages_jobs_test.cc
    pages_overlays_test.cc
    pages_servers_test.cc
    pages_two_factor_test.cc
    pages_webhooks_test.cc
  LIBS left4me_web
  PRECOMPILE <gtest/gtest.h> ${CMAKE_CURRENT_SOURCE_DIR}/web_fixture.h)
target_compile_definitions(web_pages_test PRIVATE LEFT4ME_WEB_FAKE_CTL="${CMAKE_CURRENT_SOURCE_DIR}/testdata/fake_l4d2ctl.sh")
