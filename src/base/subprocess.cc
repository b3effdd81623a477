#include "base/subprocess.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

extern char** environ;

namespace left4me {
namespace {

int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

int pidfd_send_signal(int pidfd, int signal_number) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, signal_number, nullptr, 0));
}

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

Result<Pipe> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Error::from_errno("pipe2", errno);
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// Only async-signal-safe calls between fork and exec.
[[noreturn]] void child_fail(int report_fd, int err) {
  ssize_t ignored = ::write(report_fd, &err, sizeof err);
  (void)ignored;
  ::_exit(127);
}

}  // namespace

std::string ExitStatus::describe() const {
  if (signalled) {
    const char* name = sigabbrev_np(signal);
    return std::string("killed by SIG") + (name != nullptr ? name : std::to_string(signal).c_str());
  }
  return "exit code " + std::to_string(code);
}

Result<Subprocess> Subprocess::spawn(SpawnOptions options) {
  if (options.argv.empty()) return Error::invalid("spawn: empty argv");

  std::optional<Pipe> in, out, err;
  UniqueFd pty_master, pty_slave;
  if (options.stdin_mode == Stream::kPipe) {
    auto pipe = make_pipe();
    if (!pipe.ok()) return pipe.error();
    in = std::move(*pipe);
  }
  if (options.stdout_mode == Stream::kPipe) {
    auto pipe = make_pipe();
    if (!pipe.ok()) return pipe.error();
    out = std::move(*pipe);
  }
  if (options.stderr_mode == Stream::kPipe) {
    auto pipe = make_pipe();
    if (!pipe.ok()) return pipe.error();
    err = std::move(*pipe);
  }
  if (options.stdout_mode == Stream::kPty) {
    int master = -1, slave = -1;
    struct termios raw {};
    ::cfmakeraw(&raw);
    raw.c_oflag |= OPOST;  // keep output processing off except what cfmakeraw left
    raw.c_oflag &= ~static_cast<tcflag_t>(ONLCR);
    struct winsize size {};
    size.ws_col = 120;
    size.ws_row = 40;
    if (::openpty(&master, &slave, nullptr, &raw, &size) != 0) return Error::from_errno("openpty", errno);
    ::fcntl(master, F_SETFD, FD_CLOEXEC);
    ::fcntl(slave, F_SETFD, FD_CLOEXEC);
    pty_master.reset(master);
    pty_slave.reset(slave);
    options.group = Group::kNewSession;  // a controlling terminal needs its own session
  }
  auto report = make_pipe();
  if (!report.ok()) return report.error();

  // Prepare everything that allocates before fork.
  std::vector<char*> argv;
  for (auto& arg : options.argv) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  if (options.env) {
    for (auto& entry : *options.env) envp.push_back(entry.data());
    envp.push_back(nullptr);
  }
  char** child_env = options.env ? envp.data() : environ;
  int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd < 0) return Error::from_errno("open /dev/null", errno);
  UniqueFd null_guard(null_fd);

  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) return Error::from_errno("fork", errno);
  if (pid == 0) {
    int report_fd = report->write.get();
    sigset_t all;
    ::sigemptyset(&all);
    ::sigprocmask(SIG_SETMASK, &all, nullptr);
    for (int s : {SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGCHLD, SIGQUIT}) ::signal(s, SIG_DFL);
    if (options.group == Group::kNewProcessGroup && ::setpgid(0, 0) != 0) child_fail(report_fd, errno);
    if (options.group == Group::kNewSession && ::setsid() < 0) child_fail(report_fd, errno);

    int stdin_source = null_fd;
    if (options.stdin_mode == Stream::kInherit) stdin_source = STDIN_FILENO;
    if (options.stdin_mode == Stream::kPipe) stdin_source = in->read.get();

    int stdout_source = STDOUT_FILENO;
    switch (options.stdout_mode) {
      case Stream::kNull:
        stdout_source = null_fd;
        break;
      case Stream::kPipe:
        stdout_source = out->write.get();
        break;
      case Stream::kPty:
        stdout_source = pty_slave.get();
        break;
      case Stream::kFd:
        stdout_source = options.stdout_target;
        break;
      default:
        break;
    }
    int stderr_source = STDERR_FILENO;
    switch (options.stderr_mode) {
      case Stream::kNull:
        stderr_source = null_fd;
        break;
      case Stream::kPipe:
        stderr_source = err->write.get();
        break;
      case Stream::kFd:
        stderr_source = options.stderr_target;
        break;
      case Stream::kToStdout:
        stderr_source = stdout_source;
        break;
      default:
        if (options.stdout_mode == Stream::kPty) stderr_source = pty_slave.get();
        break;
    }
    if (options.stdout_mode == Stream::kPty) {
      if (::ioctl(pty_slave.get(), TIOCSCTTY, 0) != 0) child_fail(report_fd, errno);
    }
    // dup2 clears FD_CLOEXEC on the target; a source equal to its target keeps it, so clear it by hand.
    int targets[3] = {stdin_source, stdout_source, stderr_source};
    for (int target = 0; target < 3; ++target) {
      if (targets[target] == target) {
        ::fcntl(target, F_SETFD, 0);
      } else if (::dup2(targets[target], target) < 0) {
        child_fail(report_fd, errno);
      }
    }
    // Descriptors inherited without close-on-exec (a library's sockets, say) must not outlive us in a
    // daemon the child may start: a listening socket held by a server would keep the port after we exit.
    if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) child_fail(report_fd, errno);
    for (int fd : options.keep_fds) ::fcntl(fd, F_SETFD, 0);
    if (options.gid) {
      if (::setgroups(0, nullptr) != 0 || ::setresgid(*options.gid, *options.gid, *options.gid) != 0) {
        child_fail(report_fd, errno);
      }
    }
    if (options.uid && ::setresuid(*options.uid, *options.uid, *options.uid) != 0) child_fail(report_fd, errno);
    // After the credential change, which would clear it.
    if (options.kill_with_parent) {
      if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) child_fail(report_fd, errno);
      if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
    }
    if (!options.cwd.empty() && ::chdir(options.cwd.c_str()) != 0) child_fail(report_fd, errno);
    if (options.argv[0].find('/') == std::string::npos) {
      ::execvpe(argv[0], argv.data(), child_env);
    } else {
      ::execve(argv[0], argv.data(), child_env);
    }
    child_fail(report_fd, errno);
  }

  Subprocess process;
  process.pid_ = pid;
  process.own_group_ = options.group != Group::kSame;
  process.pidfd_.reset(pidfd_open(pid));  // safe: the child cannot be reaped before we wait
  if (!process.pidfd_.valid()) {
    int saved = errno;
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    process.pid_ = -1;
    return Error::from_errno("pidfd_open", saved);
  }
  report->write.reset();
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(report->read.get(), &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  if (n == sizeof child_errno) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    process.pid_ = -1;
    process.pidfd_.reset();
    return Error::from_errno("exec " + options.argv[0], child_errno);
  }
  if (in) process.stdin_ = std::move(in->write);
  if (out) process.stdout_ = std::move(out->read);
  if (err) process.stderr_ = std::move(err->read);
  if (pty_master.valid()) process.stdout_ = std::move(pty_master);
  return process;
}

