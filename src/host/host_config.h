// HostConfig: what l4d2ctl works with: host.env's settings (host_env.h) plus where its tools are, read
// from /etc/left4me/host.env and the environment (environment wins: l4d2ctl runs with its caller's
// rights, unlike the privileged helpers, which never read their environment). Immutable; thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "host/host_env.h"
#include "model/layout.h"

namespace left4me::host {

inline constexpr std::string_view kDefaultOverlayHelper = "/usr/local/libexec/left4me/left4me-overlay";

enum class SupervisorKind { kAuto, kBuiltin, kSystemd };

struct HostConfig {
  model::Layout layout;
  IdentityRange uid_range;
  PortRange ports;
  std::string steamcmd;  // LEFT4ME_STEAMCMD; empty if not configured
  SupervisorKind supervisor = SupervisorKind::kAuto;
  std::string overlay_helper;                 // LEFT4ME_OVERLAY_HELPER
  std::map<std::string, std::string> values;  // every key seen, for the record
};

// Loads the configuration: the file named by LEFT4ME_HOST_ENV (else kHostEnvPath, which may be absent;
// KEY=VALUE lines as base/env_file.h reads them), then the environment on top, validated by
// parse_host_env and the checks below.
Result<HostConfig> load_host_config();

}  // namespace left4me::host
