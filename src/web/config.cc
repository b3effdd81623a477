#include "web/config.h"

#include <fmt/format.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "base/env_file.h"
#include "base/file.h"
#include "base/strings.h"
#include "model/layout.h"
#include "web/crypto.h"

extern char** environ;

namespace left4me::web {
namespace {

constexpr std::string_view kDefaultEnvFile = "/etc/left4me/web.env";
constexpr std::string_view kInstalledCtl = "/opt/left4me/bin/l4d2ctl";
constexpr std::string_view kSqlitePrefix = "sqlite:///";

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

Result<bool> parse_bool(std::string_view key, const std::string& value) {
  if (value == "1" || value == "true" || value == "yes" || value == "on" || value == "True") return true;
  if (value == "0" || value == "false" || value == "no" || value == "off" || value == "False" || value.empty()) {
    return false;
  }
  return Error::invalid(fmt::format("{}: '{}' is not a boolean (use true or false)", key, value));
}

Result<int> parse_number(std::string_view key, const std::string& value, long long min, long long max) {
  std::optional<long long> number = parse_int(value, min, max);
  if (!number) return Error::invalid(fmt::format("{}: '{}' is not a whole number in {}..{}", key, value, min, max));
  return static_cast<int>(*number);
}

// One web.env key: how people read about it (--help-config, docs/deploy.md) and how it sets the config.
struct Key {
  EnvKeyDoc doc;
  Status (*apply)(std::string_view key, const std::string& value, WebConfig& config);
};

template <int WebConfig::*field, long long kMin, long long kMax>
Status set_int(std::string_view key, const std::string& value, WebConfig& config) {
  Result<int> number = parse_number(key, value, kMin, kMax);
  if (!number) return number.error();
  config.*field = *number;
  return ok_status();
}

template <bool WebConfig::*field>
Status set_bool(std::string_view key, const std::string& value, WebConfig& config) {
  Result<bool> flag = parse_bool(key, value);
  if (!flag) return flag.error();
  config.*field = *flag;
  return ok_status();
}

template <std::string WebConfig::*field>
Status set_string(std::string_view, const std::string& value, WebConfig& config) {
  config.*field = value;
  return ok_status();
}

Status set_database(std::string_view key, const std::string& url, WebConfig& config) {
  if (!url.starts_with(kSqlitePrefix) || url.size() == kSqlitePrefix.size()) {
    return Error::invalid(fmt::format("{}: '{}' is not sqlite:///<path>", key, url));
  }
  config.database_path = absolute(url.substr(kSqlitePrefix.size()));
  return ok_status();
}

Status set_data_dir(std::string_view, const std::string& value, WebConfig& config) {
  config.data_dir = absolute(value);
  return ok_status();
}

Status set_listen(std::string_view key, const std::string& listen, WebConfig& config) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return Error::invalid(fmt::format("{}: '{}' is not host:port", key, listen));
  Result<int> port = parse_number(key, listen.substr(colon + 1), 0, 65535);
  if (!port) return port.error();
  config.listen_host = listen.substr(0, colon);
  config.listen_port = static_cast<std::uint16_t>(*port);
  return ok_status();
}

Status set_proxies(std::string_view, const std::string& value, WebConfig& config) {
  Result<TrustedProxies> parsed = TrustedProxies::parse(value);
  if (!parsed) return parsed.error();
  config.trusted_proxies = std::move(*parsed);
  return ok_status();
}

template <std::chrono::seconds WebConfig::*field, long long kMax>
Status set_seconds(std::string_view key, const std::string& value, WebConfig& config) {
  Result<int> number = parse_number(key, value, 1, kMax);
  if (!number) return number.error();
  config.*field = std::chrono::seconds(*number);
  return ok_status();
}

// Seconds where 0 means "at once".
template <std::chrono::seconds WebConfig::*field, long long kMax>
Status set_seconds_or_zero(std::string_view key, const std::string& value, WebConfig& config) {
  Result<int> number = parse_number(key, value, 0, kMax);
  if (!number) return number.error();
  config.*field = std::chrono::seconds(*number);
  return ok_status();
}

Status set_update_check(std::string_view key, const std::string& value, WebConfig& config) {
  Result<int> number = parse_number(key, value, 0, 24 * 366);
  if (!number) return number.error();
  config.update_check_interval = std::chrono::hours(*number);
  return ok_status();
}

Status set_workshop_refresh(std::string_view key, const std::string& value, WebConfig& config) {
  Result<int> number = parse_number(key, value, 0, 24 * 366);
  if (!number) return number.error();
  config.workshop_refresh_interval = std::chrono::hours(*number);
  return ok_status();
}

Status set_steam_web_api_url(std::string_view key, const std::string& value, WebConfig& config) {
  std::string url = value;
  while (!url.empty() && url.back() == '/') url.pop_back();
  bool web = url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0;
  if (!web || url.find_first_of(" \t\r\n") != std::string::npos || url.size() <= 8) {
    return Error::invalid(fmt::format("{}: '{}' is not an http(s) URL", key, value));
  }
  config.steam_web_api_url = url;
  return ok_status();
}

Status set_status_cache(std::string_view key, const std::string& value, WebConfig& config) {
  Result<int> number = parse_number(key, value, 0, 60000);
  if (!number) return number.error();
  config.status_cache = std::chrono::milliseconds(*number);
  return ok_status();
}

Status set_servers_limit(std::string_view key, const std::string& value, WebConfig& config) {
  Result<int> number = parse_number(key, value, 0, kMaxUserLimit);
  if (!number) return number.error();
  config.user_limits.servers = *number;
  return ok_status();
}

Status set_blueprints_limit(std::string_view key, const std::string& value, WebConfig& config) {
  Result<int> number = parse_number(key, value, 0, kMaxUserLimit);
  if (!number) return number.error();
  config.user_limits.blueprints = *number;
  return ok_status();
}

template <std::int64_t WebConfig::*field, long long kMin, long long kMax = (1ll << 50)>
Status set_bytes(std::string_view key, const std::string& value, WebConfig& config) {
  std::optional<long long> number = parse_int(value, kMin, kMax);
  if (!number) return Error::invalid(fmt::format("{}: '{}' is not a byte count in {}..{}", key, value, kMin, kMax));
  config.*field = *number;
  return ok_status();
}

Status ignore(std::string_view, const std::string&, WebConfig&) { return ok_status(); }

// Every web.env key, in the order docs/deploy.md lists them.
const Key kKeys[] = {
    {{"DATABASE_URL", "`sqlite:///<LEFT4ME_WEB_DATA>/left4me.db`",
      "The SQLite database file, `sqlite:///` and an absolute path (four slashes in all)."},
     set_database},
    {{"LEFT4ME_WEB_DATA", "the database's directory, else `./data`",
      "The web app's own files: the generated `secret_key`, scratch files; with nothing configured also the "
      "database and the servers (`./data/root`, built-in supervisor: the embedded default)."},
     set_data_dir},
    {{"LEFT4ME_WEB_LISTEN", "`127.0.0.1:8000`",
      "Where the app listens, `host:port`. Keep it on loopback behind the proxy."},
     set_listen},
    {{"SECRET_KEY", "generated into `<LEFT4ME_WEB_DATA>/secret_key` (0600)",
      "Keys the stored hashes of session, API and setup tokens and seals two-factor secrets; changing it signs "
      "everybody out, and two-factor users then need an administrator's reset."},
     set_string<&WebConfig::secret_key>},
    {{"TRUSTED_PROXIES", "none",
      "Addresses or CIDRs of reverse proxies (comma-separated) whose `X-Forwarded-For` and `X-Forwarded-Proto` "
      "count: the client address for login throttling, and HTTPS for `Secure` cookies and HSTS."},
     set_proxies},
    {{"SESSION_COOKIE_SECURE", "`false`", "`true`: cookies are always `Secure` and HSTS is always sent."},
     set_bool<&WebConfig::session_cookie_secure>},
    {{"SESSION_LIFETIME_SECONDS", "`604800` (7 days)", "How long a sign-in lasts."},
     set_seconds<&WebConfig::session_lifetime, 365 * 86400>},
    {{"LOGIN_FAILURES_PER_ACCOUNT", "`5`",
      "Failed sign-ins of one account from one client address within 15 minutes before it is refused there."},
     set_int<&WebConfig::login_failures_per_account, 1, 1000>},
    {{"LOGIN_FAILURES_PER_ADDRESS", "`20`", "Failed sign-ins from one client address (any account) within 15 minutes."},
     set_int<&WebConfig::login_failures_per_address, 1, 100000>},
    {{"MAX_SERVERS_PER_USER", "`5`",
      "Servers a user may have unless an administrator sets their own limit (admins: none)."},
     set_servers_limit},
    {{"MAX_BLUEPRINTS_PER_USER", "`50`", "Blueprints a user may have, likewise."}, set_blueprints_limit},
    {{"OVERLAY_QUOTA_BYTES", "`10737418240` (10 GiB)",
      "Bytes a user's overlays may hold in all unless an administrator sets their own quota (admins, global "
      "overlays: none)."},
     set_bytes<&WebConfig::overlay_quota_bytes, 0>},
    {{"OVERLAY_UPLOAD_MAX_BYTES", "`4294967296` (4 GiB)", "The largest file or archive one upload may send."},
     set_bytes<&WebConfig::upload_max_bytes, 1>},
    {{"OVERLAY_UPLOAD_CHUNK_BYTES", "`8388608` (8 MiB)",
      "The largest piece of an upload one request carries (the page sends pieces this size); a proxy in front "
      "must take bodies this large on `/api/v1/overlays/`."},
     set_bytes<&WebConfig::upload_chunk_bytes, 4096, (256ll << 20)>},
    {{"OVERLAY_UPLOAD_MAX_ENTRIES", "`100000`",
      "Entries (files and directories) an uploaded archive may hold; more are refused, the overlay unchanged."},
     set_int<&WebConfig::upload_max_entries, 1, 10000000>},
    {{"LEFT4ME_PORT_RANGE_START", "`27015`",
      "First game port the panel gives servers (inside host.env's range; the packaged unit reads host.env first, so "
      "its range applies there)."},
     set_int<&WebConfig::port_range_start, 1024, 65535>},
    {{"LEFT4ME_PORT_RANGE_END", "`27115`", "Last game port the panel gives servers."},
     set_int<&WebConfig::port_range_end, 1024, 65535>},
    {{"JOB_WORKER_THREADS", "`4`",
      "Jobs (install, start, stop...) run at once; one server's jobs always run in order."},
     set_int<&WebConfig::job_worker_threads, 1, 64>},
    {{"JOB_WORKER_ENABLED", "`true`",
      "`false`: this process queues jobs but runs none (the admin wrapper's commands)."},
     set_bool<&WebConfig::job_worker_enabled>},
    {{"LEFT4ME_WEB_THREADS", "`4`", "HTTP threads."}, set_int<&WebConfig::http_threads, 1, 64>},
    {{"LEFT4ME_SSE_HEARTBEAT_SECONDS", "`15`", "Heartbeat interval of the live log streams."},
     set_seconds<&WebConfig::sse_heartbeat, 3600>},
    {{"LEFT4ME_STATUS_CACHE_MS", "`1500`", "How often the live status is refreshed from `l4d2ctl list` while watched."},
     set_status_cache},
    {{"LEFT4ME_STATUS_WATCH_SECONDS", "`15`",
      "How often the live status is refreshed while nobody watches, to notice crashes, automatic restarts and "
      "failed servers (their history and webhooks); `0`: only while watched."},
     set_seconds_or_zero<&WebConfig::status_watch, 3600>},
    {{"LEFT4ME_UPDATE_CHECK_HOURS", "`24`",
      "The panel runs `l4d2ctl install --check` itself when the last check (by anyone) is older than this; `0`: "
      "never (the package's `left4me-update-check.timer` checks daily, and its web.env sets `0`)."},
     set_update_check},
    {{"LEFT4ME_START_WAIT_SECONDS", "`90`",
      "How long a start or restart waits for the server to answer with its map; a server that has not answered by "
      "then is stopped and its start failed, with the reason on its page."},
     set_seconds<&WebConfig::start_wait, 3600>},
    {{"LEFT4ME_BUILD_SWITCH_MAX_WAIT_SECONDS", "`1800`",
      "How long \"restart on the new build when empty\" waits for a server's players to leave before warning them."},
     set_seconds_or_zero<&WebConfig::build_switch_max_wait, 7 * 86400>},
    {{"LEFT4ME_BUILD_SWITCH_WARNING_SECONDS", "`60`", "Between that RCON `say` warning and the restart."},
     set_seconds_or_zero<&WebConfig::build_switch_warning, 3600>},
    {{"LEFT4ME_HOST_RETRY_SECONDS", "`300`",
      "How long a job waits for a host that cannot be reached (another host over SSH), trying again after 1, 2, 4 "
      "... 30 s, before it fails with the reason; `0`: it fails at once."},
     set_seconds_or_zero<&WebConfig::host_retry, 86400>},
    {{"LEFT4ME_WEBHOOK_TIMEOUT_SECONDS", "`10`", "How long one webhook delivery may take, connecting included."},
     set_seconds<&WebConfig::webhook_timeout, 300>},
    {{"LEFT4ME_WEBHOOK_RETRY_SECONDS", "`10`",
      "The wait before a failed webhook delivery's first retry; each next waits twice as long (5 tries in all)."},
     set_seconds<&WebConfig::webhook_retry, 3600>},
    {{"LEFT4ME_ACCESS_LOG", "`true`", "One line per request on stderr (the journal): never a cookie, body or token."},
     set_bool<&WebConfig::access_log>},
    {{"STEAM_WEB_API_KEY", "none", "A Steam Web API key (kept from l4d2ctl's environment)."},
     set_string<&WebConfig::steam_web_api_key>},
    {{"STEAM_WEB_API_URL", "`https://api.steampowered.com`",
      "The Steam Web API that Workshop refreshes ask (GetCollectionDetails, GetPublishedFileDetails); tests point "
      "it at a stand-in."},
     set_steam_web_api_url},
    {{"LEFT4ME_WORKSHOP_REFRESH_HOURS", "`24`",
      "The panel refreshes every Workshop overlay itself when the last refresh of all of them is older than this; "
      "`0`: never (the package's `left4me-workshop-refresh.timer` does it daily at 04:00, and its web.env sets `0`)."},
     set_workshop_refresh},
    {{"L4D2CTL", "`l4d2ctl` beside `l4d2web`, else `/opt/left4me/bin/l4d2ctl`", "The l4d2ctl program the app runs."},
     set_string<&WebConfig::l4d2ctl>},
    {{"LEFT4ME_WEB_ENV", "`/etc/left4me/web.env`", "Environment only: read this file instead."}, ignore},
};

// The environment with the env file's keys beneath it (the environment wins), and whether a file was read.
Result<std::pair<Environment, bool>> read_settings(const Environment& process_env) {
  Environment env = process_env;
  std::string env_file = std::string(kDefaultEnvFile);
  if (auto it = process_env.find("LEFT4ME_WEB_ENV"); it != process_env.end()) env_file = it->second;
  if (env_file.empty() || !path_exists(env_file)) return std::pair{std::move(env), false};
  Result<EnvValues> file_env = read_env_file(env_file, EnvFile::kRequired);
  if (!file_env) return file_env.error();
  for (auto& [key, value] : *file_env) env.emplace(key, value);
  return std::pair{std::move(env), true};
}

// Sets every key that is present, then the paths that follow from them.
Status apply_settings(const Environment& env, WebConfig& config) {
  for (const Key& key : kKeys) {
    auto found = env.find(std::string(key.doc.name));
    if (found == env.end()) continue;
    if (Status applied = key.apply(key.doc.name, found->second, config); !applied) return applied;
  }
  const bool has_database = env.contains("DATABASE_URL");
  const bool has_data = env.contains("LEFT4ME_WEB_DATA");
  if (!has_data) config.data_dir = has_database ? directory_of(config.database_path) : absolute("data");
  if (!has_database) config.database_path = config.data_dir + "/left4me.db";
  config.scratch_dir = config.data_dir + "/web-tmp";
  if (config.l4d2ctl.empty()) config.l4d2ctl = default_l4d2ctl();
  if (config.port_range_end < config.port_range_start) {
    return Error::invalid(fmt::format("LEFT4ME_PORT_RANGE_END: {} is below LEFT4ME_PORT_RANGE_START {}",
                                      config.port_range_end, config.port_range_start));
  }
  return ok_status();
}

// Creates the data, database and scratch directories, and generates the secret key file when no SECRET_KEY
// is configured (or reads the one generated before).
Status prepare_data_dir(WebConfig& config) {
  if (Status status = make_directories(config.data_dir, 0750); !status) return status;
  if (Status status = make_directories(directory_of(config.database_path), 0750); !status) return status;
  if (Status status = make_directories(config.scratch_dir, 0700); !status) return status;
  if (!config.secret_key.empty()) return ok_status();
  std::string key_file = config.data_dir + "/secret_key";
  if (path_exists(key_file)) {
    Result<std::string> content = read_file(key_file);
    if (!content) return content.error();
    config.secret_key = std::string(trim(*content));
  }
  if (!config.secret_key.empty()) return ok_status();
  config.secret_key = random_token();
  return write_file_atomic(key_file, config.secret_key + "\n", 0600);
}

// l4d2ctl gets our environment minus the web app's secrets; the embedded default points it at <data>/root
// with the built-in supervisor.
Status make_ctl_environment(const Environment& process_env, WebConfig& config) {
  Environment ctl_env = process_env;
  for (const char* secret : {"SECRET_KEY", "STEAM_WEB_API_KEY", "LEFT4ME_ADMIN_PASSWORD", "DATABASE_URL"}) {
    ctl_env.erase(secret);
  }
  if (config.embedded_default) {
    if (!ctl_env.count("LEFT4ME_ROOT")) ctl_env["LEFT4ME_ROOT"] = config.data_dir + "/root";
    if (!ctl_env.count("LEFT4ME_SUPERVISOR")) ctl_env["LEFT4ME_SUPERVISOR"] = "builtin";
    if (Status status = make_directories(ctl_env["LEFT4ME_ROOT"], 0755); !status) return status;
  }
  for (auto& [key, value] : ctl_env) config.l4d2ctl_env.push_back(key + "=" + value);
  auto root = ctl_env.find("LEFT4ME_ROOT");
  config.host_root = root != ctl_env.end() ? root->second : std::string(model::Layout::kDefaultRoot);
  return ok_status();
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

std::vector<EnvKeyDoc> web_env_keys() {
  std::vector<EnvKeyDoc> docs;
  for (const Key& key : kKeys) docs.push_back(key.doc);
  return docs;
}

Result<WebConfig> load_config(const Environment& process_env) {
  auto settings = read_settings(process_env);
  if (!settings) return settings.error();
  const auto& [env, file_used] = *settings;
  WebConfig config;
  config.embedded_default = !file_used && !env.contains("DATABASE_URL");
  if (Status applied = apply_settings(env, config); !applied) return applied.error();
  if (Status prepared = prepare_data_dir(config); !prepared) return prepared.error();
  if (Status made = make_ctl_environment(process_env, config); !made) return made.error();
  return config;
}

}  // namespace left4me::web
