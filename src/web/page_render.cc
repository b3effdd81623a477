#include "web/page_render.h"

#include <fmt/format.h>
#include <kainjow/mustache.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "base/log.h"
#include "base/result.h"
#include "base/strings.h"
#include "web/assets.h"
#include "web/render_cache.h"

namespace left4me::web {
namespace {

namespace mustache = kainjow::mustache;

constexpr std::string_view kTemplateDir = "templates/";
constexpr std::string_view kTemplateExtension = ".mustache";

mustache::data to_data(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object: {
      mustache::data out{mustache::data::type::object};
      for (auto it = value.begin(); it != value.end(); ++it) out.set(it.key(), to_data(it.value()));
      return out;
    }
    case nlohmann::json::value_t::array: {
      mustache::data out{mustache::data::type::list};
      for (const nlohmann::json& item : value) out.push_back(to_data(item));
      return out;
    }
    case nlohmann::json::value_t::string: {
      // An empty string is false, so {{#field_error}} sections show only when there is something to say.
      const std::string& text = value.get_ref<const std::string&>();
      return text.empty() ? mustache::data(false) : mustache::data(text);
    }
    case nlohmann::json::value_t::boolean:
      return mustache::data(value.get<bool>());
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      return mustache::data(false);
    default:
      return mustache::data(value.dump());  // numbers
  }
}

constexpr std::string_view kPartialOpen = "{{>";
constexpr std::string_view kTagClose = "}}";
constexpr int kMaxPartialDepth = 8;
// The keys templates/layout.mustache reads: only these are converted for the layout, not the page's data.
constexpr std::array<std::string_view, 12> kLayoutKeys = {"title",        "csrf",     "asset",       "user",
                                                          "notice",       "error",    "nav_servers", "nav_blueprints",
                                                          "nav_overlays", "nav_jobs", "nav_admin",   "nav_account"};

std::optional<std::string_view> template_source(std::string_view name) {
  std::string path = std::string(kTemplateDir) + std::string(name) + std::string(kTemplateExtension);
  std::optional<EmbeddedFile> file = find_embedded(path);
  if (!file) return std::nullopt;
  return file->content;
}

// Replaces every {{> _name}} with the partial's text, recursively, so a template is parsed once with its
// partials in place. (kainjow parses a partial again each time it is rendered: a partial inside a list of
// 100 rows was parsed 100 times per page.) Partials see the context they are included in either way.
Result<std::string> expand_partials(std::string_view text, int depth) {
  if (depth > kMaxPartialDepth) return Error::invalid(fmt::format("partials nested deeper than {}", kMaxPartialDepth));
  std::string out;
  out.reserve(text.size());
  size_t at = 0;
  while (true) {
    size_t open = text.find(kPartialOpen, at);
    if (open == std::string_view::npos) break;
    size_t close = text.find(kTagClose, open + kPartialOpen.size());
    if (close == std::string_view::npos) return Error::invalid("unclosed partial tag");
    std::string_view name = trim(text.substr(open + kPartialOpen.size(), close - open - kPartialOpen.size()));
    std::optional<std::string_view> partial = template_source(name);
    if (!partial) return Error::invalid(fmt::format("partial '{}' is not embedded", name));
    Result<std::string> expanded = expand_partials(*partial, depth + 1);
    if (!expanded) return expanded.error();
    out.append(text.substr(at, open - at));
    out.append(*expanded);
    at = close + kTagClose.size();
  }
  out.append(text.substr(at));
  return out;
}

mustache::mustache* parsed_template(std::string_view name) {
  thread_local std::map<std::string, std::unique_ptr<mustache::mustache>, std::less<>> cache;
  auto it = cache.find(name);
  if (it != cache.end()) return it->second.get();
  std::optional<std::string_view> source = template_source(name);
  if (!source) {
    log::error("page template '{}' is not embedded", name);
    return nullptr;
  }
  Result<std::string> expanded = expand_partials(*source, 0);
  if (!expanded) {
    log::error("page template '{}': {}", name, expanded.error().message());
    return nullptr;
  }
  auto parsed = std::make_unique<mustache::mustache>(*expanded);
  if (!parsed->is_valid()) {
    log::error("page template '{}': {}", name, parsed->error_message());
    return nullptr;
  }
  return cache.emplace(std::string(name), std::move(parsed)).first->second.get();
}

// The layout in two parts, before and after its {{{body}}}, so a page's body is copied once into the
// response instead of passing through the template engine (the dashboard's body is ~60 KB).
struct LayoutParts {
  mustache::mustache* head = nullptr;
  mustache::mustache* tail = nullptr;
};

LayoutParts layout_parts() {
  constexpr std::string_view kBodyTag = "{{{body}}}";
  thread_local std::unique_ptr<mustache::mustache> head;
  thread_local std::unique_ptr<mustache::mustache> tail;
  if (head && tail) return {head.get(), tail.get()};
  std::optional<std::string_view> source = template_source("layout");
  if (!source) {
    log::error("page template 'layout' is not embedded");
    return {};
  }
  size_t at = source->find(kBodyTag);
  if (at == std::string_view::npos || source->find(kBodyTag, at + 1) != std::string_view::npos) {
    log::error("page template 'layout' must hold exactly one {}", kBodyTag);
    return {};
  }
  Result<std::string> before = expand_partials(source->substr(0, at), 0);
  Result<std::string> after = expand_partials(source->substr(at + kBodyTag.size()), 0);
  if (!before || !after) {
    log::error("page template 'layout': {}", (before ? after.error() : before.error()).message());
    return {};
  }
  auto parsed_head = std::make_unique<mustache::mustache>(*before);
  auto parsed_tail = std::make_unique<mustache::mustache>(*after);
  for (mustache::mustache* part : {parsed_head.get(), parsed_tail.get()}) {
    if (!part->is_valid()) {
      // A section that opens before {{{body}}} and closes after it cannot be split.
      log::error("page template 'layout': {}", part->error_message());
      return {};
    }
  }
  head = std::move(parsed_head);
  tail = std::move(parsed_tail);
  return {head.get(), tail.get()};
}

Response html_response(int status, std::string body) {
  Response response;
  response.status = status;
  response.header("Content-Type", "text/html; charset=utf-8");
  response.body = std::move(body);
  return response;
}

nlohmann::json take_layout_view(nlohmann::json& view) {
  nlohmann::json layout_view = nlohmann::json::object();
  for (std::string_view key : kLayoutKeys) {
    auto it = view.find(key);
    if (it != view.end()) layout_view[std::string(key)] = std::move(*it);
  }
  return layout_view;
}

std::string layout_page(std::string_view body, const nlohmann::json& layout_view) {
  LayoutParts layout = layout_parts();
  if (layout.head == nullptr) return std::string(body);
  mustache::data data = to_data(layout_view);
  std::string head = layout.head->render(data);
  std::string tail = layout.tail->render(data);
  std::string page;
  page.reserve(head.size() + body.size() + tail.size());
  page += head;
  page += body;
  page += tail;
  return page;
}

}  // namespace

