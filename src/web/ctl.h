// Ctl: runs the l4d2ctl binary (the web app's only way to act on the host) and parses its JSON.
// StatusCache keeps `l4d2ctl list --json` so that busy pages never spawn one process per viewer.
// Both are thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
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

// StatusCache: the statuses of every instance (`l4d2ctl list --json`), shared by all requests. Requests
// read the last result at once and never wait for l4d2ctl: one background thread refreshes it every period
// while requests keep asking, and rests once nobody has asked for a while (the first request after that
// gets the old statuses and wakes it). Jobs put each server's fresh status in as they finish.
class StatusCache {
 public:
  // period: how old the statuses may get while requests ask; idle_after: rest after that long unasked.
  StatusCache(const Ctl& ctl, std::chrono::milliseconds period,
              std::chrono::milliseconds idle_after = std::chrono::seconds(10));
  ~StatusCache();
  StatusCache(const StatusCache&) = delete;
  StatusCache& operator=(const StatusCache&) = delete;

  // Starts / stops the refresher thread. stop() waits for a running l4d2ctl list. Idempotent.
  void start();
  void stop();
  // Runs `l4d2ctl list --json` now and stores its result; the caller waits (start-up and reconciliation).
  // On failure the previous statuses stay, and the error is returned.
  Result<std::shared_ptr<const StatusMap>> refresh();
  // The last statuses, without waiting. An error only while none was ever fetched (the last failure, or
  // kUnavailable before the first refresh). The same object while the statuses are unchanged, so anything
  // derived from one (rendered rows) may be kept for as long as the pointer stays the same.
  Result<std::shared_ptr<const StatusMap>> snapshot();
  // A server's fresh status (from `l4d2ctl status --json`), or nullopt once it is deleted; it wins over a
  // list that was running while it was taken.
  void put(const std::string& name, std::optional<nlohmann::json> status);
  // The statuses are out of date: refresh now if anyone is watching.
  void invalidate();

 private:
  struct Put {
    std::chrono::steady_clock::time_point at;
    std::optional<nlohmann::json> status;
  };
  void refresh_loop();
  bool wanted(std::chrono::steady_clock::time_point now) const { return now - asked_at_ < idle_after_; }

  const Ctl& ctl_;
  std::chrono::milliseconds period_;
  std::chrono::milliseconds idle_after_;
  std::mutex refresh_mutex_;  // one l4d2ctl list at a time
  std::mutex mutex_;          // everything below
  std::condition_variable wake_;
  std::shared_ptr<const StatusMap> statuses_;
  std::optional<Error> error_;  // the last refresh's failure
  std::map<std::string, Put> puts_;
  std::chrono::steady_clock::time_point asked_at_{};
  std::chrono::steady_clock::time_point attempted_at_{};
  bool stale_ = false;
  bool stopping_ = false;
  std::thread refresher_;
};

}  // namespace left4me::web
