#include "host/host_config.h"

#include <cstdlib>

#include "base/env_file.h"

namespace left4me::host {
namespace {

// The keys the environment may set over host.env.
constexpr const char* kKeys[] = {"LEFT4ME_ROOT",
                                 "LEFT4ME_STEAMCMD",
                                 "LEFT4ME_SUPERVISOR",
                                 "LEFT4ME_OVERLAY_HELPER",
                                 "LEFT4ME_INSTANCE_UID_BASE",
                                 "LEFT4ME_INSTANCE_UID_COUNT",
                                 "LEFT4ME_PORT_RANGE_START",
                                 "LEFT4ME_PORT_RANGE_END"};

}  // namespace

Result<HostConfig> load_host_config() {
  const char* env_file = std::getenv("LEFT4ME_HOST_ENV");
  const bool named = env_file != nullptr && *env_file != '\0';
  std::string path = named ? env_file : std::string(kHostEnvPath);
  // The default file may be absent; a file named by LEFT4ME_HOST_ENV must exist.
  Result<EnvValues> read = read_env_file(path, named ? EnvFile::kRequired : EnvFile::kOptional);
  if (!read) {
    if (read.error().code() == ErrorCode::kInvalidArgument) return read.error();
    return read.error().with_context("host configuration");
  }
  std::map<std::string, std::string> values = std::move(*read);
  for (const char* key : kKeys) {
    if (const char* value = std::getenv(key); value != nullptr && *value != '\0') values[key] = value;
  }

  Result<HostEnv> host = parse_host_env(values, path);
  if (!host) return host.error();
  HostConfig config{
      std::move(host->layout),
      host->uid_range,
      host->ports,
      values["LEFT4ME_STEAMCMD"],
      SupervisorKind::kAuto,
      values.count("LEFT4ME_OVERLAY_HELPER") ? values["LEFT4ME_OVERLAY_HELPER"] : std::string(kDefaultOverlayHelper),
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
