#include "base/subprocess.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
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

// What the child's standard descriptors are made of, opened before the child starts: the pipes and pseudo-terminal
// the options ask for, and /dev/null. The parent keeps one end of each, the child the other.
struct ChildStreams {
  std::optional<Pipe> in, out, err;
  UniqueFd pty_master, pty_slave;
  UniqueFd null;
};

Status open_pty(ChildStreams& streams) {
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
  streams.pty_master.reset(master);
  streams.pty_slave.reset(slave);
  return ok_status();
}

Result<ChildStreams> open_streams(const SpawnOptions& options) {
  ChildStreams streams;
  for (auto [mode, pipe] : {std::pair{options.stdin_mode, &streams.in}, std::pair{options.stdout_mode, &streams.out},
                            std::pair{options.stderr_mode, &streams.err}}) {
    if (mode != Stream::kPipe) continue;
    auto made = make_pipe();
    if (!made.ok()) return made.error();
    *pipe = std::move(*made);
  }
  if (options.stdout_mode == Stream::kPty) {
    if (auto opened = open_pty(streams); !opened.ok()) return opened.error();
  }
  streams.null.reset(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!streams.null.valid()) return Error::from_errno("open /dev/null", errno);
  return streams;
}

// argv and envp as execve takes them, pointing into the options. Built before the child starts: it may not
// allocate.
struct ExecArguments {
  std::vector<char*> argv;
  std::vector<char*> envp;
  char** env = environ;  // envp.data(), or ours when the options inherit the environment
};

ExecArguments exec_arguments(SpawnOptions& options) {
  ExecArguments exec;
  for (auto& arg : options.argv) exec.argv.push_back(arg.data());
  exec.argv.push_back(nullptr);
  if (options.env) {
    for (auto& entry : *options.env) exec.envp.push_back(entry.data());
    exec.envp.push_back(nullptr);
    exec.env = exec.envp.data();
  }
  return exec;
}

// ---- The child, until it executes: only async-signal-safe calls, and no change to memory it shares. ----

[[noreturn]] void child_fail(int report_fd, int err) {
  ssize_t ignored = ::write(report_fd, &err, sizeof err);
  (void)ignored;
  ::_exit(127);
}

// The descriptors that become the child's 0, 1 and 2.
struct StdioSources {
  int in = -1;
  int out = STDOUT_FILENO;
  int err = STDERR_FILENO;
};

StdioSources stdio_sources(const SpawnOptions& options, const ChildStreams& streams) {
  StdioSources sources;
  sources.in = streams.null.get();
  if (options.stdin_mode == Stream::kInherit) sources.in = STDIN_FILENO;
  if (options.stdin_mode == Stream::kPipe) sources.in = streams.in->read.get();
  switch (options.stdout_mode) {
    case Stream::kNull:
      sources.out = streams.null.get();
      break;
    case Stream::kPipe:
      sources.out = streams.out->write.get();
      break;
    case Stream::kPty:
      sources.out = streams.pty_slave.get();
      break;
    case Stream::kFd:
      sources.out = options.stdout_target;
      break;
    default:
      break;
  }
  switch (options.stderr_mode) {
    case Stream::kNull:
      sources.err = streams.null.get();
      break;
    case Stream::kPipe:
      sources.err = streams.err->write.get();
      break;
    case Stream::kFd:
      sources.err = options.stderr_target;
      break;
    case Stream::kToStdout:
      sources.err = sources.out;
      break;
    default:
      if (options.stdout_mode == Stream::kPty) sources.err = streams.pty_slave.get();
      break;
  }
  return sources;
}

