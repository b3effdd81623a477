// The detached supervisor process of the built-in supervisor (see builtin_supervisor.h).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <deque>

#include "base/file.h"
#include "base/strings.h"
#include "host/builtin_supervisor.h"
#include "host/console_log.h"
#include "host/instance_identity.h"
#include "host/launch.h"
#include "host/supervisor_state.h"

namespace left4me::host {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr milliseconds kProbeInterval{250};

std::int64_t now_unix() { return static_cast<std::int64_t>(::time(nullptr)); }

// The uid the server runs as: instance_server_uid's answer when we are root; otherwise our own.
Result<std::optional<uid_t>> server_identity(const model::Layout& layout, const model::InstanceName& name,
                                             const IdentityRange& range) {
  if (::geteuid() != 0) return std::optional<uid_t>();
  return instance_server_uid(layout, name, range);
}

class SupervisorProcess {
 public:
  SupervisorProcess(const model::Layout& layout, const model::InstanceName& name, const IdentityRange& uid_range,
                    const RestartPolicy& policy, const ReadinessProbe& probe, ConsoleLogWriter log, UniqueFd signals)
      : layout_(layout),
        name_(name),
        uid_range_(uid_range),
        policy_(policy),
        probe_(probe),
        log_(std::move(log)),
        signals_(std::move(signals)) {
    state_.supervisor = identify_process(::getpid());
  }

  int run() {
    while (true) {
      auto plan = read_launch_plan(layout_, name_);
      if (!plan.ok()) return give_up("cannot read the instance: " + plan.error().message());
      starts_.push_back(Clock::now());
      auto exit = run_once(*plan);
      if (!exit) return give_up(exit_error_);
      state_.last_exit = *exit;
      state_.game.reset();
      note("left4me: server exited (" + exit->describe() + ")");
      if (stop_requested_ || exit->success()) {
        record(RunState::kStopped, stop_requested_ ? "stopped" : "the server quit by itself");
        return 0;
      }
      while (!starts_.empty() && Clock::now() - starts_.front() > policy_.interval) starts_.pop_front();
      if (static_cast<int>(starts_.size()) >= policy_.burst) {
        return give_up("crashed " + std::to_string(starts_.size()) + " times within " +
                       std::to_string(policy_.interval.count()) + " s; not restarting (start it again to retry)");
      }
      record(RunState::kStarting,
             "restarting in " + std::to_string(policy_.delay.count()) + " ms after " + exit->describe());
      note("left4me: " + state_.message);
      if (wait_for_stop(policy_.delay)) {
        record(RunState::kStopped, "stopped");
        return 0;
      }
      ++state_.restarts;
    }
  }

