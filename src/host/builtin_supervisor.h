// The built-in supervisor, for machines without systemd: `start` hands each server to a small
// detached supervisor process (`l4d2ctl __supervise <name>`, its own session) that logs its console
// with rotation, restarts it on failure (5 s later, at most 5 starts in 60 s, then `failed`), and
// records its state in runtime/<name>/state.json. A flock on runtime/<name>/supervisor.lock, held by
// the supervisor for its lifetime, makes concurrent starts end with one server. The decisions live in
// pure parts that test without processes: RestartBudget (restart_policy.h), the restart loop
// (supervise_loop.h), StopEscalation (stop_escalation.h) and reported_info (supervisor_state.h).
// Safe to use from several processes at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "host/mounter.h"
#include "host/restart_policy.h"
#include "host/supervisor.h"

namespace left4me::host {

// Answers whether the server on this port is up (A2S answers). Used for starting -> running.
using ReadinessProbe = std::function<bool(std::uint16_t port)>;

class BuiltinSupervisor : public Supervisor {
 public:
  // self_exe: the l4d2ctl binary that runs `__supervise`.
  BuiltinSupervisor(model::Layout layout, std::unique_ptr<Mounter> mounter, std::string self_exe);

  std::string_view name() const override { return "builtin"; }
  Status start(const model::InstanceName& name) override;
  Status stop(const model::InstanceName& name, std::chrono::seconds timeout) override;
  Result<ProcessInfo> info(const model::InstanceName& name) override;
  Status logs(const model::InstanceName& name, int lines, Follow follow,
              const std::function<bool(std::string_view)>& on_line) override;

 private:
  model::Layout layout_;
  std::unique_ptr<Mounter> mounter_;
  std::string self_exe_;
};

// Makes runtime/<name>/merged the instance's game tree for a start: releases whatever is mounted (a
// stale or half-made mount after a crash), copies the rendered files into the writable layer (only while
// it is not mounted), mounts, and checks that the tree holds srcds_run. Fails at the first step that
// fails, naming it.
Status prepare_game_tree(const model::Layout& layout, const model::InstanceName& name, Mounter& mounter);

// The body of `l4d2ctl __supervise <name> --lock-fd N`: runs until the server is stopped or
// has failed. Returns the process exit code.
// `uid_range` is host.env's instance uid range (the server's uid is re-validated against it at every
// start when running as root). `monitor_exe`: the l4d2ctl binary whose `__monitor` the supervisor starts
// again when none runs (a killed monitor is replaced within seconds); "" when hang detection is off.
int run_supervisor(const model::Layout& layout, const model::InstanceName& name, const IdentityRange& uid_range,
                   int lock_fd, const RestartPolicy& policy, const ReadinessProbe& probe,
                   const std::string& monitor_exe);

// Set by SIGINT/SIGTERM handlers of `logs --follow`; ends follow loops.
const std::atomic<bool>* follow_stop_flag();
void install_follow_stop_handlers();

}  // namespace left4me::host
