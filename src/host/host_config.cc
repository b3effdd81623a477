#include "host/host_config.h"

#include <cstdlib>

#include "base/strings.h"
#include "host/public_address.h"

namespace left4me::host {
namespace {

constexpr EnvKeyDoc kHostEnvKeys[] = {
    {"LEFT4ME_ROOT", "`/var/lib/left4me`",
     "The data root: game installation, overlays, instances. The systemd units use the default path: keep it there."},
    {"LEFT4ME_STEAMCMD", "none (`install` refuses to run)",
     "steamcmd by absolute path (`steamcmd.sh` of Valve's tarball), for `l4d2ctl install`."},
    {"LEFT4ME_SUPERVISOR", "`auto`",
     "`systemd`, `builtin` or `auto` (systemd when PID 1 is systemd and the units are installed). The web "
     "unit sets `systemd`."},
    {"LEFT4ME_PORT_RANGE_START", "`27000`",
     "First game port. A server's port must lie in the range; each server may bind only its own port."},
    {"LEFT4ME_PORT_RANGE_END", "`27999`", "Last game port (at least the start; both 1024..65535)."},
    {"LEFT4ME_SYSTEM_CPUS", "empty: no pinning",
     "CPUs kept for the system, e.g. `0,4`: system, user and build slices run there, game servers on the "
     "others (at least one must remain). Check with `left4me-generator --check`."},
    {"LEFT4ME_INSTANCE_UID_BASE", "`1879048192` (0x70000000)",
     "First uid of the servers' own uids (gid = uid); every uid of the range must be unused on the host."},
    {"LEFT4ME_INSTANCE_UID_COUNT", "`65536`", "How many instance uids the range holds."},
    {"LEFT4ME_RESTART_DELAY_MS", "`5000`",
     "How long a crashed server waits before its restart (both supervisors; at most 5 starts in 60 s)."},
    {"LEFT4ME_CONSOLE_LOG_MAX_BYTES", "`8388608`",
     "The built-in supervisor rotates an instance's console.log at this size (systemd keeps the journal)."},
    {"LEFT4ME_HANG_SECONDS", "`60`",
     "The health monitor restarts a server that has not answered A2S queries for this long outside the grace "
     "windows (through its supervisor: the restart limit applies). `0` turns hang detection off."},
    {"LEFT4ME_START_GRACE_SECONDS", "`120`",
     "How long a started server may take to answer for the first time before its silence counts."},
    {"LEFT4ME_MAP_CHANGE_GRACE_SECONDS", "`60`",
     "After a map change (seen on the console, or sent by `l4d2ctl rcon` changelevel/map), how long before "
     "a server's silence counts."},
    {"LEFT4ME_MONITOR_INTERVAL_SECONDS", "`2`", "How often the health monitor asks every running server."},
    {"LEFT4ME_PUBLIC_ADDRESS", "detected: the IPv4 address of the default route's interface (never loopback)",
     "The host name or IPv4 address players connect to (`connect <address>:<port>`, reported by `status` and "
     "`list`). Set it when the host is behind NAT or has a DNS name."},
    {"LEFT4ME_KEEP_BUILDS", "`0`: keep every build",
     "After an update, `l4d2ctl install` removes the oldest game builds beyond this many; the current build and "
     "builds a server uses are always kept."},
    {"LEFT4ME_HELPER_DIR", "`/usr/local/libexec/left4me`",
     "Where l4d2ctl finds left4me-systemctl and left4me-journalctl (run through sudo when not root)."},
    {"LEFT4ME_OVERLAY_HELPER", "`/usr/local/libexec/left4me/left4me-overlay`",
     "The overlay helper the built-in supervisor runs through sudo when not root."},
    {"LEFT4ME_SCRIPT_CPU_PERCENT", "`200`",
     "CPU an overlay build script may use, in percent of one CPU (systemd `CPUQuota=`; under bubblewrap the "
     "script's CPU time is capped at this share of `LEFT4ME_SCRIPT_TIMEOUT_SECONDS`)."},
    {"LEFT4ME_SCRIPT_MEMORY_MB", "`4096`",
     "Memory of an overlay build script in MiB (systemd `MemoryMax=`, no swap; under bubblewrap each process's "
     "address space)."},
    {"LEFT4ME_SCRIPT_TASKS_MAX", "`512`",
     "Processes and threads of an overlay build script (systemd `TasksMax=`; under bubblewrap `RLIMIT_NPROC`, "
     "which counts the running user's processes and binds no root caller)."},
    {"LEFT4ME_SCRIPT_FILE_MAX_MB", "`4096`", "The largest file an overlay build script may write, in MiB."},
    {"LEFT4ME_SCRIPT_TIMEOUT_SECONDS", "`3600`",
     "Wall-clock time of an overlay build script; then it is killed with everything it started."},
    {"LEFT4ME_HOST_ENV", "`/etc/left4me/host.env`",
     "Environment only: l4d2ctl reads this file instead (the privileged helpers never read it)."},
};

Result<std::string> absolute_path(const EnvValues& values, const char* key, std::string_view fallback) {
  auto found = values.find(key);
  if (found == values.end() || found->second.empty()) return std::string(fallback);
  if (found->second[0] != '/') {
    return Error::invalid(std::string(key) + " must be an absolute path, got '" + found->second + "'");
  }
  return found->second;
}

Result<long long> number(const EnvValues& values, const char* key, long long fallback, long long min, long long max) {
  auto found = values.find(key);
  if (found == values.end() || found->second.empty()) return fallback;
  std::optional<long long> parsed = parse_int(trim(found->second), min, max);
  if (!parsed) {
    return Error::invalid(std::string(key) + ": '" + found->second + "' is not a whole number in " +
                          std::to_string(min) + ".." + std::to_string(max));
  }
  return *parsed;
}

Result<SupervisorKind> supervisor_kind(const EnvValues& values) {
  auto found = values.find("LEFT4ME_SUPERVISOR");
  const std::string supervisor = found == values.end() ? "" : found->second;
  if (supervisor == "builtin") return SupervisorKind::kBuiltin;
  if (supervisor == "systemd") return SupervisorKind::kSystemd;
  if (supervisor.empty() || supervisor == "auto") return SupervisorKind::kAuto;
  return Error::invalid("LEFT4ME_SUPERVISOR must be 'builtin', 'systemd' or 'auto', got '" + supervisor + "'");
}

// The host.env file with every documented key the environment sets on top.
Result<std::pair<std::string, EnvValues>> read_values() {
  const char* env_file = std::getenv("LEFT4ME_HOST_ENV");
  const bool named = env_file != nullptr && *env_file != '\0';
  std::string path = named ? env_file : std::string(kHostEnvPath);
  // The default file may be absent; a file named by LEFT4ME_HOST_ENV must exist.
  Result<EnvValues> read = read_env_file(path, named ? EnvFile::kRequired : EnvFile::kOptional);
  if (!read) {
    if (read.error().code() == ErrorCode::kInvalidArgument) return read.error();
    return read.error().with_context("host configuration");
  }
  for (const EnvKeyDoc& key : kHostEnvKeys) {
    const std::string name(key.name);
    if (const char* value = std::getenv(name.c_str()); value != nullptr && *value != '\0') (*read)[name] = value;
  }
  return std::pair{std::move(path), std::move(*read)};
}

}  // namespace

std::span<const EnvKeyDoc> host_env_keys() { return kHostEnvKeys; }

Result<HostConfig> load_host_config() {
  auto read = read_values();
  if (!read) return read.error();
  auto& [path, values] = *read;
  Result<HostEnv> host = parse_host_env(values, path);
  if (!host) return host.error();
  HostConfig config{std::move(host->layout), host->uid_range, host->ports, host->script};
  config.values = values;
  if (auto steamcmd = absolute_path(values, "LEFT4ME_STEAMCMD", ""); steamcmd) {
    config.steamcmd = *steamcmd;
  } else {
    return steamcmd.error();
  }
  auto supervisor = supervisor_kind(values);
  if (!supervisor) return supervisor.error();
  config.supervisor = *supervisor;
  auto overlay_helper = absolute_path(values, "LEFT4ME_OVERLAY_HELPER", kDefaultOverlayHelper);
  if (!overlay_helper) return overlay_helper.error();
  config.overlay_helper = *overlay_helper;
  auto helper_dir = absolute_path(values, "LEFT4ME_HELPER_DIR", kDefaultHelperDir);
  if (!helper_dir) return helper_dir.error();
  config.helper_dir = *helper_dir;
  auto delay = number(values, "LEFT4ME_RESTART_DELAY_MS", config.restart.delay.count(), 0, 600000);
  if (!delay) return delay.error();
  config.restart.delay = std::chrono::milliseconds(*delay);
  auto log_bytes = number(values, "LEFT4ME_CONSOLE_LOG_MAX_BYTES", static_cast<long long>(config.restart.log_max_bytes),
                          1024, 1LL << 40);
  if (!log_bytes) return log_bytes.error();
  config.restart.log_max_bytes = static_cast<std::uint64_t>(*log_bytes);
  struct SecondsKey {
    const char* key;
    std::chrono::milliseconds* value;
    long long min;
  };
  for (const SecondsKey& setting : {SecondsKey{"LEFT4ME_HANG_SECONDS", &config.health.hang, 0},
                                    SecondsKey{"LEFT4ME_START_GRACE_SECONDS", &config.health.start_grace, 0},
                                    SecondsKey{"LEFT4ME_MAP_CHANGE_GRACE_SECONDS", &config.health.map_change_grace, 0},
                                    SecondsKey{"LEFT4ME_MONITOR_INTERVAL_SECONDS", &config.health.interval, 1}}) {
    auto seconds = number(values, setting.key, std::chrono::duration_cast<std::chrono::seconds>(*setting.value).count(),
                          setting.min, 86400);
    if (!seconds) return seconds.error();
    *setting.value = std::chrono::seconds(*seconds);
  }
  if (auto found = values.find("LEFT4ME_PUBLIC_ADDRESS"); found != values.end() && !found->second.empty()) {
    if (auto problem = check_public_address(found->second)) {
      return Error::invalid("LEFT4ME_PUBLIC_ADDRESS: '" + found->second + "' " + *problem);
    }
    config.public_address = found->second;
  }
  auto keep = number(values, "LEFT4ME_KEEP_BUILDS", 0, 0, 1000);
  if (!keep) return keep.error();
  config.keep_builds = static_cast<int>(*keep);
  return config;
}

}  // namespace left4me::host
