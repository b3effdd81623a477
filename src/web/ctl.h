// Ctl: runs the l4d2ctl binary (the web app's only way to act on the host) and parses its JSON. Thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/subprocess.h"

namespace left4me::web {

// What `l4d2ctl list --json` says of the host's instances: instance name -> its status object (docs/cli.md).
using StatusMap = std::map<std::string, nlohmann::json>;

class Ctl {
 public:
  Ctl(std::string path, std::vector<std::string> env) : path_(std::move(path)), env_(std::move(env)) {}

  const std::string& path() const { return path_; }
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
  Result<StatusMap> list() const;

 private:
  std::string path_;
  std::vector<std::string> env_;
};

}  // namespace left4me::web
