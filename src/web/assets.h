// The files embedded into l4d2web at build time (src/web/assets.cmake): the page templates and the static
// files (our CSS and JS, HTMX and its SSE extension). Static files are served at versioned paths
// (/static/<version>/<name>) so browsers may cache them forever, and come with their gzip and brotli forms, made at
// build time. Immutable data; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace left4me::web {

struct EmbeddedFile {
  std::string_view name;     // "templates/layout.mustache", "static/app.css"
  std::string_view version;  // the first 12 hex digits of the content's SHA-256
  std::string_view content;
  // Static files: the content compressed at build time; empty when that form did not pay (and for templates).
  std::string_view gzip;
  std::string_view brotli;
};

// Every embedded file (generated).
const std::vector<EmbeddedFile>& embedded_files();
// The embedded file with that name, or nullopt.
std::optional<EmbeddedFile> find_embedded(std::string_view name);
// The URL of static/<name> ("/static/<version>/<name>"); asserts the file exists.
std::string static_url(std::string_view name);
// The Content-Type for a static file name (by extension).
std::string_view content_type_for(std::string_view name);

}  // namespace left4me::web
