// Ctl: runs the l4d2ctl binary (the web app's only way to act on the host) and parses its JSON.
// StatusCache keeps `l4d2ctl list --json` briefly so busy pages do not spawn one process per viewer.
// Both are thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/subprocess.h"

namespace left4me::web {

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
  // `l4d2ctl list --json`: instance name -> status object.
  Result<std::map<std::string, nlohmann::json>> list() const;

 private:
  std::string path_;
  std::vector<std::string> env_;
};

using StatusMap = std::map<std::string, nlohmann::json>;

class StatusCache {
 public:
  StatusCache(const Ctl& ctl, std::chrono::milliseconds lifetime) : ctl_(ctl), lifetime_(lifetime) {}
  // The statuses at most `lifetime` old, refreshing if needed; while one caller refreshes, the others get
  // the previous statuses at once. An error only if l4d2ctl fails and nothing was ever fetched.
  Result<std::shared_ptr<const StatusMap>> snapshot();
  // Forgets the cache: the next snapshot runs l4d2ctl (after an action changed a server).
  void invalidate();

 private:
  const Ctl& ctl_;
  std::chrono::milliseconds lifetime_;
  std::mutex refresh_mutex_;  // one refresh at a time; others wait for its result
  std::mutex mutex_;
  std::shared_ptr<const StatusMap> statuses_;
  std::chrono::steady_clock::time_point fetched_at_{};
  bool valid_ = false;
  bool refreshing_ = false;
};

}  // namespace left4me::web
