// Subprocess: a child process held by a pidfd, with output captured, streamed,
// sent to a file, or run under a pseudo-terminal. One owner; not synchronized.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"

namespace left4me {

// How a child's exit looked. Exactly one of exited/signalled holds once it ended.
struct ExitStatus {
  int code = 0;    // exit code when exited
  int signal = 0;  // terminating signal when signalled
  bool signalled = false;

  bool success() const { return !signalled && code == 0; }
  // Shell convention: code, or 128 + signal.
  int shell_code() const { return signalled ? 128 + signal : code; }
  std::string describe() const;  // "exit code 3", "killed by SIGKILL"
};

enum class Stream {
  kInherit,   // the parent's descriptor
  kNull,      // /dev/null
  kPipe,      // a pipe the parent reads (stdout_fd()/stderr_fd())
  kPty,       // stdout only: a pseudo-terminal; stderr goes to it too unless kNull/kPipe
  kFd,        // a descriptor given in SpawnOptions (stdout_target/stderr_target)
  kToStdout,  // stderr only: same place as stdout
};

enum class Group {
  kSame,             // stay in the parent's process group
  kNewProcessGroup,  // setpgid(0, 0): signal_group() reaches its descendants
  kNewSession,       // setsid(): also detaches from the controlling terminal
};

struct SpawnOptions {
  std::vector<std::string> argv;                // argv[0] is searched in PATH if it has no '/'
  std::optional<std::vector<std::string>> env;  // full "KEY=VALUE" list; nullopt inherits
  std::string cwd;                              // empty: the parent's
  Stream stdin_mode = Stream::kNull;            // kNull, kInherit or kPipe
  Stream stdout_mode = Stream::kInherit;
  Stream stderr_mode = Stream::kInherit;
  int stdout_target = -1;  // for kFd
  int stderr_target = -1;  // for kFd
  Group group = Group::kNewProcessGroup;
  std::vector<int> keep_fds;      // extra descriptors the child keeps; it gets no others
  bool kill_with_parent = false;  // SIGKILL the child if the spawning thread dies
  std::optional<uid_t> uid;       // run as this uid (and gid = *gid), with no
  std::optional<gid_t> gid;       // supplementary groups; needs privilege
};

class Subprocess {
 public:
  // Starts the child. Fails (and leaves nothing running) if exec fails, with exec's errno.
  static Result<Subprocess> spawn(SpawnOptions options);

  Subprocess(Subprocess&& other) noexcept;
  Subprocess& operator=(Subprocess&& other) noexcept;
  // A child still running when its owner goes away is killed (whole group) and reaped.
  ~Subprocess();

  pid_t pid() const { return pid_; }
  int pidfd() const { return pidfd_.get(); }
  // Read ends of piped/pty output; -1 if not piped. The pty master is stdout_fd().
  int stdout_fd() const { return stdout_.get(); }
  int stderr_fd() const { return stderr_.get(); }
  int stdin_fd() const { return stdin_.get(); }
  void close_stdin() { stdin_.reset(); }
  // Lets the child run on after this object is gone: it is neither killed nor reaped here
  // (it is reaped by init once this process exits).
  void detach() { pid_ = -1; }
  bool finished() const { return status_.has_value(); }

  // Waits for the child to end, up to timeout (nullopt: forever).
  // Returns its status, or nullopt if it is still running when the timeout passes.
  Result<std::optional<ExitStatus>> wait(std::optional<std::chrono::milliseconds> timeout);
  // Sends a signal to the child (through the pidfd: never to a recycled pid).
  Status signal(int signal_number);
  // Sends a signal to the child's process group (kNewProcessGroup/kNewSession only).
  Status signal_group(int signal_number);
  // SIGTERM (or the given signal) to the group, wait up to grace, then SIGKILL the group.
  Result<ExitStatus> terminate(int first_signal, std::chrono::milliseconds grace);

 private:
  Subprocess() = default;
  void reap_if_running();
  pid_t pid_ = -1;
  bool own_group_ = false;
  UniqueFd pidfd_;
  UniqueFd stdin_;
  UniqueFd stdout_;
  UniqueFd stderr_;
  std::optional<ExitStatus> status_;
};

struct RunOptions {
  std::optional<std::vector<std::string>> env;
  std::string cwd;
  std::optional<std::chrono::milliseconds> timeout;  // then the group is killed: Error kTimeout
  std::string stdin_data;
  bool merge_stderr = false;  // stderr into stdout
};

struct RunResult {
  ExitStatus status;
  std::string out;
  std::string err;
};

// Runs argv to completion, capturing stdout and stderr.
// Fails only if it cannot start or times out; a non-zero exit is a RunResult.
Result<RunResult> run(const std::vector<std::string>& argv, const RunOptions& options = {});

// For a detached daemon of ours (the built-in supervisor, the health monitor): ignores SIGHUP and SIGPIPE,
// blocks SIGTERM and SIGINT and returns a signalfd (non-blocking, close-on-exec) that is readable once one of
// them arrives.
Result<UniqueFd> take_stop_signals();

// Reads from fd, calling on_line for each non-empty line; both "\n" and "\r" end a line
// until EOF (or EIO, as a pty master reports when the child side closes).
// A trailing partial line is delivered at the end. Returns the read error, if any.
Status read_lines(int fd, const std::function<void(std::string_view)>& on_line);

}  // namespace left4me
