// The restart loop of the built-in supervisor's detached process (`l4d2ctl __supervise`, see
// builtin_supervisor.h): it runs the server through a ServerRunner, records every state change in
// runtime/<name>/state.json and the console log, and decides after each exit with a RestartBudget.
// The runner and the clock are seams: the real runner spawns the server and forwards stop signals;
// tests script one and move time themselves. Single-threaded.
#pragma once

#include <chrono>
#include <functional>
#include <optional>

#include "base/result.h"
#include "base/subprocess.h"
#include "host/console_log.h"
#include "host/launch.h"
#include "host/process_identity.h"
#include "host/restart_policy.h"
#include "model/instance_name.h"
#include "model/layout.h"

namespace left4me::host {

class ServerRunner {
 public:
  struct Events {
    std::function<void(std::optional<ProcessIdentity> game)> started;  // the server process runs
    std::function<void()> ready;                                       // it answers queries
  };

  virtual ~ServerRunner() = default;
  // Runs the server as `plan` says until it exits, calling events.started once it runs and events.ready
  // once it answers queries. A stop request meanwhile is passed on to the server (SIGINT) and
  // remembered. Returns how the server exited, or an error when it could not be started or was lost.
  virtual Result<ExitStatus> run(const LaunchPlan& plan, const Events& events) = 0;
  // True once a stop was requested during a run.
  virtual bool stop_requested() const = 0;
  // Waits up to `delay` for a stop request; true if one came.
  virtual bool wait_for_stop(std::chrono::milliseconds delay) = 0;
};

using SteadyNow = std::function<std::chrono::steady_clock::time_point()>;

// Starts the server from instances/<name>/instance.env (read again before each start), restarts it
// after a failure as `policy` says, and returns once it is stopped (0) or has failed (1). The state
// file and the console log say what happened at every step.
int run_restart_loop(const model::Layout& layout, const model::InstanceName& name, const RestartPolicy& policy,
                     ServerRunner& runner, ConsoleLogWriter& log, const SteadyNow& now);

}  // namespace left4me::host
