// Ctl: runs l4d2ctl (the web app's only way to act on a host) and parses its JSON: the local binary, or over
// SSH on another host, where the panel's key runs l4d2ctl-remote (docs/design.md, "Several hosts"). Thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/subprocess.h"
#include "web/ssh.h"

namespace left4me::web {

// What `l4d2ctl list --json` says of the host's instances: instance name -> its status object (docs/cli.md).
using StatusMap = std::map<std::string, nlohmann::json>;

class Ctl {
 public:
  // The local l4d2ctl at path, run with env.
  Ctl(std::string path, std::vector<std::string> env) : path_(std::move(path)), env_(std::move(env)) {}
  // A host reached over ssh: runs ssh_argv(settings, target) and one word, the l4d2ctl arguments quoted by
  // remote::quote_command (the host's l4d2ctl-remote splits it back); env is ssh's environment.
  static std::unique_ptr<Ctl> over_ssh(SshSettings settings, SshTarget target, std::vector<std::string> env);

  // The local program's path, or ssh's.
  const std::string& path() const { return path_; }
  bool remote() const { return ssh_.has_value(); }
  // "local" or "user@address:port", for messages.
  std::string describe() const;
  // The argv that runs `l4d2ctl args...` here (locally or through ssh). Fails (invalid-argument) on an
  // argument ssh cannot carry (an empty word, control characters, invalid UTF-8).
  Result<std::vector<std::string>> argv(const std::vector<std::string>& args) const;

  // Runs `l4d2ctl args...` with stdout and stderr merged, calling on_line for each line as it comes;
  // on_spawn gets the child's pid (its process group) while it runs. Fails only if it cannot start.
  Result<ExitStatus> run_streaming(const std::vector<std::string>& args,
                                   const std::function<void(std::string_view)>& on_line,
                                   const std::function<void(pid_t)>& on_spawn = nullptr) const;
  // Runs to completion, capturing output (kTimeout if it takes longer than timeout).
  Result<RunResult> run(const std::vector<std::string>& args, std::chrono::milliseconds timeout) const;
  // Starts `l4d2ctl logs <name> --lines <n> --follow` with stdout piped.
  Result<Subprocess> follow_logs(const std::string& name, int lines) const;
  // `l4d2ctl list --json --players`: instance name -> status object (with the players of each running server).
  // Fails with transport_error's error when ssh could not reach the host.
  Result<StatusMap> list() const;
  // `l4d2ctl initialize <name> -f <spec>`: locally through a 0600 file in scratch_dir (removed after),
  // remotely with `-f -` and the spec on ssh's standard input. Output as run_streaming.
  Result<ExitStatus> initialize(const std::string& instance, std::string_view spec, const std::string& scratch_dir,
                                const std::function<void(std::string_view)>& on_line,
                                const std::function<void(pid_t)>& on_spawn = nullptr) const;

 private:
  struct Ssh {
    SshSettings settings;
    SshTarget target;
  };
  Result<ExitStatus> stream(std::vector<std::string> argv, std::optional<std::string_view> input,
                            const std::function<void(std::string_view)>& on_line,
                            const std::function<void(pid_t)>& on_spawn) const;

  std::string path_;
  std::vector<std::string> env_;
  std::optional<Ssh> ssh_;
};

// ssh exits 255 when it could not connect or the connection broke (l4d2ctl and l4d2ctl-remote never do).
// Returns the transport's error (kUnavailable, naming the host and ssh's last line in output; a changed or
// unconfirmed host key is kPermissionDenied, said plainly: "the host key of <address> changed: ...; confirm
// the new key on the hosts page"), or nullopt when the command ran (and always for a local Ctl). output is what ssh
// wrote on stderr (or the merged output).
std::optional<Error> transport_error(const Ctl& ctl, const ExitStatus& status, std::string_view output);

}  // namespace left4me::web
