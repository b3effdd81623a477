#include "host/systemd_supervisor.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <limits>

#include "base/file.h"
#include "base/strings.h"
#include "base/subprocess.h"

namespace left4me::host {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::string_view kSystemctlHelper = "left4me-systemctl";
constexpr std::string_view kJournalctlHelper = "left4me-journalctl";
constexpr seconds kStartTimeout{120};  // the start job includes ExecStartPre (mounting)
constexpr seconds kShowTimeout{30};
constexpr seconds kKillTimeout{10};
constexpr seconds kUnitStopTimeout{15};  // TimeoutStopSec= of left4me-server@.service
constexpr seconds kStopSlack{30};        // the stop job also runs ExecStopPost (unmounting)
// Exit codes of the helpers (upstream's).
constexpr int kHelperUsage = 2;
constexpr int kHelperToolMissing = 69;

// The helper's complaint: the last non-empty line of stderr, else of stdout,
// else the exit status.
std::string complaint(const RunResult& result) {
  for (const std::string* text : {&result.err, &result.out}) {
    std::vector<std::string> lines = split(*text, '\n');
    for (auto line = lines.rbegin(); line != lines.rend(); ++line) {
      std::string_view trimmed = trim(*line);
      if (!trimmed.empty()) return std::string(trimmed);
    }
  }
  return result.status.describe();
}

Error helper_error(std::string command, const RunResult& result) {
  std::string message = std::move(command) + ": " + complaint(result);
  if (!result.status.signalled && result.status.code == kHelperToolMissing) return Error::unavailable(message);
  if (!result.status.signalled && result.status.code == kHelperUsage) return Error::invalid(message);
  return Error::failed(message);
}

std::optional<std::int64_t> parse_unix_timestamp(const std::string& value) {
  // `systemctl show --timestamp=unix` prints "@1732604400"; empty or "n/a" when
  // never.
  if (value.size() < 2 || value.front() != '@') return std::nullopt;
  auto parsed = parse_int(std::string_view(value).substr(1), 1, std::numeric_limits<std::int64_t>::max());
  if (!parsed) return std::nullopt;
  return static_cast<std::int64_t>(*parsed);
}

std::string property(const std::map<std::string, std::string>& properties, const std::string& key) {
  auto found = properties.find(key);
  return found == properties.end() ? std::string() : found->second;
}

long long property_int(const std::map<std::string, std::string>& properties, const std::string& key) {
  return parse_int(property(properties, key), 0, std::numeric_limits<int>::max()).value_or(0);
}

}  // namespace

SystemdSupervisorOptions systemd_supervisor_options(std::string helper_dir) {
  SystemdSupervisorOptions options;
  options.helper_dir = std::move(helper_dir);
  options.privilege = ::geteuid() == 0 ? Privilege::kDirect : Privilege::kSudo;
  return options;
}

SystemdSupervisor::SystemdSupervisor(SystemdSupervisorOptions options) : options_(std::move(options)) {}

std::vector<std::string> SystemdSupervisor::helper_command(std::string_view helper,
                                                           std::vector<std::string> args) const {
  std::vector<std::string> argv;
  if (options_.privilege == Privilege::kSudo) argv = {"/usr/bin/sudo", "-n", "--"};
  argv.push_back(options_.helper_dir + "/" + std::string(helper));
  argv.insert(argv.end(), std::make_move_iterator(args.begin()), std::make_move_iterator(args.end()));
  return argv;
}

Result<std::string> SystemdSupervisor::run_helper(std::string_view helper, std::vector<std::string> args,
                                                  seconds timeout) const {
  std::string command = std::string(helper) + " " + join(args, " ");
  RunOptions options;
  options.timeout = timeout;
  auto result = run(helper_command(helper, std::move(args)), options);
  if (!result.ok()) {
    if (result.error().code() == ErrorCode::kTimeout) return result.error().with_context(command);
    return Error::unavailable(command + ": " + result.error().message());
  }
  if (!result->status.success()) return helper_error(std::move(command), *result);
  return std::move(result->out);
}

Status SystemdSupervisor::start(const model::InstanceName& name) {
  auto current = info(name);
  if (!current.ok()) return current.error();
  if (current->state == RunState::kRunning || current->state == RunState::kStarting) return ok_status();
  if (options_.prepare) {
    if (auto prepared = options_.prepare(name); !prepared.ok()) return prepared;
  }
  auto enabled = run_helper(kSystemctlHelper, {"enable", name.str()}, kStartTimeout);
  if (!enabled.ok()) return enabled.error();
  return ok_status();
}

Status SystemdSupervisor::stop(const model::InstanceName& name, seconds timeout) {
  auto disabled =
      run_helper(kSystemctlHelper, {"disable", name.str()}, std::max(timeout, kUnitStopTimeout) + kStopSlack);
  if (!disabled.ok()) return disabled.error();
  return ok_status();
}

Result<ProcessInfo> SystemdSupervisor::info(const model::InstanceName& name) {
  auto shown = run_helper(kSystemctlHelper, {"show", name.str()}, kShowTimeout);
  if (!shown.ok()) return shown.error();
  auto properties = parse_properties(*shown);
  if (!properties.contains("ActiveState")) {
    return Error::failed("left4me-systemctl show " + name.str() + ": no ActiveState in its output");
  }
  return process_info_from_properties(properties);
}

Status SystemdSupervisor::kill(const model::InstanceName& name) {
  auto killed = run_helper(kSystemctlHelper, {"kill", name.str()}, kKillTimeout);
  if (!killed.ok()) return killed.error();
  return ok_status();
}

