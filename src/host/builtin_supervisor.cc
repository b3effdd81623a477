#include "host/builtin_supervisor.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <thread>

#include "base/file.h"
#include "base/log.h"
#include "base/strings.h"
#include "host/console_log.h"
#include "host/launch.h"
#include "host/monitor_loop.h"
#include "host/rendered_files.h"
#include "host/stop_escalation.h"
#include "host/supervisor_state.h"

namespace left4me::host {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

std::atomic<bool> g_follow_stop{false};

void on_follow_signal(int) { g_follow_stop = true; }

std::int64_t now_unix() { return static_cast<std::int64_t>(::time(nullptr)); }

constexpr milliseconds kPollInterval{20};

bool sleep_until(const std::function<bool()>& done, milliseconds limit) {
  auto deadline = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
  return true;
}

}  // namespace

const std::atomic<bool>* follow_stop_flag() { return &g_follow_stop; }

void install_follow_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_follow_signal;
  ::sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
}

BuiltinSupervisor::BuiltinSupervisor(model::Layout layout, std::unique_ptr<Mounter> mounter, std::string self_exe)
    : layout_(std::move(layout)), mounter_(std::move(mounter)), self_exe_(std::move(self_exe)) {}

Status prepare_game_tree(const model::Layout& layout, const model::InstanceName& name, Mounter& mounter) {
  // Rendered files go into the writable layer only while it is not mounted: changing an
  // overlayfs layer under a live mount is undefined. A stale mount (a crash) is released first.
  if (auto released = mounter.unmount(name); !released.ok()) return released;
  if (auto placed = place_rendered_files(layout, name); !placed.ok()) return placed;
  if (auto status = mounter.mount(name); !status.ok()) return status;
  // Never start a server on an empty game tree.
  if (!path_exists(layout.merged(name) + "/srcds_run")) {
    return Error::failed("the game tree " + layout.merged(name) +
                         " has no srcds_run after mounting (is the game installed? run l4d2ctl install)");
  }
  return ok_status();
}

Status BuiltinSupervisor::start(const model::InstanceName& name) {
  auto plan = read_launch_plan(layout_, name);
  if (!plan.ok()) return plan.error();
  if (auto made = make_directories(layout_.runtime_dir(name)); !made.ok()) return made;

  std::string lock_path = layout_.supervisor_lock(name);
  UniqueFd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!lock.valid()) return Error::from_errno("open " + lock_path, errno);
  if (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) return Error::from_errno("flock " + lock_path, errno);
    // A supervisor runs (or another start is handing over to one): already running.
    log::debug("start '{}': a supervisor already holds the lock", name.str());
    return ok_status();
  }
  // We hold the lock: no supervisor runs. A game left alive by a killed supervisor dies with it
  // (kill_with_parent); one that is somehow still alive must not be doubled.
  auto previous = read_supervisor_state(layout_.supervisor_state(name));
  if (previous.ok() && previous->game && is_alive(*previous->game)) {
    ::kill(-previous->game->pid, SIGKILL);
    sleep_until([&] { return !is_alive(*previous->game); }, milliseconds(5000));
  }
  if (auto prepared = prepare_game_tree(layout_, name, *mounter_); !prepared.ok()) return prepared;

  SupervisorState initial;
  initial.state = RunState::kStarting;
  initial.since_unix = now_unix();
  initial.message = "starting";
  initial.starter = identify_process(::getpid());  // starting, not failed, until the supervisor records itself
  if (auto written = write_supervisor_state(layout_.supervisor_state(name), initial); !written.ok()) return written;

  auto process =
      Subprocess::spawn({.argv = {self_exe_, "__supervise", name.str(), "--lock-fd", std::to_string(lock.get())},
                         .stdout_mode = Stream::kNull,
                         .stderr_mode = Stream::kNull,
                         .group = Group::kNewSession,
                         .keep_fds = {lock.get()}});
  if (!process.ok()) return process.error().with_context("start the supervisor");
  pid_t supervisor_pid = process->pid();
  process->detach();
  lock.reset();  // the supervisor holds the lock now

  // Return once the server process runs (or the supervisor has given up).
  SupervisorState seen;
  bool settled = sleep_until(
      [&] {
        auto state = read_supervisor_state(layout_.supervisor_state(name));
        if (!state.ok()) return false;
        seen = *state;
        bool ours = seen.supervisor && seen.supervisor->pid == supervisor_pid;
        return ours && (seen.game || seen.state == RunState::kFailed || seen.state == RunState::kStopped);
      },
      milliseconds(15000));
  if (!settled) return Error::timeout("the supervisor did not start the server within 15 s");
  if (seen.state == RunState::kFailed) return Error::failed("the server failed to start: " + seen.message);
  // One health monitor for every instance; a server runs without one if it cannot be started.
  if (auto monitor = ensure_monitor(layout_, self_exe_); !monitor.ok()) {
    log::warning("start '{}': {}", name.str(), monitor.error().message());
  }
  return ok_status();
}

