// Page rendering: the embedded mustache templates (templates/<name>.mustache) filled from a JSON view.
// Every {{value}} is HTML-escaped; {{{body}}} (the rendered page inside the layout) is the only raw value.
// Templates named _<name> are available to every template as partials ({{> _name}}), put in place when the
// template is parsed (so a partial inside a list is not parsed once per item).
// Thread-safe: each thread parses a template once and keeps it; the render cache is shared under a mutex.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "web/compression.h"
#include "web/http.h"

namespace left4me::web {

// Renders templates/<name>.mustache with the view. A missing or broken template is a bug: it is logged and
// rendered as an empty string.
std::string render_template(std::string_view name, const nlohmann::json& view);
// The same, through the render cache (render_cache.h), for the parts every open browser polls (the dashboard's
// rows): the text rendered before under the same key is returned without building the view; on a miss
// `make_view` builds it. The key must capture every input of the view, including the session's CSRF token (so
// two sessions never share an entry); `pin` as for cached_text.
std::shared_ptr<const EncodedBody> render_template_cached(std::string_view name, std::string key,
                                                          std::shared_ptr<const void> pin,
                                                          const std::function<nlohmann::json()>& make_view);
// A whole page: the template rendered into templates/layout.mustache (as {{{body}}}), text/html.
Response html_page(int status, std::string_view name, nlohmann::json view);
// The same with the page's body already rendered; `view` fills the layout.
Response html_page_with_body(int status, std::string_view body, nlohmann::json view);
// The same with a body from render_template_cached: the whole page comes from the render cache too (keyed by the
// body and the layout's values), with its compressed forms, so a page whose inputs did not change is neither
// rendered nor compressed again.
Response html_page_cached(int status, std::shared_ptr<const EncodedBody> body, nlohmann::json view);
// A cached part of a page (HTMX swaps), text/html, sent compressed to clients that accept it.
Response html_fragment_cached(int status, std::shared_ptr<const EncodedBody> body);
// A part of a page (HTMX swaps), text/html.
Response html_fragment(int status, std::string_view name, const nlohmann::json& view);
Response html_fragment(int status, std::string body);

}  // namespace left4me::web