std::string render_template(std::string_view name, const nlohmann::json& view) {
  mustache::mustache* page = parsed_template(name);
  if (page == nullptr) return "";
  mustache::data data = to_data(view);
  std::string out = page->render(data);
  if (!page->is_valid()) log::error("page template '{}': {}", name, page->error_message());
  return out;
}

std::shared_ptr<const EncodedBody> render_template_cached(std::string_view name, std::string key,
                                                          std::shared_ptr<const void> pin,
                                                          const std::function<nlohmann::json()>& make_view) {
  key.insert(0, std::string(name) + '\0');
  return cached_text(std::move(key), std::move(pin), [&] { return render_template(name, make_view()); });
}

Response html_page(int status, std::string_view name, nlohmann::json view) {
  std::string body = render_template(name, view);
  return html_page_with_body(status, body, std::move(view));
}

Response html_page_with_body(int status, std::string_view body, nlohmann::json view) {
  return html_response(status, layout_page(body, take_layout_view(view)));
}

Response html_page_cached(int status, std::shared_ptr<const EncodedBody> body, nlohmann::json view) {
  nlohmann::json layout_view = take_layout_view(view);
  CacheKey key;
  key.add("page")
      .add_address(body.get())
      .add(layout_view.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  std::string_view plain = body->plain();
  Response response = html_response(status, "");
  response.encoded =
      cached_text(std::move(key).take(), body, [&] { return layout_page(plain, std::move(layout_view)); });
  return response;
}

Response html_fragment_cached(int status, std::shared_ptr<const EncodedBody> body) {
  Response response = html_response(status, "");
  response.encoded = std::move(body);
  return response;
}

Response html_fragment(int status, std::string_view name, const nlohmann::json& view) {
  return html_response(status, render_template(name, view));
}

Response html_fragment(int status, std::string body) { return html_response(status, std::move(body)); }

}  // namespace left4me::web
