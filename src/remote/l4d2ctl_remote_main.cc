// l4d2ctl-remote: the forced command of the panel's SSH key on a host (authorized_keys
// `restrict,command="/opt/left4me/bin/l4d2ctl-remote"`, written by `left4me host-authorize`). It runs the
// l4d2ctl command named in SSH_ORIGINAL_COMMAND, checked by remote_command.h, as the user the key logs
// in as, with a fixed environment; a spec arrives on standard input and reaches l4d2ctl as a sealed
// in-memory file; a `logs --follow` runs as its child, ended when the panel stops reading. Exit codes are
// l4d2ctl's; a refused command line exits 2 with one line on stderr. SSH_ORIGINAL_COMMAND "session" runs many
// calls, one request line each, through the same checks (remote/session.h; docs/design.md, "Several hosts:
// transport").
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "remote/remote_command.h"
#include "remote/session.h"

namespace {

using left4me::Error;
using left4me::Result;
using left4me::Status;
using left4me::UniqueFd;
using namespace left4me::remote;

constexpr int kExitUsage = 2;
constexpr int kExitFailure = 1;

int refuse(const std::string& message) {
  std::cerr << "l4d2ctl-remote: " << message << "\n";
  return kExitUsage;
}

// Copies standard input, at most kMaxSpecBytes, into a sealed memfd that l4d2ctl inherits.
Result<UniqueFd> spec_from_standard_input() {
  UniqueFd memory(::memfd_create("spec.yaml", MFD_ALLOW_SEALING));
  if (!memory.valid()) return Error::from_errno("memfd_create", errno);
  std::size_t total = 0;
  char buffer[65536];
  while (true) {
    ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("read the spec from standard input", errno);
    if (n == 0) break;
    total += static_cast<std::size_t>(n);
    if (total > kMaxSpecBytes) {
      return Error::invalid("the spec is larger than " + std::to_string(kMaxSpecBytes) + " bytes");
    }
    if (::write(memory.get(), buffer, static_cast<std::size_t>(n)) != n) {
      return Error::from_errno("write the spec", errno);
    }
  }
  if (::fcntl(memory.get(), F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) != 0) {
    return Error::from_errno("seal the spec", errno);
  }
  return memory;
}

// l4d2ctl beside this program (both are installed in /opt/left4me/bin).
Result<std::string> l4d2ctl_path() {
  char self[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return Error::from_errno("readlink /proc/self/exe", errno);
  std::string path(self, static_cast<std::size_t>(n));
  return path.substr(0, path.rfind('/') + 1) + "l4d2ctl";
}

// What l4d2ctl sees: a fixed PATH and locale, the home of the key's user, and LEFT4ME_HOST_ENV when the
// host's sshd sets it (SetEnv; a client cannot: `restrict` and sshd's AcceptEnv do not let it through).
std::vector<std::string> environment() {
  std::vector<std::string> values = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                     "LANG=C.UTF-8"};
  for (const char* key : {"HOME", "LEFT4ME_HOST_ENV"}) {
    if (const char* value = std::getenv(key)) values.push_back(std::string(key) + "=" + value);
  }
  return values;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> result;
  for (auto& s : strings) result.push_back(s.data());
  result.push_back(nullptr);
  return result;
}

// Runs a follower (Lifetime::kWhileRead) as a child writing to this standard output, and ends it (SIGTERM,
// as an interrupt ends `l4d2ctl logs --follow`) once the output's reader is gone: sshd closes the session's
// output when the panel's ssh goes, and sends no signal. Returns the exit code to leave with.
int run_while_read(const std::string& program, std::vector<std::string>& argv, std::vector<std::string>& env) {
  pid_t child = ::fork();
  if (child < 0) return refuse(std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    ::execve(program.c_str(), pointers(argv).data(), pointers(env).data());
    std::cerr << "l4d2ctl-remote: run " << program << ": " << std::strerror(errno) << "\n";
    ::_exit(kExitFailure);
  }
  UniqueFd child_fd(static_cast<int>(::syscall(SYS_pidfd_open, child, 0)));
  // Only hang-ups and errors are asked of the output (events 0): a reader that goes shows as either.
  struct pollfd watched[2] = {{STDOUT_FILENO, 0, 0}, {child_fd.get(), POLLIN, 0}};
  while (child_fd.valid() && ::poll(watched, 2, -1) < 0 && errno == EINTR) {
  }
  if (child_fd.valid() && (watched[1].revents & POLLIN) == 0) ::kill(child, SIGTERM);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

// Reads the session's requests from standard input, one line each.
class RequestReader {
 public:
  // The next line without its newline; nullopt at the end of input (a last line without a newline is
  // dropped: the panel always ends its requests). A line longer than kMaxCommandBytes comes back cut to
  // kMaxCommandBytes + 1 bytes, which split_command refuses as it refuses such a single call; the rest of it is
  // skipped.
  std::optional<std::string> next() {
    std::size_t searched = 0;
    while (true) {
      std::size_t newline = buffer_.find('\n', searched);
      if (newline != std::string::npos) {
        std::string line = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 1);
        if (overlong_) {
          overlong_ = false;
          return std::string(kMaxCommandBytes + 1, 'x');
        }
        return line;
      }
      if (buffer_.size() > kMaxCommandBytes) {
        overlong_ = true;
        buffer_.clear();
      }
      searched = buffer_.size();
      char chunk[65536];
      ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

 private:
  std::string buffer_;
  bool overlong_ = false;
};

Answer refused_answer(const std::string& message) {
  return Answer{kExitUsage, "", "l4d2ctl-remote: " + message + "\n"};
}

// Reads what is there on fd into into (non-blocking reads); false once it reached the end.
bool drain(int fd, std::string& into) {
  char chunk[65536];
  while (true) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno == EAGAIN;
    if (n == 0) return false;
    into.append(chunk, static_cast<std::size_t>(n));
    if (into.size() > kMaxAnswerOutputBytes) return true;
  }
}

// Runs l4d2ctl to its end with standard input on /dev/null (the session's input holds the next requests) and
// its stdout and stderr captured, each at most kMaxAnswerOutputBytes (beyond that it is killed and the answer
// says so). The output is read until l4d2ctl has ended and its pipes are empty: a daemon it started may hold
// them on.
Answer run_captured(const std::string& program, std::vector<std::string>& argv, std::vector<std::string>& env) {
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
    return refused_answer(std::string("pipe: ") + std::strerror(errno));
  UniqueFd out_read(out_pipe[0]), out_write(out_pipe[1]);
  if (::pipe2(err_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
    return refused_answer(std::string("pipe: ") + std::strerror(errno));
  UniqueFd err_read(err_pipe[0]), err_write(err_pipe[1]);
  pid_t child = ::fork();
  if (child < 0) return refused_answer(std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    int null = ::open("/dev/null", O_RDONLY);
    if (null < 0 || ::dup2(null, STDIN_FILENO) < 0) ::_exit(kExitFailure);
    ::fcntl(out_write.get(), F_SETFL, 0);
    ::fcntl(err_write.get(), F_SETFL, 0);
    if (::dup2(out_write.get(), STDOUT_FILENO) < 0 || ::dup2(err_write.get(), STDERR_FILENO) < 0) ::_exit(kExitFailure);
    ::execve(program.c_str(), pointers(argv).data(), pointers(env).data());
    std::cerr << "l4d2ctl-remote: run " << program << ": " << std::strerror(errno) << "\n";
    ::_exit(kExitFailure);
  }
  out_write.reset();
  err_write.reset();
  UniqueFd child_fd(static_cast<int>(::syscall(SYS_pidfd_open, child, 0)));
  Answer answer;
  bool out_open = true, err_open = true, ended = !child_fd.valid();
  while ((out_open || err_open) && !ended) {
    struct pollfd watched[3] = {{out_read.get(), static_cast<short>(out_open ? POLLIN : 0), 0},
                                {err_read.get(), static_cast<short>(err_open ? POLLIN : 0), 0},
                                {child_fd.get(), POLLIN, 0}};
    if (::poll(watched, 3, -1) < 0 && errno != EINTR) break;
    if (out_open && watched[0].revents != 0) out_open = drain(out_read.get(), answer.out);
    if (err_open && watched[1].revents != 0) err_open = drain(err_read.get(), answer.err);
    ended = (watched[2].revents & POLLIN) != 0;
    if (answer.out.size() > kMaxAnswerOutputBytes || answer.err.size() > kMaxAnswerOutputBytes) break;
  }
  if (out_open) drain(out_read.get(), answer.out);
  if (err_open) drain(err_read.get(), answer.err);
  bool too_much = answer.out.size() > kMaxAnswerOutputBytes || answer.err.size() > kMaxAnswerOutputBytes;
  if (too_much) ::kill(child, SIGKILL);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (too_much) {
    return Answer{kExitFailure, "",
                  "l4d2ctl-remote: '" + argv[1] + "' wrote more than " + std::to_string(kMaxAnswerOutputBytes) +
                      " bytes on one output, more than a session answer carries; it was ended (run it as a single "
                      "call)\n"};
  }
  answer.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return answer;
}

// One request of a session: the same checks as a single call's, then only what runs to completion without a
// spec.
Answer answer_request(const std::string& line, const std::string& program, std::vector<std::string>& env) {
  auto words = split_command(line);
  if (!words.ok()) return refused_answer(words.error().message());
  auto call = check_call(*words);
  if (!call.ok()) return refused_answer(call.error().message());
  if (Status allowed = check_session_call(*call); !allowed.ok()) return refused_answer(allowed.error().message());
  std::vector<std::string> argv = {program};
  argv.insert(argv.end(), call->args.begin(), call->args.end());
  return run_captured(program, argv, env);
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Answers requests until standard input ends (exit 0), or the answers' reader is gone.
int run_session() {
  auto program = l4d2ctl_path();
  if (!program.ok()) return refuse(program.error().message());
  std::vector<std::string> env = environment();
  RequestReader requests;
  while (std::optional<std::string> line = requests.next()) {
    if (!write_all(STDOUT_FILENO, encode_answer(answer_request(*line, *program, env)))) return kExitFailure;
  }
  return 0;
}

}  // namespace

int main() {
  const char* line = std::getenv("SSH_ORIGINAL_COMMAND");
  if (line == nullptr) return refuse("no command: this key runs l4d2ctl commands only (docs/cli.md)");
  if (std::string_view(line) == kSessionCommand) return run_session();
  auto words = split_command(line);
  if (!words.ok()) return refuse(words.error().message());
  auto call = check_call(*words);
  if (!call.ok()) return refuse(call.error().message());
  UniqueFd spec;
  if (call->spec == SpecInput::kStandardInput) {
    auto memory = spec_from_standard_input();
    if (!memory.ok()) return refuse(memory.error().message());
    spec = std::move(*memory);
    for (auto& arg : call->args) {
      if (arg == kSpecPlaceholder) arg = "/proc/self/fd/" + std::to_string(spec.get());
    }
  }
  auto program = l4d2ctl_path();
  if (!program.ok()) return refuse(program.error().message());
  std::vector<std::string> argv = {*program};
  argv.insert(argv.end(), call->args.begin(), call->args.end());
  std::vector<std::string> env = environment();
  if (call->lifetime == Lifetime::kWhileRead) return run_while_read(*program, argv, env);
  ::execve(program->c_str(), pointers(argv).data(), pointers(env).data());
  std::cerr << "l4d2ctl-remote: run " << *program << ": " << std::strerror(errno) << "\n";
  return kExitFailure;
}