Subprocess::Subprocess(Subprocess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      own_group_(other.own_group_),
      pidfd_(std::move(other.pidfd_)),
      stdin_(std::move(other.stdin_)),
      stdout_(std::move(other.stdout_)),
      stderr_(std::move(other.stderr_)),
      status_(std::exchange(other.status_, std::nullopt)) {}

Subprocess& Subprocess::operator=(Subprocess&& other) noexcept {
  if (this != &other) {
    reap_if_running();
    pid_ = std::exchange(other.pid_, -1);
    own_group_ = other.own_group_;
    pidfd_ = std::move(other.pidfd_);
    stdin_ = std::move(other.stdin_);
    stdout_ = std::move(other.stdout_);
    stderr_ = std::move(other.stderr_);
    status_ = std::exchange(other.status_, std::nullopt);
  }
  return *this;
}

Subprocess::~Subprocess() { reap_if_running(); }

void Subprocess::reap_if_running() {
  if (pid_ > 0 && !status_) {
    if (own_group_) ::kill(-pid_, SIGKILL);
    if (pidfd_.valid()) pidfd_send_signal(pidfd_.get(), SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

Result<std::optional<ExitStatus>> Subprocess::wait(std::optional<std::chrono::milliseconds> timeout) {
  if (status_) return status_;
  if (pid_ <= 0) return Error::invalid("wait: no process");
  auto deadline = timeout ? std::chrono::steady_clock::now() + *timeout : std::chrono::steady_clock::time_point::max();
  while (true) {
    int wait_ms = -1;
    if (timeout) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      wait_ms = left.count() < 0 ? 0 : static_cast<int>(left.count());
    }
    struct pollfd poll_fd {
      pidfd_.get(), POLLIN, 0
    };
    int ready = ::poll(&poll_fd, 1, wait_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return Error::from_errno("poll pidfd", errno);
    }
    if (ready == 0) return std::optional<ExitStatus>();
    siginfo_t info{};
    if (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd_.get()), &info, WEXITED) != 0) {
      if (errno == EINTR) continue;
      return Error::from_errno("waitid", errno);
    }
    ExitStatus status;
    if (info.si_code == CLD_EXITED) {
      status.code = info.si_status;
    } else {
      status.signalled = true;
      status.signal = info.si_status;
    }
    status_ = status;
    return status_;
  }
}

Status Subprocess::signal(int signal_number) {
  if (status_) return ok_status();
  if (pidfd_send_signal(pidfd_.get(), signal_number) != 0 && errno != ESRCH) {
    return Error::from_errno("pidfd_send_signal", errno);
  }
  return ok_status();
}

Status Subprocess::signal_group(int signal_number) {
  if (!own_group_) return signal(signal_number);
  if (::kill(-pid_, signal_number) != 0 && errno != ESRCH) return Error::from_errno("kill group", errno);
  return ok_status();
}

Result<ExitStatus> Subprocess::terminate(int first_signal, std::chrono::milliseconds grace) {
  if (auto sent = signal_group(first_signal); !sent.ok()) return sent.error();
  auto waited = wait(grace);
  if (!waited.ok()) return waited.error();
  if (waited->has_value()) {
    if (own_group_) ::kill(-pid_, SIGKILL);  // stragglers left in the group
    return **waited;
  }
  if (auto sent = signal_group(SIGKILL); !sent.ok()) return sent.error();
  (void)signal(SIGKILL);
  auto killed = wait(std::nullopt);
  if (!killed.ok()) return killed.error();
  return **killed;
}

Result<RunResult> run(const std::vector<std::string>& argv, const RunOptions& options) {
  SpawnOptions spawn_options;
  spawn_options.argv = argv;
  spawn_options.env = options.env;
  spawn_options.cwd = options.cwd;
  spawn_options.stdin_mode = options.stdin_data.empty() ? Stream::kNull : Stream::kPipe;
  spawn_options.stdout_mode = Stream::kPipe;
  spawn_options.stderr_mode = options.merge_stderr ? Stream::kToStdout : Stream::kPipe;
  auto process = Subprocess::spawn(std::move(spawn_options));
  if (!process.ok()) return process.error();

  RunResult result;
  size_t stdin_done = 0;
  auto deadline = options.timeout ? std::chrono::steady_clock::now() + *options.timeout
                                  : std::chrono::steady_clock::time_point::max();
  if (process->stdin_fd() >= 0) ::fcntl(process->stdin_fd(), F_SETFL, O_NONBLOCK);
  bool out_open = true, err_open = process->stderr_fd() >= 0;
  while (out_open || err_open) {
    std::vector<struct pollfd> fds;
    if (out_open) fds.push_back({process->stdout_fd(), POLLIN, 0});
    if (err_open) fds.push_back({process->stderr_fd(), POLLIN, 0});
    if (process->stdin_fd() >= 0) fds.push_back({process->stdin_fd(), POLLOUT, 0});
    int wait_ms = -1;
    if (options.timeout) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        (void)process->terminate(SIGKILL, std::chrono::milliseconds(0));
        return Error::timeout(argv[0] + ": timed out after " + std::to_string(options.timeout->count()) + " ms");
      }
      wait_ms = static_cast<int>(left.count());
    }
    int ready = ::poll(fds.data(), fds.size(), wait_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return Error::from_errno("poll", errno);
    }
    for (auto& poll_fd : fds) {
      if (poll_fd.revents == 0) continue;
      if (poll_fd.fd == process->stdin_fd()) {
        ssize_t n = ::write(poll_fd.fd, options.stdin_data.data() + stdin_done, options.stdin_data.size() - stdin_done);
        if (n > 0) stdin_done += static_cast<size_t>(n);
        if (n < 0 && errno != EAGAIN && errno != EINTR) stdin_done = options.stdin_data.size();
        if (stdin_done == options.stdin_data.size()) process->close_stdin();
        continue;
      }
      char buffer[65536];
      ssize_t n = ::read(poll_fd.fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      bool is_out = poll_fd.fd == process->stdout_fd();
      if (n <= 0) {
        (is_out ? out_open : err_open) = false;
        continue;
      }
      (is_out ? result.out : result.err).append(buffer, static_cast<size_t>(n));
    }
  }
  std::optional<std::chrono::milliseconds> left;
  if (options.timeout) {
    left = std::max(std::chrono::milliseconds(0),
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
  }
  auto waited = process->wait(left);
  if (!waited.ok()) return waited.error();
  if (!waited->has_value()) {
    (void)process->terminate(SIGKILL, std::chrono::milliseconds(0));
    return Error::timeout(argv[0] + ": timed out");
  }
  result.status = **waited;
  return result;
}

Status read_lines(int fd, const std::function<void(std::string_view)>& on_line) {
  std::string pending;
  char buffer[16384];
  while (true) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EIO) break;  // pty master after the child side closed
      return Error::from_errno("read", errno);
    }
    if (n == 0) break;
    pending.append(buffer, static_cast<size_t>(n));
    size_t start = 0;
    while (true) {
      size_t end = pending.find_first_of("\r\n", start);
      if (end == std::string::npos) break;
      if (end > start) on_line(std::string_view(pending).substr(start, end - start));
      start = end + 1;
    }
    pending.erase(0, start);
  }
  if (!pending.empty()) on_line(pending);
  return ok_status();
}

}  // namespace left4me
