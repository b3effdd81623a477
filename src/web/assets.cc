#include "web/assets.h"

#include <cassert>

namespace left4me::web {

std::optional<EmbeddedFile> find_embedded(std::string_view name) {
  for (const EmbeddedFile& file : embedded_files()) {
    if (file.name == name) return file;
  }
  return std::nullopt;
}

std::string static_url(std::string_view name) {
  std::string full = "static/" + std::string(name);
  std::optional<EmbeddedFile> file = find_embedded(full);
  assert(file.has_value());
  if (!file) return "/static/missing/" + std::string(name);
  return "/static/" + std::string(file->version) + "/" + std::string(name);
}

std::string_view content_type_for(std::string_view name) {
  auto ends_with = [name](std::string_view suffix) {
    return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
  };
  if (ends_with(".css")) return "text/css; charset=utf-8";
  if (ends_with(".js")) return "text/javascript; charset=utf-8";
  if (ends_with(".svg")) return "image/svg+xml";
  if (ends_with(".ico")) return "image/x-icon";
  return "application/octet-stream";
}

}  // namespace left4me::web