// Default signal handling and mask, and the process group or session the options ask for. Every signal with a
// handler gets the default before the mask opens (spawn blocked them all): a handler of the parent's must not run
// in the child, which shares the parent's memory until it executes.
void child_reset_signals_and_group(const SpawnOptions& options, int report_fd) {
  for (int s = 1; s < NSIG; ++s) {
    struct sigaction action {};
    if (::sigaction(s, nullptr, &action) != 0) continue;
    bool handled =
        (action.sa_flags & SA_SIGINFO) != 0 || (action.sa_handler != SIG_DFL && action.sa_handler != SIG_IGN);
    if (handled) ::signal(s, SIG_DFL);
  }
  for (int s : {SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGCHLD, SIGQUIT}) ::signal(s, SIG_DFL);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  if (options.group == Group::kNewProcessGroup && ::setpgid(0, 0) != 0) child_fail(report_fd, errno);
  if (options.group == Group::kNewSession && ::setsid() < 0) child_fail(report_fd, errno);
}

// Makes 0, 1 and 2 what the options say (and the pty the controlling terminal); every other descriptor
// but keep_fds closes at exec.
void child_install_descriptors(const SpawnOptions& options, const ChildStreams& streams, int report_fd) {
  StdioSources sources = stdio_sources(options, streams);
  if (options.stdout_mode == Stream::kPty) {
    if (::ioctl(streams.pty_slave.get(), TIOCSCTTY, 0) != 0) child_fail(report_fd, errno);
  }
  // dup2 clears FD_CLOEXEC on the target; a source equal to its target keeps it, so clear it by hand.
  int targets[3] = {sources.in, sources.out, sources.err};
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
}

// The uid and gid the options ask for, then the parent-death signal (a credential change clears it).
void child_set_identity(const SpawnOptions& options, pid_t parent, int report_fd) {
  // The system calls themselves, as posix_spawn's child makes them: glibc's wrappers go through its list of the
  // process's threads to change them all, and this child shares the parent's memory, that list included.
  if (options.gid) {
    if (::syscall(SYS_setgroups, 0, nullptr) != 0 ||
        ::syscall(SYS_setresgid, *options.gid, *options.gid, *options.gid) != 0) {
      child_fail(report_fd, errno);
    }
  }
  if (options.uid && ::syscall(SYS_setresuid, *options.uid, *options.uid, *options.uid) != 0) {
    child_fail(report_fd, errno);
  }
  if (options.kill_with_parent) {
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) child_fail(report_fd, errno);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
  }
}

[[noreturn]] void run_child(const SpawnOptions& options, const ChildStreams& streams, const ExecArguments& exec,
                            pid_t parent, int report_fd) {
  child_reset_signals_and_group(options, report_fd);
  child_install_descriptors(options, streams, report_fd);
  child_set_identity(options, parent, report_fd);
  if (!options.cwd.empty() && ::chdir(options.cwd.c_str()) != 0) child_fail(report_fd, errno);
  if (options.argv[0].find('/') == std::string::npos) {
    ::execvpe(exec.argv[0], exec.argv.data(), exec.env);
  } else {
    ::execve(exec.argv[0], exec.argv.data(), exec.env);
  }
  child_fail(report_fd, errno);
}

#if !defined(__SANITIZE_ADDRESS__)
// What the child runs on its own stack (clone's one argument).
struct ChildStart {
  const SpawnOptions* options;
  const ChildStreams* streams;
  const ExecArguments* exec;
  pid_t parent;
  int report_fd;
};

int child_main(void* start) {
  auto* child = static_cast<ChildStart*>(start);
  run_child(*child->options, *child->streams, *child->exec, child->parent, child->report_fd);
}

// The child's stack while it shares the parent's memory, until it executes. execvpe builds each candidate path
// on it.
constexpr std::size_t kChildStackBytes = 256 * 1024;

#endif