Result<Subprocess> SystemdSupervisor::follow_map_changes() const {
  SpawnOptions spawn_options;
  spawn_options.argv = helper_command(kJournalctlHelper, {"--map-changes"});
  spawn_options.stdout_mode = Stream::kPipe;
  auto child = Subprocess::spawn(std::move(spawn_options));
  if (!child.ok()) return Error::unavailable("left4me-journalctl --map-changes: " + child.error().message());
  return child;
}

Status SystemdSupervisor::logs(const model::InstanceName& name, int lines, Follow follow,
                               const std::function<bool(std::string_view)>& on_line) {
  std::vector<std::string> args = {name.str(), "--lines", std::to_string(std::max(lines, 0)),
                                   follow == Follow::kYes ? "--follow" : "--no-follow"};
  std::string command = std::string(kJournalctlHelper) + " " + join(args, " ");
  SpawnOptions spawn_options;
  spawn_options.argv = helper_command(kJournalctlHelper, std::move(args));
  spawn_options.stdout_mode = Stream::kPipe;
  spawn_options.stderr_mode = Stream::kPipe;
  auto child = Subprocess::spawn(std::move(spawn_options));
  if (!child.ok()) return Error::unavailable(command + ": " + child.error().message());

  std::string pending;
  std::string errors;
  bool stopped_by_us = false;
  pollfd fds[2] = {{child->stdout_fd(), POLLIN, 0}, {child->stderr_fd(), POLLIN, 0}};
  int open_fds = 2;
  auto deliver = [&](std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || stopped_by_us) return;
    if (!on_line(line)) stopped_by_us = true;
  };
  while (open_fds > 0 && !stopped_by_us) {
    int ready = ::poll(fds, 2, -1);
    if (ready < 0) {
      // A signal handler ran (SIGINT/SIGTERM of `logs --follow`): poll is never
      // restarted, so an interruption ends the follow like the callback's false
      // does.
      if (errno == EINTR) {
        stopped_by_us = true;
        break;
      }
      return Error::from_errno("poll " + command, errno);
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      char buffer[8192];
      ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      if (i == 1) {
        if (errors.size() < 65536) errors.append(buffer, static_cast<size_t>(n));
        continue;
      }
      pending.append(buffer, static_cast<size_t>(n));
      size_t start = 0;
      for (size_t newline; (newline = pending.find('\n', start)) != std::string::npos; start = newline + 1) {
        deliver(std::string_view(pending).substr(start, newline - start));
      }
      pending.erase(0, start);
    }
  }
  if (stopped_by_us) {
    (void)child->terminate(SIGTERM, milliseconds(2000));
    return ok_status();
  }
  deliver(pending);
  auto status = child->wait(seconds(10));
  if (!status.ok()) return status.error();
  if (!status->has_value()) {
    (void)child->terminate(SIGTERM, milliseconds(2000));
    return Error::timeout(command + ": did not exit after closing its output");
  }
  if (!(*status)->success()) return helper_error(command, RunResult{**status, "", errors});
  return ok_status();
}

std::map<std::string, std::string> parse_properties(std::string_view text) {
  std::map<std::string, std::string> properties;
  for (const std::string& line : split(text, '\n')) {
    size_t equals = line.find('=');
    if (equals == std::string::npos || equals == 0) continue;
    properties[line.substr(0, equals)] = line.substr(equals + 1);
  }
  return properties;
}

ProcessInfo process_info_from_properties(const std::map<std::string, std::string>& properties) {
  ProcessInfo info;
  const std::string active = property(properties, "ActiveState");
  const long long main_pid = property_int(properties, "MainPID");
  if (active == "active" || active == "reloading") {
    info.state = RunState::kRunning;
  } else if (active == "activating") {
    info.state = RunState::kStarting;  // ExecStartPre, or waiting RestartSec
                                       // before an automatic restart
  } else if (active == "deactivating") {
    info.state = main_pid > 0 ? RunState::kRunning : RunState::kStopped;
  } else if (active == "failed") {
    info.state = RunState::kFailed;  // start limit hit, or a start that failed
                                     // without restart
  } else {
    info.state = RunState::kStopped;
  }
  if (main_pid > 0) info.pid = static_cast<pid_t>(main_pid);
  if (info.state == RunState::kRunning) {
    info.since_unix = parse_unix_timestamp(property(properties, "ExecMainStartTimestamp"));
  }
  if (!info.since_unix) info.since_unix = parse_unix_timestamp(property(properties, "StateChangeTimestamp"));
  // ExecMain* describe the current main process once it runs; the last exit is
  // known until then.
  if (parse_unix_timestamp(property(properties, "ExecMainExitTimestamp"))) {
    const long long code = property_int(properties, "ExecMainCode");  // CLD_EXITED 1, KILLED 2, DUMPED 3
    const long long status = property_int(properties, "ExecMainStatus");
    ExitStatus exit;
    if (code == 2 || code == 3) {
      exit.signalled = true;
      exit.signal = static_cast<int>(status);
    } else {
      exit.code = static_cast<int>(status);
    }
    if (code >= 1 && code <= 3) info.last_exit = exit;
  }
  info.restarts = static_cast<int>(property_int(properties, "NRestarts"));
  return info;
}

bool systemd_available(const model::Layout& layout) { return systemd_available(layout, "/"); }

bool systemd_available(const model::Layout& layout, std::string_view filesystem_root) {
  std::string root(filesystem_root);
  while (!root.empty() && root.back() == '/') root.pop_back();
  if (layout.root() != model::Layout::kDefaultRoot) return false;
  if (!is_directory(root + "/run/systemd/system")) return false;
  for (std::string_view dir : {"/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system",
                               "/usr/lib/systemd/system", "/lib/systemd/system"}) {
    if (path_exists(root + std::string(dir) + "/left4me-server@.service")) return true;
  }
  return false;
}

}  // namespace left4me::host
