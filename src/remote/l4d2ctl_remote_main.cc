// l4d2ctl-remote: the forced command of the panel's SSH key on a host (authorized_keys
// `restrict,command="/opt/left4me/bin/l4d2ctl-remote"`, written by `left4me host-authorize`). It runs the
// l4d2ctl command named in SSH_ORIGINAL_COMMAND, checked by remote_command.h, as the user the key logs
// in as, with a fixed environment; a spec arrives on standard input and reaches l4d2ctl as a sealed
// in-memory file; a `logs --follow` runs as its child, ended when the panel stops reading. Exit codes are
// l4d2ctl's; a refused command line exits 2 with one line on stderr.
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
#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "remote/remote_command.h"

namespace {

using left4me::Error;
using left4me::Result;
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

}  // namespace

int main() {
  const char* line = std::getenv("SSH_ORIGINAL_COMMAND");
  if (line == nullptr) return refuse("no command: this key runs l4d2ctl commands only (docs/cli.md)");
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
