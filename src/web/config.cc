#include "web/config.h"

#include <fmt/format.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "base/env_file.h"
#include "base/file.h"
#include "base/strings.h"
#include "web/crypto.h"

extern char** environ;

namespace left4me::web {
namespace {

constexpr std::string_view kDefaultEnvFile = "/etc/left4me/web.env";
constexpr std::string_view kInstalledCtl = "/opt/left4me/bin/l4d2ctl";

std::string absolute(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  char buffer[PATH_MAX];
  if (::getcwd(buffer, sizeof buffer) == nullptr) return path;
  std::string base = buffer;
  return path == "." ? base : base + "/" + path;
}

std::string directory_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::string default_l4d2ctl() {
  char buffer[PATH_MAX];
  ssize_t length = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  if (length > 0) {
    std::string dir = directory_of(std::string(buffer, static_cast<size_t>(length)));
    for (const std::string& candidate : {dir + "/../cli/l4d2ctl", dir + "/l4d2ctl"}) {
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return std::string(kInstalledCtl);
}

Result<bool> parse_bool(const std::string& key, const std::string& value) {
  if (value == "1" || value == "true" || value == "yes" || value == "on" || value == "True") return true;
  if (value == "0" || value == "false" || value == "no" || value == "off" || value == "False" || value.empty()) {
    return false;
  }
  return Error::invalid(fmt::format("{}: '{}' is not a boolean (use true or false)", key, value));
}

Result<long long> parse_number(const std::string& key, const std::string& value, long long min, long long max) {
  std::optional<long long> number = parse_int(value, min, max);
  if (!number) return Error::invalid(fmt::format("{}: '{}' is not a whole number in {}..{}", key, value, min, max));
  return *number;
}

}  // namespace

Environment process_environment() {
  Environment env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    size_t equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    env.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  return env;
}

Result<WebConfig> load_config(const Environment& process_env) {
  Environment env = process_env;
  std::string env_file = std::string(kDefaultEnvFile);
  if (auto it = process_env.find("LEFT4ME_WEB_ENV"); it != process_env.end()) env_file = it->second;
  bool file_used = false;
  if (!env_file.empty() && path_exists(env_file)) {
    Result<EnvValues> file_env = read_env_file(env_file, EnvFile::kRequired);
    if (!file_env) return file_env.error();
    for (auto& [key, value] : *file_env) env.emplace(key, value);  // the environment wins
    file_used = true;
  }
  auto get = [&env](const std::string& key) -> std::optional<std::string> {
    auto it = env.find(key);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };

  WebConfig config;
  config.embedded_default = !file_used && !get("DATABASE_URL");
  config.data_dir = absolute(get("LEFT4ME_WEB_DATA").value_or("data"));
  if (auto url = get("DATABASE_URL")) {
    constexpr std::string_view kPrefix = "sqlite:///";
    if (url->substr(0, kPrefix.size()) != kPrefix || url->size() == kPrefix.size()) {
      return Error::invalid(fmt::format("DATABASE_URL: '{}' is not sqlite:///<path>", *url));
    }
    config.database_path = absolute(url->substr(kPrefix.size()));
    if (!get("LEFT4ME_WEB_DATA")) config.data_dir = directory_of(config.database_path);
  } else {
    config.database_path = config.data_dir + "/left4me.db";
  }
  config.scratch_dir = config.data_dir + "/web-tmp";

  if (auto listen = get("LEFT4ME_WEB_LISTEN")) {
    size_t colon = listen->rfind(':');
    if (colon == std::string::npos)
      return Error::invalid(fmt::format("LEFT4ME_WEB_LISTEN: '{}' is not host:port", *listen));
    config.listen_host = listen->substr(0, colon);
    Result<long long> port = parse_number("LEFT4ME_WEB_LISTEN", listen->substr(colon + 1), 0, 65535);
    if (!port) return port.error();
    config.listen_port = static_cast<std::uint16_t>(*port);
  }
  struct IntKey {
    const char* key;
    int* target;
    long long min;
    long long max;
  };
  int session_seconds = static_cast<int>(config.session_lifetime.count());
  int heartbeat_seconds = static_cast<int>(config.sse_heartbeat.count());
  int status_cache_ms = static_cast<int>(config.status_cache.count());
  for (const IntKey& item : {IntKey{"JOB_WORKER_THREADS", &config.job_worker_threads, 1, 64},
                             IntKey{"LEFT4ME_WEB_THREADS", &config.http_threads, 1, 64},
                             IntKey{"LEFT4ME_PORT_RANGE_START", &config.port_range_start, 1024, 65535},
                             IntKey{"LEFT4ME_PORT_RANGE_END", &config.port_range_end, 1024, 65535},
                             IntKey{"SESSION_LIFETIME_SECONDS", &session_seconds, 1, 365 * 86400},
                             IntKey{"LEFT4ME_SSE_HEARTBEAT_SECONDS", &heartbeat_seconds, 1, 3600},
                             IntKey{"LEFT4ME_STATUS_CACHE_MS", &status_cache_ms, 0, 60000},
                             IntKey{"LOGIN_FAILURES_PER_ACCOUNT", &config.login_failures_per_account, 1, 1000},
                             IntKey{"LOGIN_FAILURES_PER_ADDRESS", &config.login_failures_per_address, 1, 100000},
                             IntKey{"MAX_SERVERS_PER_USER", &config.user_limits.servers, 0, kMaxUserLimit},
                             IntKey{"MAX_BLUEPRINTS_PER_USER", &config.user_limits.blueprints, 0, kMaxUserLimit}}) {
    if (auto value = get(item.key)) {
      Result<long long> number = parse_number(item.key, *value, item.min, item.max);
      if (!number) return number.error();
      *item.target = static_cast<int>(*number);
    }
  }
  config.session_lifetime = std::chrono::seconds(session_seconds);
  config.sse_heartbeat = std::chrono::seconds(heartbeat_seconds);
  config.status_cache = std::chrono::milliseconds(status_cache_ms);
  if (config.port_range_end < config.port_range_start) {
    return Error::invalid(fmt::format("LEFT4ME_PORT_RANGE_END: {} is below LEFT4ME_PORT_RANGE_START {}",
                                      config.port_range_end, config.port_range_start));
  }
  for (auto [key, target] : {std::pair{"JOB_WORKER_ENABLED", &config.job_worker_enabled},
                             std::pair{"SESSION_COOKIE_SECURE", &config.session_cookie_secure},
                             std::pair{"LEFT4ME_ACCESS_LOG", &config.access_log}}) {
    if (auto value = get(key)) {
      Result<bool> flag = parse_bool(key, *value);
      if (!flag) return flag.error();
      *target = *flag;
    }
  }
  if (auto proxies = get("TRUSTED_PROXIES")) {
    Result<TrustedProxies> parsed = TrustedProxies::parse(*proxies);
    if (!parsed) return parsed.error();
    config.trusted_proxies = std::move(*parsed);
  }
  config.steam_web_api_key = get("STEAM_WEB_API_KEY").value_or("");
  config.l4d2ctl = get("L4D2CTL").value_or(default_l4d2ctl());

  if (Status status = make_directories(config.data_dir, 0750); !status) return status.error();
  if (Status status = make_directories(directory_of(config.database_path), 0750); !status) return status.error();
  if (Status status = make_directories(config.scratch_dir, 0700); !status) return status.error();

  if (auto secret = get("SECRET_KEY"); secret && !secret->empty()) {
    config.secret_key = *secret;
  } else {
    std::string key_file = config.data_dir + "/secret_key";
    if (path_exists(key_file)) {
      Result<std::string> content = read_file(key_file);
      if (!content) return content.error();
      config.secret_key = std::string(trim(*content));
    }
    if (config.secret_key.empty()) {
      config.secret_key = random_token();
      if (Status status = write_file_atomic(key_file, config.secret_key + "\n", 0600); !status) return status.error();
    }
  }

  // l4d2ctl gets our environment minus the web app's secrets; the embedded default points it at <data>/root.
  Environment ctl_env = process_env;
  for (const char* secret : {"SECRET_KEY", "STEAM_WEB_API_KEY", "LEFT4ME_ADMIN_PASSWORD", "DATABASE_URL"}) {
    ctl_env.erase(secret);
  }
  if (config.embedded_default) {
    if (!ctl_env.count("LEFT4ME_ROOT")) ctl_env["LEFT4ME_ROOT"] = config.data_dir + "/root";
    if (!ctl_env.count("LEFT4ME_SUPERVISOR")) ctl_env["LEFT4ME_SUPERVISOR"] = "builtin";
    if (Status status = make_directories(ctl_env["LEFT4ME_ROOT"], 0755); !status) return status.error();
  }
  for (auto& [key, value] : ctl_env) config.l4d2ctl_env.push_back(key + "=" + value);
  return config;
}

}  // namespace left4me::web
