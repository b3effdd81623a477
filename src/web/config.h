// WebConfig: the web app's settings, from the environment and /etc/left4me/web.env (environment wins),
// with an embedded default (everything under ./data, the built-in supervisor) when nothing is configured.
// Immutable value once loaded; thread-safe to read.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/env_file.h"
#include "base/result.h"
#include "web/forwarded.h"
#include "web/limits.h"

namespace left4me::web {

struct WebConfig {
  std::string database_path;  // from DATABASE_URL sqlite:///path
  std::string data_dir;       // holds the embedded default's database, root and scratch files
  std::string scratch_dir;    // rendered specs for l4d2ctl
  std::string secret_key;     // SECRET_KEY; generated into <data>/secret_key when absent
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8000;
  int job_worker_threads = 4;
  bool job_worker_enabled = true;
  int http_threads = 4;
  bool session_cookie_secure = false;
  bool access_log = true;  // LEFT4ME_ACCESS_LOG: one line per request on stderr
  std::chrono::seconds session_lifetime{std::chrono::hours(24 * 7)};
  int port_range_start = 27015;
  int port_range_end = 27115;
  std::string steam_web_api_key;                                   // a secret: never logged
  std::string steam_web_api_url = "https://api.steampowered.com";  // STEAM_WEB_API_URL (tests: the stand-in)
  std::string l4d2ctl;                                             // path of the l4d2ctl binary
  std::vector<std::string> l4d2ctl_env;                            // the full environment given to l4d2ctl
  std::string host_root;                // the host's LEFT4ME_ROOT as l4d2ctl gets it (overlays live below it)
  bool embedded_default = false;        // nothing was configured: local data dir, built-in supervisor
  int login_failures_per_account = 5;   // of one account from one client address, within login_window
  int login_failures_per_address = 20;  // from one client address, within login_window
  TrustedProxies trusted_proxies;       // TRUSTED_PROXIES: whose X-Forwarded-For/-Proto count (default nobody)
  DefaultLimits user_limits;            // MAX_SERVERS_PER_USER, MAX_BLUEPRINTS_PER_USER
  std::chrono::seconds login_window{std::chrono::minutes(15)};
  std::chrono::seconds sse_heartbeat{15};
  std::chrono::milliseconds status_cache{1500};
  std::chrono::seconds status_watch{15};         // LEFT4ME_STATUS_WATCH_SECONDS; 0: refresh only while watched
  std::chrono::seconds webhook_timeout{10};      // LEFT4ME_WEBHOOK_TIMEOUT_SECONDS
  std::chrono::seconds webhook_retry{10};        // LEFT4ME_WEBHOOK_RETRY_SECONDS: the first retry's wait, then doubling
  std::chrono::hours update_check_interval{24};  // LEFT4ME_UPDATE_CHECK_HOURS; 0: the panel never checks itself
  std::chrono::hours workshop_refresh_interval{24};  // LEFT4ME_WORKSHOP_REFRESH_HOURS; 0: the panel never does
  std::chrono::seconds start_wait{90};               // LEFT4ME_START_WAIT_SECONDS
  std::chrono::seconds build_switch_max_wait{1800};  // LEFT4ME_BUILD_SWITCH_MAX_WAIT_SECONDS
  std::chrono::seconds build_switch_warning{60};     // LEFT4ME_BUILD_SWITCH_WARNING_SECONDS
  std::chrono::seconds host_retry{300};              // LEFT4ME_HOST_RETRY_SECONDS
  std::chrono::seconds setup_link_lifetime{std::chrono::hours(1)};
  std::size_t max_body_bytes = 1 << 20;
  // Overlays of kind files (overlay_files.h): a chunk of an upload (the HTTP server takes bodies this large on
  // that route's behalf), an upload's whole size, and the default per-user quota of overlay bytes.
  std::int64_t upload_chunk_bytes = 8 << 20;      // OVERLAY_UPLOAD_CHUNK_BYTES
  std::int64_t upload_max_bytes = 4ll << 30;      // OVERLAY_UPLOAD_MAX_BYTES
  std::int64_t overlay_quota_bytes = 10ll << 30;  // OVERLAY_QUOTA_BYTES
  int upload_max_entries = 100000;                // OVERLAY_UPLOAD_MAX_ENTRIES: of an archive
};

using Environment = std::map<std::string, std::string>;

// The process environment as a map.
Environment process_environment();

// Every web.env key, in the order docs/deploy.md lists them (`l4d2web --help-config` prints them; a test
// compares the two).
std::vector<EnvKeyDoc> web_env_keys();

// Builds the configuration: keys from env, then the env file (LEFT4ME_WEB_ENV, default /etc/left4me/web.env,
// if it exists; KEY=VALUE lines as base/env_file.h reads them, errors naming file:line). Also prepares the data
// directory: creates it (and the database's and scratch directories) and the secret key file when needed.
// Fails with a message naming the bad key and what was expected.
Result<WebConfig> load_config(const Environment& env);

}  // namespace left4me::web