 private:
  std::optional<ExitStatus> run_once(const LaunchPlan& plan) {
    if (!path_exists(plan.argv[0])) {
      exit_error_ = plan.argv[0] + " does not exist (game tree not mounted?)";
      return std::nullopt;
    }
    auto identity = server_identity(layout_, name_, uid_range_);
    if (!identity.ok()) {
      exit_error_ = identity.error().message();
      return std::nullopt;
    }
    auto process = Subprocess::spawn({.argv = plan.argv,
                                      .cwd = plan.game_root,
                                      .stdout_mode = Stream::kPipe,
                                      .stderr_mode = Stream::kToStdout,
                                      .group = Group::kNewProcessGroup,
                                      .kill_with_parent = true,
                                      .uid = *identity,
                                      .gid = *identity});
    if (!process.ok()) {
      exit_error_ = process.error().message();
      return std::nullopt;
    }
    state_.game = identify_process(process->pid());
    record(RunState::kStarting, "waiting for the server to answer queries");
    ::fcntl(process->stdout_fd(), F_SETFL, O_NONBLOCK);
    std::string pending;
    bool output_open = true;
    bool ready = false;
    auto next_probe = Clock::now() + kProbeInterval;
    while (true) {
      struct pollfd fds[3] = {{process->pidfd(), POLLIN, 0},
                              {signals_.get(), POLLIN, 0},
                              {output_open ? process->stdout_fd() : -1, POLLIN, 0}};
      int timeout = -1;
      if (!ready) {
        auto left = std::chrono::duration_cast<milliseconds>(next_probe - Clock::now()).count();
        timeout = left < 0 ? 0 : static_cast<int>(left);
      }
      int count = ::poll(fds, 3, timeout);
      if (count < 0 && errno != EINTR) break;
      if (fds[2].revents != 0) output_open = pump_output(process->stdout_fd(), pending);
      if (fds[1].revents != 0) {
        struct signalfd_siginfo info {};
        while (::read(signals_.get(), &info, sizeof info) == sizeof info) {
          if (!stop_requested_) {
            stop_requested_ = true;
            note("left4me: stop requested; sending SIGINT to the server");
            (void)process->signal_group(SIGINT);
          }
        }
      }
      if (fds[0].revents != 0) break;
      if (!ready && Clock::now() >= next_probe) {
        if (probe_ && probe_(plan.port)) {
          ready = true;
          record(RunState::kRunning, "running");
        }
        next_probe = Clock::now() + kProbeInterval;
      }
    }
    auto waited = process->wait(std::nullopt);
    if (output_open) {
      // Whatever the server printed last; a grandchild still holding the pipe must not block us.
      struct pollfd output {
        process->stdout_fd(), POLLIN, 0
      };
      while (::poll(&output, 1, 100) > 0 && pump_output(process->stdout_fd(), pending)) {
      }
    }
    if (!pending.empty()) (void)log_.write_line(pending);
    (void)process->signal_group(SIGKILL);  // leave nothing of its group behind
    if (!waited.ok() || !waited->has_value()) {
      exit_error_ = waited.ok() ? "lost the server process" : waited.error().message();
      return std::nullopt;
    }
    return **waited;
  }

  // Reads what is available; false at end of output.
  bool pump_output(int fd, std::string& pending) {
    char buffer[16384];
    while (true) {
      ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n < 0) return errno == EAGAIN || errno == EINTR;
      if (n == 0) return false;
      pending.append(buffer, static_cast<size_t>(n));
      size_t start = 0;
      while (true) {
        size_t end = pending.find('\n', start);
        if (end == std::string::npos) break;
        std::string_view line(pending.data() + start, end - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        (void)log_.write_line(line);
        start = end + 1;
      }
      pending.erase(0, start);
    }
  }

  // True if a stop arrived within the delay.
  bool wait_for_stop(milliseconds delay) {
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
  const IdentityRange& uid_range_;
  RestartPolicy policy_;
  ReadinessProbe probe_;
  ConsoleLogWriter log_;
  UniqueFd signals_;
  SupervisorState state_;
  std::deque<Clock::time_point> starts_;
  bool stop_requested_ = false;
  std::string exit_error_;
};

}  // namespace

int run_supervisor(const model::Layout& layout, const model::InstanceName& name, const IdentityRange& uid_range,
                   int lock_fd, const RestartPolicy& policy, const ReadinessProbe& probe) {
  UniqueFd lock(lock_fd);  // held until this process ends
  ::fcntl(lock.get(), F_SETFD, FD_CLOEXEC);
  ::signal(SIGHUP, SIG_IGN);
  ::signal(SIGPIPE, SIG_IGN);
  sigset_t stop_signals;
  ::sigemptyset(&stop_signals);
  ::sigaddset(&stop_signals, SIGTERM);
  ::sigaddset(&stop_signals, SIGINT);
  ::sigprocmask(SIG_BLOCK, &stop_signals, nullptr);
  UniqueFd signals(::signalfd(-1, &stop_signals, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!signals.valid()) return 1;
  auto log = ConsoleLogWriter::open(layout.console_log(name), policy.log_max_bytes);
  if (!log.ok()) return 1;
  SupervisorProcess supervisor(layout, name, uid_range, policy, probe, std::move(*log), std::move(signals));
  return supervisor.run();
}

}  // namespace left4me::host