// Starts the child as posix_spawn does: clone(CLONE_VM | CLONE_VFORK), the child on a stack of its own and this
// thread waiting until it has executed or ended. A fork would copy the whole page table of a large parent (the
// web app) for a child that only executes: in a virtual machine that copy, and the child's copy-on-write faults,
// cost milliseconds a call (docs/benchmarks.md, "Several hosts: the dashboard's refresh"). Every signal is
// blocked meanwhile, so none is handled in the child before it resets its handlers.
Result<pid_t> start_child(const SpawnOptions& options, const ChildStreams& streams, const ExecArguments& exec,
                          int report_fd) {
#if defined(__SANITIZE_ADDRESS__)
  // Under AddressSanitizer a child running on a stack of its own in the parent's memory is taken for a stack switch
  // (a warning on the parent's stderr at its first noreturn call, and red zones left marked): the sanitizer build
  // forks, and runs the same child code.
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) return Error::from_errno("fork", errno);
  if (pid == 0) run_child(options, streams, exec, parent, report_fd);
  return pid;
#else
  void* stack =
      ::mmap(nullptr, kChildStackBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return Error::from_errno("mmap the child's stack", errno);
  ChildStart start{&options, &streams, &exec, ::getpid(), report_fd};
  sigset_t all, previous;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &previous);
  pid_t pid =
      ::clone(child_main, static_cast<char*>(stack) + kChildStackBytes, CLONE_VM | CLONE_VFORK | SIGCHLD, &start);
  int saved = errno;
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  ::munmap(stack, kChildStackBytes);
  if (pid < 0) return Error::from_errno("clone", saved);
  return pid;
#endif
}

// ---- The parent, after the child started. ----

// A pidfd for the child; without one the child is killed and reaped.
Result<UniqueFd> open_child_pidfd(pid_t pid) {
  UniqueFd pidfd(pidfd_open(pid));  // safe: the child cannot be reaped before we wait
  if (pidfd.valid()) return pidfd;
  int saved = errno;
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  return Error::from_errno("pidfd_open", saved);
}

// Waits until the child has exec'd (the report pipe closes) or reported why it could not (then it is
// reaped and the error returned).
Status wait_for_exec(pid_t pid, int report_read_fd, const std::string& program) {
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(report_read_fd, &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  if (n != sizeof child_errno) return ok_status();
  int status = 0;
  ::waitpid(pid, &status, 0);
  return Error::from_errno("exec " + program, child_errno);
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
  if (options.stdout_mode == Stream::kPty) options.group = Group::kNewSession;  // a controlling terminal needs one
  auto streams = open_streams(options);
  if (!streams.ok()) return streams.error();
  auto report = make_pipe();
  if (!report.ok()) return report.error();
  ExecArguments exec = exec_arguments(options);

  Result<pid_t> started = start_child(options, *streams, exec, report->write.get());
  if (!started) return started.error();
  pid_t pid = *started;

  auto pidfd = open_child_pidfd(pid);
  if (!pidfd.ok()) return pidfd.error();
  report->write.reset();
  if (auto execed = wait_for_exec(pid, report->read.get(), options.argv[0]); !execed.ok()) return execed.error();
  Subprocess process;
  process.pid_ = pid;
  process.own_group_ = options.group != Group::kSame;
  process.pidfd_ = std::move(*pidfd);
  if (streams->in) process.stdin_ = std::move(streams->in->write);
  if (streams->out) process.stdout_ = std::move(streams->out->read);
  if (streams->err) process.stderr_ = std::move(streams->err->read);
  if (streams->pty_master.valid()) process.stdout_ = std::move(streams->pty_master);
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

Result<UniqueFd> take_stop_signals() {
  ::signal(SIGHUP, SIG_IGN);
  ::signal(SIGPIPE, SIG_IGN);
  sigset_t stop_signals;
  ::sigemptyset(&stop_signals);
  ::sigaddset(&stop_signals, SIGTERM);
  ::sigaddset(&stop_signals, SIGINT);
  ::sigprocmask(SIG_BLOCK, &stop_signals, nullptr);
  UniqueFd signals(::signalfd(-1, &stop_signals, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!signals.valid()) return Error::from_errno("signalfd", errno);
  return signals;
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
