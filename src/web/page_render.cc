#include "web/page_render.h"

#include <kainjow/mustache.hpp>

#include <map>
#include <memory>

#include "base/log.h"
#include "web/assets.h"

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
    case nlohmann::json::value_t::boolean: return mustache::data(value.get<bool>());
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded: return mustache::data(false);
    default: return mustache::data(value.dump());  // numbers
  }
}

// The partials every template may use: the embedded templates whose name starts with '_'.
void add_partials(mustache::data* data) {
  for (const EmbeddedFile& file : embedded_files()) {
    std::string_view name = file.name;
    if (name.substr(0, kTemplateDir.size()) != kTemplateDir) continue;
    name.remove_prefix(kTemplateDir.size());
    if (name.empty() || name.front() != '_' || name.size() <= kTemplateExtension.size()) continue;
    name.remove_suffix(kTemplateExtension.size());
    std::string_view content = file.content;
    data->set(std::string(name), mustache::partial([content] { return std::string(content); }));
  }
}

mustache::mustache* parsed_template(std::string_view name) {
  thread_local std::map<std::string, std::unique_ptr<mustache::mustache>, std::less<>> cache;
  auto it = cache.find(name);
  if (it != cache.end()) return it->second.get();
  std::string path = std::string(kTemplateDir) + std::string(name) + std::string(kTemplateExtension);
  std::optional<EmbeddedFile> file = find_embedded(path);
  if (!file) {
    log::error("page template '{}' is not embedded", path);
    return nullptr;
  }
  auto parsed = std::make_unique<mustache::mustache>(std::string(file->content));
  if (!parsed->is_valid()) {
    log::error("page template '{}': {}", path, parsed->error_message());
    return nullptr;
  }
  return cache.emplace(std::string(name), std::move(parsed)).first->second.get();
}

Response html_response(int status, std::string body) {
  Response response;
  response.status = status;
  response.header("Content-Type", "text/html; charset=utf-8");
  response.body = std::move(body);
  return response;
}

}  // namespace

std::string render_template(std::string_view name, const nlohmann::json& view) {
  mustache::mustache* page = parsed_template(name);
  if (page == nullptr) return "";
  mustache::data data = to_data(view);
  add_partials(&data);
  std::string out = page->render(data);
  if (!page->is_valid()) log::error("page template '{}': {}", name, page->error_message());
  return out;
}

Response html_page(int status, std::string_view name, nlohmann::json view) {
  view["body"] = render_template(name, view);
  return html_response(status, render_template("layout", view));
}

Response html_fragment(int status, std::string_view name, const nlohmann::json& view) {
  return html_response(status, render_template(name, view));
}

}  // namespace left4me::web
