// The detached supervisor process of the built-in supervisor (see builtin_supervisor.h and
// supervise_loop.h): the restart loop, and the runner that runs the real server process.
#include "host/supervise_loop.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

#include "base/file.h"
#include "base/log.h"
#include "host/builtin_supervisor.h"
#include "host/health_monitor.h"
#include "host/instance_identity.h"
#include "host/monitor_loop.h"
#include "host/steam_client.h"
#include "host/supervisor_state.h"

namespace left4me::host {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr milliseconds kProbeInterval{250};
// How often a running server's supervisor checks that a health monitor runs (one open and flock).
constexpr milliseconds kMonitorCheckInterval{5000};

std::int64_t now_unix() { return static_cast<std::int64_t>(::time(nullptr)); }

int milliseconds_until(Clock::time_point when) {
  auto left = std::chrono::duration_cast<milliseconds>(when - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

// The uid the server runs as: instance_server_uid's answer when we are root; otherwise our own.
Result<std::optional<uid_t>> server_identity(const model::Layout& layout, const model::InstanceName& name,
                                             const IdentityRange& range) {
  if (::geteuid() != 0) return std::optional<uid_t>();
  return instance_server_uid(layout, name, range);
}

class RestartLoop {
 public:
  RestartLoop(const model::Layout& layout, const model::InstanceName& name, const RestartPolicy& policy,
              ServerRunner& runner, ConsoleLogWriter& log, const SteadyNow& now)
      : layout_(layout), name_(name), budget_(policy), runner_(runner), log_(log), now_(now) {
    state_.supervisor = identify_process(::getpid());
  }

  int run() {
    const ServerRunner::Events events{.started =
                                          [this](std::optional<ProcessIdentity> game) {
                                            state_.game = game;
                                            record(RunState::kStarting, "waiting for the server to answer queries");
                                          },
                                      .ready = [this] { record(RunState::kRunning, "running"); }};
    while (true) {
      auto plan = read_launch_plan(layout_, name_);
      if (!plan.ok()) return give_up("cannot read the instance: " + plan.error().message());
      budget_.started(now_());
      auto exit = runner_.run(*plan, events);
      if (!exit.ok()) return give_up(exit.error().message());
      state_.last_exit = *exit;
      state_.game.reset();
      note("left4me: server exited (" + exit->describe() + ")");
      StopRequested stop = runner_.stop_requested() ? StopRequested::kYes : StopRequested::kNo;
      ExitDecision decision = budget_.after_exit(*exit, stop, now_());
      if (decision.action == AfterExit::kStop) {
        record(RunState::kStopped, decision.message);
        return 0;
      }
      if (decision.action == AfterExit::kGiveUp) return give_up(decision.message);
      record(RunState::kStarting, decision.message);
      note("left4me: " + state_.message);
      if (runner_.wait_for_stop(budget_.policy().delay)) {
        record(RunState::kStopped, "stopped");
        return 0;
      }
      ++state_.restarts;
    }
  }

 private:
  void record(RunState state, std::string message) {
    if (state != state_.state) state_.since_unix = now_unix();
    state_.state = state;
    state_.message = std::move(message);
    (void)write_supervisor_state(layout_.supervisor_state(name_), state_);
  }

  int give_up(const std::string& why) {
    note("left4me: " + why);
    state_.game.reset();
    record(RunState::kFailed, why);
    return 1;
  }

  void note(const std::string& line) { (void)log_.write_line(line); }

  const model::Layout& layout_;
  const model::InstanceName& name_;
  RestartBudget budget_;
  ServerRunner& runner_;
  ConsoleLogWriter& log_;
  SteadyNow now_;
  SupervisorState state_;
};

// Runs the real server: `srcds_run -norestart ...` in its own process group, killed with us, as the
// instance's uid when we are root; its output goes to the console log; stop signals arrive on a signalfd.
class ProcessRunner final : public ServerRunner {
 public:
  ProcessRunner(const model::Layout& layout, const model::InstanceName& name, const IdentityRange& uid_range,
                const ReadinessProbe& probe, ConsoleLogWriter& log, UniqueFd signals, std::string monitor_exe)
      : layout_(layout),
        name_(name),
        uid_range_(uid_range),
        probe_(probe),
        log_(log),
        signals_(std::move(signals)),
        monitor_exe_(std::move(monitor_exe)) {}

  Result<ExitStatus> run(const LaunchPlan& plan, const Events& events) override {
    auto process = spawn_server(plan);
    if (!process.ok()) return process.error();
    events.started(identify_process(process->pid()));
    keep_monitor();
    pending_.clear();
    output_open_ = true;
    watch(*process, plan.port, events);
    return collect(*process);
  }

  bool stop_requested() const override { return stop_requested_; }

  bool wait_for_stop(milliseconds delay) override {
    struct pollfd fd {
      signals_.get(), POLLIN, 0
    };
    auto deadline = Clock::now() + delay;
    while (true) {
      auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return false;
      int count = ::poll(&fd, 1, static_cast<int>(left));
      if (count > 0) return true;
      if (count < 0 && errno != EINTR) return false;
    }
  }

 private:
  Result<Subprocess> spawn_server(const LaunchPlan& plan) {
    if (!path_exists(plan.argv[0])) return Error::failed(plan.argv[0] + " does not exist (game tree not mounted?)");
    auto identity = server_identity(layout_, name_, uid_range_);
    if (!identity.ok()) return identity.error();
    return Subprocess::spawn({.argv = plan.argv,
                              .env = server_environment(layout_),
                              .cwd = plan.game_root,
                              .stdout_mode = Stream::kPipe,
                              .stderr_mode = Stream::kToStdout,
                              .group = Group::kNewProcessGroup,
                              .kill_with_parent = true,
                              .uid = *identity,
                              .gid = *identity});
  }

  // Until the server exits: logs its output, passes a stop on, and probes it until it answers.
  void watch(Subprocess& process, std::uint16_t port, const Events& events) {
    ::fcntl(process.stdout_fd(), F_SETFL, O_NONBLOCK);
    bool ready = false;
    auto next_probe = Clock::now() + kProbeInterval;
    while (true) {
      struct pollfd fds[3] = {{process.pidfd(), POLLIN, 0},
                              {signals_.get(), POLLIN, 0},
                              {output_open_ ? process.stdout_fd() : -1, POLLIN, 0}};
      auto wake = ready ? next_monitor_check_ : std::min(next_probe, next_monitor_check_);
      int count = ::poll(fds, 3, milliseconds_until(wake));
      if (count < 0 && errno != EINTR) break;
      if (Clock::now() >= next_monitor_check_) keep_monitor();
      if (fds[2].revents != 0) output_open_ = pump_output(process.stdout_fd());
      if (fds[1].revents != 0) pass_stop_on(process);
      if (fds[0].revents != 0) break;
      if (!ready && Clock::now() >= next_probe) {
        if (probe_ && probe_(port)) {
          ready = true;
          events.ready();
        }
        next_probe = Clock::now() + kProbeInterval;
      }
    }
  }

  // The health monitor ends only once no instance runs, but it can be killed: every supervisor starts a new
  // one when none holds the lock, at each start of its server and every kMonitorCheckInterval after.
  void keep_monitor() {
    next_monitor_check_ = Clock::now() + kMonitorCheckInterval;
    if (monitor_exe_.empty() || stop_requested_) return;
    if (monitor_ > 0 && ::waitpid(monitor_, nullptr, WNOHANG) == monitor_) monitor_ = 0;  // ours ended: reap it
    auto started = ensure_monitor(layout_, monitor_exe_);
    if (!started.ok()) {
      log::warning("supervise '{}': {}", name_.str(), started.error().message());
    } else if (*started) {
      monitor_ = **started;
    }
  }

  void pass_stop_on(Subprocess& process) {
    struct signalfd_siginfo info {};
    while (::read(signals_.get(), &info, sizeof info) == sizeof info) {
      if (stop_requested_) continue;
      stop_requested_ = true;
      (void)log_.write_line("left4me: stop requested; sending SIGINT to the server");
      (void)process.signal_group(SIGINT);
    }
  }

  // Reaps the server, logs what it printed last and kills what is left of its group.
  Result<ExitStatus> collect(Subprocess& process) {
    auto waited = process.wait(std::nullopt);
    if (output_open_) {
      // Whatever the server printed last; a grandchild still holding the pipe must not block us.
      struct pollfd output {
        process.stdout_fd(), POLLIN, 0
      };
      while (::poll(&output, 1, 100) > 0 && pump_output(process.stdout_fd())) {
      }
    }
    if (!pending_.empty()) (void)log_.write_line(pending_);
    (void)process.signal_group(SIGKILL);  // leave nothing of its group behind
    if (!waited.ok()) return waited.error();
    if (!waited->has_value()) return Error::failed("lost the server process");
    return **waited;
  }

  // Reads what is available into the log, line by line; false at end of output.
  bool pump_output(int fd) {
    char buffer[16384];
    while (true) {
      ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n < 0) return errno == EAGAIN || errno == EINTR;
      if (n == 0) return false;
      pending_.append(buffer, static_cast<size_t>(n));
      size_t start = 0;
      while (true) {
        size_t end = pending_.find('\n', start);
        if (end == std::string::npos) break;
        std::string_view line(pending_.data() + start, end - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        (void)log_.write_line(line);
        // The health monitor gives a server that changes map its grace window.
        if (is_map_change_line(line)) (void)record_map_change(layout_, name_);
        start = end + 1;
      }
      pending_.erase(0, start);
    }
  }

  const model::Layout& layout_;
  const model::InstanceName& name_;
  const IdentityRange& uid_range_;
  ReadinessProbe probe_;
  ConsoleLogWriter& log_;
  UniqueFd signals_;
  bool stop_requested_ = false;
  std::string pending_;  // output after the last complete line
  bool output_open_ = true;
  std::string monitor_exe_;  // "" when hang detection is off
  pid_t monitor_ = 0;        // the monitor we started, until reaped
  Clock::time_point next_monitor_check_{};
};

}  // namespace

int run_restart_loop(const model::Layout& layout, const model::InstanceName& name, const RestartPolicy& policy,
                     ServerRunner& runner, ConsoleLogWriter& log, const SteadyNow& now) {
  RestartLoop loop(layout, name, policy, runner, log, now);
  return loop.run();
}

int run_supervisor(const model::Layout& layout, const model::InstanceName& name, const IdentityRange& uid_range,
                   int lock_fd, const RestartPolicy& policy, const ReadinessProbe& probe,
                   const std::string& monitor_exe) {
  UniqueFd lock(lock_fd);  // held until this process ends
  ::fcntl(lock.get(), F_SETFD, FD_CLOEXEC);
  auto signals = take_stop_signals();
  if (!signals.ok()) return 1;
  auto log = ConsoleLogWriter::open(layout.console_log(name), policy.log_max_bytes);
  if (!log.ok()) return 1;
  ProcessRunner runner(layout, name, uid_range, probe, *log, std::move(*signals), monitor_exe);
  return run_restart_loop(layout, name, policy, runner, *log, [] { return Clock::now(); });
}

}  // namespace left4me::host
