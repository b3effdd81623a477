// SupervisorState: what the built-in supervisor records in runtime/<name>/state.json, written
// atomically by the supervisor process and read by `l4d2ctl status`. Value type; not synchronized.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/result.h"
#include "base/subprocess.h"
#include "host/process_identity.h"
#include "host/supervisor.h"

namespace left4me::host {

struct SupervisorState {
  std::optional<ProcessIdentity> supervisor;  // the supervisor process while it lives
  RunState state = RunState::kStopped;
  std::int64_t since_unix = 0;
  std::optional<ProcessIdentity> game;  // the game process (its own process group leader)
  std::optional<ExitStatus> last_exit;
  int restarts = 0;
  std::string message;  // why it failed or what it is doing
  // The `l4d2ctl start` handing over to a supervisor that has not recorded itself yet (state starting, no
  // supervisor): while it lives, the start is in progress, not failed. The supervisor's first record drops it.
  std::optional<ProcessIdentity> starter;
};

// Missing file: a default (stopped, never started) state.
Result<SupervisorState> read_supervisor_state(const std::string& path);
Status write_supervisor_state(const std::string& path, const SupervisorState& state);

// Which of the processes a state records are alive.
struct Liveness {
  bool supervisor = false;
  bool game = false;
  bool starter = false;
};
// Asks /proc (is_alive: the same pid and start time).
Liveness liveness(const SupervisorState& state);

// What `status` reports from a state and its liveness: the state as recorded, except that a starting or
// running instance whose supervisor and server are both gone (a supervisor killed without recording
// anything, a reboot, a start killed while handing over) is failed; the pid only while the server lives.
ProcessInfo reported_info(const SupervisorState& state, Liveness alive);

}  // namespace left4me::host