Status BuiltinSupervisor::stop(const model::InstanceName& name, std::chrono::seconds timeout) {
  if (!path_exists(layout_.instance_env(name)) && !path_exists(layout_.runtime_dir(name))) {
    return Error::not_found("no such instance '" + name.str() + "'");
  }
  std::string state_path = layout_.supervisor_state(name);
  auto state = read_supervisor_state(state_path);
  if (!state.ok()) return state.error();
  StopEscalation escalation(liveness(*state), timeout);
  while (true) {
    StopEscalation::Step step = escalation.next(liveness(*state), Clock::now());
    if (step.kind == StopEscalation::Step::Kind::kDone) break;
    if (step.kind == StopEscalation::Step::Kind::kWait) {
      std::this_thread::sleep_for(kPollInterval);
      continue;
    }
    if (step.target == StopEscalation::Target::kSupervisor) {
      ::kill(state->supervisor->pid, step.signal);
      continue;
    }
    if (step.signal == SIGKILL) {
      log::warning("stop '{}': the server did not quit within {} s after SIGINT; killing it", name.str(),
                   timeout.count());
    }
    ::kill(-state->game->pid, step.signal);
  }
  // Record the stop ourselves if the supervisor could not (it was gone already). A failed instance
  // becomes stopped too, as systemd's `disable` forgets a failed unit: both supervisors agree.
  auto after = read_supervisor_state(state_path);
  if (after.ok() && after->state != RunState::kStopped) {
    after->state = RunState::kStopped;
    after->since_unix = now_unix();
    after->supervisor.reset();
    after->game.reset();
    after->starter.reset();
    after->message = "stopped";
    if (auto written = write_supervisor_state(state_path, *after); !written.ok()) return written;
  }
  return mounter_->unmount(name);  // idempotent; also clears a half-made mount
}

Result<ProcessInfo> BuiltinSupervisor::info(const model::InstanceName& name) {
  auto state = read_supervisor_state(layout_.supervisor_state(name));
  if (!state.ok()) return state.error();
  return reported_info(*state, liveness(*state));
}

Status BuiltinSupervisor::logs(const model::InstanceName& name, int lines, Follow follow,
                               const std::function<bool(std::string_view)>& on_line) {
  if (!path_exists(layout_.instance_env(name))) return Error::not_found("no such instance '" + name.str() + "'");
  if (auto made = make_directories(layout_.runtime_dir(name)); !made.ok()) return made;
  if (follow == Follow::kNo) {
    auto tail = tail_console_log(layout_.console_log(name), lines);
    if (!tail.ok()) return tail.error();
    for (const auto& line : *tail) {
      if (!on_line(line)) break;
    }
    return ok_status();
  }
  return follow_console_log(layout_.console_log(name), lines, on_line, follow_stop_flag());
}

}  // namespace left4me::host
