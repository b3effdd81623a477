// HostConfig: what l4d2ctl works with: host.env's settings (host_env.h) plus where its tools are and how
// the built-in supervisor restarts, read from /etc/left4me/host.env and the environment (environment wins:
// l4d2ctl runs with its caller's rights, unlike the privileged helpers, which never read their environment).
// host_env_keys() documents every key; `l4d2ctl --help-config` prints it and docs/deploy.md shows it.
// Immutable; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/env_file.h"
#include "base/result.h"
#include "host/health_monitor.h"
#include "host/host_env.h"
#include "host/restart_policy.h"
#include "model/layout.h"

namespace left4me::host {

inline constexpr std::string_view kDefaultHelperDir = "/usr/local/libexec/left4me";
inline constexpr std::string_view kDefaultOverlayHelper = "/usr/local/libexec/left4me/left4me-overlay";

enum class SupervisorKind { kAuto, kBuiltin, kSystemd };

struct HostConfig {
  model::Layout layout;
  IdentityRange uid_range;
  PortRange ports;
  ScriptLimits script;   // LEFT4ME_SCRIPT_*: the overlay build sandbox
  std::string steamcmd;  // LEFT4ME_STEAMCMD; empty if not configured
  SupervisorKind supervisor = SupervisorKind::kAuto;
  std::string overlay_helper{kDefaultOverlayHelper};  // LEFT4ME_OVERLAY_HELPER
  std::string helper_dir{kDefaultHelperDir};          // LEFT4ME_HELPER_DIR: left4me-systemctl, -journalctl
  RestartPolicy restart;                              // LEFT4ME_RESTART_DELAY_MS, LEFT4ME_CONSOLE_LOG_MAX_BYTES
  HealthSettings
      health;  // LEFT4ME_HANG_SECONDS, _START_GRACE_SECONDS, _MAP_CHANGE_GRACE_SECONDS, _MONITOR_INTERVAL_SECONDS
  std::string public_address;                 // LEFT4ME_PUBLIC_ADDRESS, checked; empty: detected (public_address.h)
  int keep_builds = 0;                        // LEFT4ME_KEEP_BUILDS: 0 keeps every game build
  std::map<std::string, std::string> values;  // every key seen, for the record
};

// Every key of host.env, in the order docs/deploy.md lists them (with LEFT4ME_HOST_ENV, which only the
// environment can set: it names the file).
std::span<const EnvKeyDoc> host_env_keys();

// Loads the configuration: the file named by LEFT4ME_HOST_ENV (else kHostEnvPath, which may be absent;
// KEY=VALUE lines as base/env_file.h reads them), then every documented key from the environment on top,
// validated (parse_host_env and the checks of the keys only l4d2ctl reads). Errors name the key.
Result<HostConfig> load_host_config();

}  // namespace left4me::host
