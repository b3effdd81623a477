// HostEnv: the host settings in /etc/left4me/host.env that privileged code acts on (the data root,
// the instance uid range, the game port range), parsed and validated in one place for l4d2ctl and
// every privileged helper. Immutable values; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/env_file.h"
#include "base/result.h"
#include "host/instance_identity.h"
#include "model/layout.h"

namespace left4me::host {

// The one home of the host configuration file's path. Root-owned (root:left4me 0640).
inline constexpr std::string_view kHostEnvPath = "/etc/left4me/host.env";

// Game ports: a server's port must lie in [start, end]; it may bind only its own port.
struct PortRange {
  static constexpr int kDefaultStart = 27000;
  static constexpr int kDefaultEnd = 27999;
  int start = kDefaultStart;
  int end = kDefaultEnd;

  bool contains(int port) const { return port >= start && port <= end; }
};

// What one overlay build script may use (docs/design.md, "Script overlays"): under systemd the transient
// unit's CPUQuota=, MemoryMax=, TasksMax=, LimitFSIZE= and RuntimeMaxSec=; under bubblewrap rlimits
// and a wall-clock timeout.
struct ScriptLimits {
  int cpu_percent = 200;       // LEFT4ME_SCRIPT_CPU_PERCENT, 1..10000
  long long memory_mb = 4096;  // LEFT4ME_SCRIPT_MEMORY_MB, 16..1048576
  int tasks = 512;             // LEFT4ME_SCRIPT_TASKS_MAX, 8..65536
  long long file_mb = 4096;    // LEFT4ME_SCRIPT_FILE_MAX_MB, 1..1048576: the largest file a script writes
  int timeout_seconds = 3600;  // LEFT4ME_SCRIPT_TIMEOUT_SECONDS, 1..86400
};

struct HostEnv {
  model::Layout layout;     // LEFT4ME_ROOT, default /var/lib/left4me
  IdentityRange uid_range;  // LEFT4ME_INSTANCE_UID_BASE / _COUNT
  PortRange ports;          // LEFT4ME_PORT_RANGE_START / _END, each in 1024..65535, start <= end
  ScriptLimits script;      // LEFT4ME_SCRIPT_*
};

// The settings from already-read KEY=VALUE pairs; an empty value means the default. Fails with
// kInvalidArgument naming `origin` and the key on a bad value.
Result<HostEnv> parse_host_env(const EnvValues& values, std::string_view origin);

// Reads and parses the file at `path` (missing: the defaults, unless `need` is kRequired).
Result<HostEnv> read_host_env(const std::string& path, EnvFile need);

}  // namespace left4me::host
