#include "host/host_config.h"

#include <cstdlib>

#include "base/file.h"
#include "base/strings.h"

namespace left4me::host {
namespace {

constexpr const char* kKeys[] = {"LEFT4ME_ROOT", "LEFT4ME_STEAMCMD", "LEFT4ME_SUPERVISOR", "LEFT4ME_OVERLAY_HELPER"};

bool valid_key(std::string_view key) {
  if (key.empty() || (key[0] >= '0' && key[0] <= '9')) return false;
  for (char c : key) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

}  // namespace

Result<std::map<std::string, std::string>> parse_env_file(std::string_view content, std::string_view origin) {
  std::map<std::string, std::string> values;
  auto lines = split(content, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = trim(lines[i]);
    if (line.empty() || line[0] == '#') continue;
    if (line.substr(0, 7) == "export ") line = trim(line.substr(7));
    size_t equals = line.find('=');
    std::string where = std::string(origin) + ":" + std::to_string(i + 1);
    if (equals == std::string_view::npos) return Error::invalid(where + ": expected KEY=VALUE");
    std::string key(trim(line.substr(0, equals)));
    if (!valid_key(key)) return Error::invalid(where + ": invalid key '" + key + "'");
    std::string_view value = trim(line.substr(equals + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    values[key] = std::string(value);
  }
  return values;
}

Result<HostConfig> load_host_config() {
  std::map<std::string, std::string> values;
  const char* env_file = std::getenv("LEFT4ME_HOST_ENV");
  std::string path = env_file != nullptr && *env_file != '\0' ? env_file : std::string(kDefaultHostEnv);
  auto content = read_file(path);
  if (content.ok()) {
    auto parsed = parse_env_file(*content, path);
    if (!parsed.ok()) return parsed.error();
    values = std::move(*parsed);
  } else if (content.error().code() != ErrorCode::kNotFound || env_file != nullptr) {
    return content.error().with_context("host configuration");
  }
  for (const char* key : kKeys) {
    if (const char* value = std::getenv(key); value != nullptr && *value != '\0') values[key] = value;
  }

  auto root = values.count("LEFT4ME_ROOT") ? values["LEFT4ME_ROOT"] : std::string(model::Layout::kDefaultRoot);
  auto layout = model::Layout::create(root);
  if (!layout.ok()) return layout.error();
  HostConfig config{*layout, values["LEFT4ME_STEAMCMD"], SupervisorKind::kAuto,
                    values.count("LEFT4ME_OVERLAY_HELPER") ? values["LEFT4ME_OVERLAY_HELPER"]
                                                            : std::string(kDefaultOverlayHelper),
                    values};
  const std::string& supervisor = values["LEFT4ME_SUPERVISOR"];
  if (supervisor == "builtin") {
    config.supervisor = SupervisorKind::kBuiltin;
  } else if (supervisor == "systemd") {
    config.supervisor = SupervisorKind::kSystemd;
  } else if (!supervisor.empty() && supervisor != "auto") {
    return Error::invalid("LEFT4ME_SUPERVISOR must be 'builtin', 'systemd' or 'auto', got '" + supervisor + "'");
  }
  if (!config.steamcmd.empty() && config.steamcmd[0] != '/') {
    return Error::invalid("LEFT4ME_STEAMCMD must be an absolute path, got '" + config.steamcmd + "'");
  }
  return config;
}

}  // namespace left4me::host
