// Page rendering: the embedded mustache templates (templates/<name>.mustache) filled from a JSON view.
// Every {{value}} is HTML-escaped; {{{body}}} (the rendered page inside the layout) is the only raw value.
// Templates named _<name> are available to every template as partials ({{> _name}}).
// Thread-safe: each thread parses a template once and keeps it.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "web/http.h"

namespace left4me::web {

// Renders templates/<name>.mustache with the view. A missing or broken template is a bug: it is logged and
// rendered as an empty string.
std::string render_template(std::string_view name, const nlohmann::json& view);
// A whole page: the template rendered into templates/layout.mustache (as {{{body}}}), text/html.
Response html_page(int status, std::string_view name, nlohmann::json view);
// A part of a page (HTMX swaps), text/html.
Response html_fragment(int status, std::string_view name, const nlohmann::json& view);

}  // namespace left4me::web
