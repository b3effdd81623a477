// HostConfig: where the host's data and tools are, read from the environment and
// /etc/left4me/host.env (environment wins). Immutable once loaded; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "model/layout.h"

namespace left4me::host {

inline constexpr std::string_view kDefaultHostEnv = "/etc/left4me/host.env";
inline constexpr std::string_view kDefaultOverlayHelper = "/usr/local/libexec/left4me/left4me-overlay";

enum class SupervisorKind { kAuto, kBuiltin, kSystemd };

struct HostConfig {
  model::Layout layout;
  std::string steamcmd;  // LEFT4ME_STEAMCMD; empty if not configured
  SupervisorKind supervisor = SupervisorKind::kAuto;
  std::string overlay_helper;                 // LEFT4ME_OVERLAY_HELPER
  std::map<std::string, std::string> values;  // every key seen, for the record
};

// Loads the configuration: the file named by LEFT4ME_HOST_ENV (else /etc/left4me/host.env, which may
// be absent; KEY=VALUE lines as base/env_file.h reads them), then the environment on top.
Result<HostConfig> load_host_config();

}  // namespace left4me::host
