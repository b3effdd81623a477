#include "web/ssh_session.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "remote/session.h"

namespace left4me::web {

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr int kSshFailed = 255;
// How much of ssh's stderr is kept (its last bytes): transport_error reads its last line.
constexpr std::size_t kMaxStderrBytes = 64 * 1024;
// After a host ended a session without answering (it has no sessions), its calls are single calls this long.
constexpr std::chrono::seconds kUnsupportedRetry{60};

// Writes all of data to fd; false if the reader is gone. SIGPIPE is blocked on this thread and a pending one
// taken back, so that it cannot end the process where it is not ignored.
bool write_all(int fd, std::string_view data) {
  sigset_t pipe_signal;
  ::sigemptyset(&pipe_signal);
  ::sigaddset(&pipe_signal, SIGPIPE);
  sigset_t before;
  ::pthread_sigmask(SIG_BLOCK, &pipe_signal, &before);
  bool written = true;
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      written = false;
      break;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  struct timespec now {};
  while (::sigtimedwait(&pipe_signal, nullptr, &now) == SIGPIPE) {
  }
  ::pthread_sigmask(SIG_SETMASK, &before, nullptr);
  return written;
}

}  // namespace

std::optional<Result<RunResult>> SshSession::ask(std::string_view request, milliseconds timeout) {
  std::unique_lock lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return std::nullopt;
  steady_clock::time_point now = steady_clock::now();
  if (now < not_before_) return std::nullopt;
  if (ssh_ && !alive()) end();
  if (!ssh_) {
    if (Status started = start(); !started) return Result<RunResult>(started.error());
  }
  if (!write_all(ssh_->stdin_fd(), std::string(request) + "\n")) return ended();
  return read_answer(now + timeout, timeout);
}

Status SshSession::start() {
  SpawnOptions options;
  options.argv = argv_;
  options.env = env_;
  options.stdin_mode = Stream::kPipe;
  options.stdout_mode = Stream::kPipe;
  options.stderr_mode = Stream::kPipe;
  Result<Subprocess> child = Subprocess::spawn(std::move(options));
  if (!child) return child.error();  // Ctl::run names the program
  for (int fd : {child->stdout_fd(), child->stderr_fd()}) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  ssh_ = std::move(*child);
  answered_ = false;
  stderr_.clear();
  return ok_status();
}

void SshSession::end() { ssh_.reset(); }  // Subprocess's destructor kills ssh's group and reaps it

// A session between calls has nothing to say: output (or its end) or ssh's own end means it is gone.
bool SshSession::alive() {
  struct pollfd watched[2] = {{ssh_->stdout_fd(), POLLIN, 0}, {ssh_->pidfd(), POLLIN, 0}};
  return ::poll(watched, 2, 0) == 0;
}

void SshSession::read_stderr() {
  char chunk[4096];
  ssize_t n = 0;
  while ((n = ::read(ssh_->stderr_fd(), chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) stderr_.append(chunk, static_cast<std::size_t>(n));
  }
  if (stderr_.size() > kMaxStderrBytes) stderr_.erase(0, stderr_.size() - kMaxStderrBytes);
}

Result<RunResult> SshSession::broken(const std::string& why) {
  if (ssh_) read_stderr();
  RunResult result;
  result.status = ExitStatus{kSshFailed};
  result.err = stderr_;
  if (!result.err.empty() && result.err.back() != '\n') result.err += '\n';
  result.err += "ssh session: " + why + "\n";
  end();
  return result;
}

// ssh's output ended: how ssh ended tells whether the host has no sessions (it refused "session" before
// answering anything: the call goes as a single call) or the session broke (a single call's ssh failing).
std::optional<Result<RunResult>> SshSession::ended() {
  Result<std::optional<ExitStatus>> waited = ssh_->wait(milliseconds(2000));
  read_stderr();
  if (!waited || !*waited) return broken("its output ended, and ssh did not");
  ExitStatus status = **waited;
  if (!status.signalled && status.code != kSshFailed && !answered_) {
    not_before_ = steady_clock::now() + kUnsupportedRetry;
    end();
    return std::nullopt;
  }
  if (!status.signalled && status.code == kSshFailed && !stderr_.empty()) {
    RunResult result{status, "", stderr_};
    end();
    return result;
  }
  return broken("it ended (ssh " + status.describe() + ")");
}

std::optional<Result<RunResult>> SshSession::read_answer(steady_clock::time_point deadline, milliseconds timeout) {
  std::string buffer;
  while (true) {
    Result<std::optional<remote::Answer>> taken = remote::take_answer(buffer);
    if (!taken) return broken(taken.error().message());
    if (*taken) {
      if (!buffer.empty()) return broken("session answer: more bytes than its header announced");
      answered_ = true;
      remote::Answer& answer = **taken;
      return RunResult{ExitStatus{answer.exit_code}, std::move(answer.out), std::move(answer.err)};
    }
    auto left = std::chrono::ceil<milliseconds>(deadline - steady_clock::now());
    if (left.count() <= 0) {
      end();
      return Result<RunResult>(Error::timeout(argv_.front() + ": timed out after " + std::to_string(timeout.count()) +
                                              " ms (the session was ended)"));
    }
    struct pollfd watched[2] = {{ssh_->stdout_fd(), POLLIN, 0}, {ssh_->stderr_fd(), POLLIN, 0}};
    if (::poll(watched, 2, static_cast<int>(left.count())) < 0 && errno != EINTR) {
      return broken(std::string("poll: ") + std::strerror(errno));
    }
    if (watched[1].revents != 0) read_stderr();
    if (watched[0].revents == 0) continue;
    char chunk[65536];
    ssize_t n = ::read(ssh_->stdout_fd(), chunk, sizeof chunk);
    if (n == 0) return ended();
    if (n < 0 && errno != EINTR && errno != EAGAIN) return broken(std::string("read: ") + std::strerror(errno));
    if (n > 0) buffer.append(chunk, static_cast<std::size_t>(n));
  }
}

}  // namespace left4me::web
