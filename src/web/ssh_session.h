// SshSession: one long-lived `ssh <host> session` that carries a remote Ctl's short l4d2ctl calls (the host's
// l4d2ctl-remote answers them one by one, remote/session.h), saving the start of ssh, sshd's session and
// l4d2ctl-remote on each call (docs/design.md, "Several hosts: transport"). Thread-safe: it carries one call at
// a time, and a call that finds it busy is not asked (the caller runs it as a single call instead).
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/subprocess.h"

namespace left4me::web {

class SshSession {
 public:
  // argv: ssh's argv up to the destination and the remote command word "session"; env: ssh's environment.
  SshSession(std::vector<std::string> argv, std::vector<std::string> env)
      : argv_(std::move(argv)), env_(std::move(env)) {}
  SshSession(const SshSession&) = delete;
  SshSession& operator=(const SshSession&) = delete;

  // Sends one request (a command line as remote::quote_command writes it) and waits up to timeout for its
  // answer, starting the session first if none runs (or the last one ended). Returns:
  //  - the call's result, as a single call's would be: l4d2ctl's exit code and outputs;
  //  - when the session could not be started or broke (ssh ended, its output ended or was not a frame):
  //    exit code 255 with ssh's stderr (and a last line naming what broke), as a single call whose ssh failed,
  //    so that transport_error reads it the same; the session is ended and the next call starts a new one;
  //  - a timeout error when no answer came in time (the session is ended: the call may still run on the host);
  //  - nullopt when it did not ask: the session is busy with another call, or the host ended the session
  //    without answering (an l4d2ctl-remote without sessions: then none is tried for a minute). The caller
  //    runs the call as a single call.
  std::optional<Result<RunResult>> ask(std::string_view request, std::chrono::milliseconds timeout);

 private:
  Status start();
  void end();
  bool alive();
  Result<RunResult> broken(const std::string& why);
  std::optional<Result<RunResult>> ended();
  std::optional<Result<RunResult>> read_answer(std::chrono::steady_clock::time_point deadline,
                                               std::chrono::milliseconds timeout);
  void read_stderr();

  const std::vector<std::string> argv_;
  const std::vector<std::string> env_;
  std::mutex mutex_;
  std::optional<Subprocess> ssh_;                       // the running session's ssh
  bool answered_ = false;                               // the running session answered a request
  std::string stderr_;                                  // the last of ssh's stderr in this session
  std::chrono::steady_clock::time_point not_before_{};  // no session before then (the host ended one unanswered)
};

}  // namespace left4me::web
