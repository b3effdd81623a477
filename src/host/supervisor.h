// Supervisor: runs one game server per instance and reports on it. Two backends share this
// interface and every observable behaviour: the built-in supervisor (no systemd) and systemd.
// Implementations are safe to use from several processes at once (they lock per instance).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/subprocess.h"
#include "model/instance_name.h"
#include "model/layout.h"

namespace left4me::host {

enum class RunState { kStopped, kStarting, kRunning, kFailed };
std::string_view to_string(RunState state);

struct ProcessInfo {
  RunState state = RunState::kStopped;
  std::optional<pid_t> pid;                // the game process, when running
  std::optional<std::int64_t> since_unix;  // when the current state began
  std::optional<ExitStatus> last_exit;     // the server's last exit, if any
  int restarts = 0;                        // automatic restarts since the last start
};

enum class Follow { kNo, kYes };

class Supervisor {
 public:
  virtual ~Supervisor() = default;
  virtual std::string_view name() const = 0;  // "builtin" or "systemd"

  // Prepares the game tree (mount) and starts the server from instance.env. Returns once the
  // process runs. Already running: success, nothing changes.
  virtual Status start(const model::InstanceName& name) = 0;
  // SIGINT, waits up to timeout, then SIGKILL of the whole group; then releases the game tree.
  // Already stopped: success.
  virtual Status stop(const model::InstanceName& name, std::chrono::seconds timeout) = 0;
  virtual Result<ProcessInfo> info(const model::InstanceName& name) = 0;
  // Delivers the last `lines` console lines, then (Follow::kYes) new ones until on_line returns
  // false or the process is interrupted.
  virtual Status logs(const model::InstanceName& name, int lines, Follow follow,
                      const std::function<bool(std::string_view)>& on_line) = 0;
};

}  // namespace left4me::host
