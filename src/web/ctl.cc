#include "web/ctl.h"

#include <fmt/format.h>

namespace left4me::web {

Result<ExitStatus> Ctl::run_streaming(const std::vector<std::string>& args,
                                      const std::function<void(std::string_view)>& on_line,
                                      const std::function<void(pid_t)>& on_spawn) const {
  SpawnOptions options;
  options.argv.push_back(path_);
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.env = env_;
  options.stdout_mode = Stream::kPipe;
  options.stderr_mode = Stream::kToStdout;
  Result<Subprocess> child = Subprocess::spawn(std::move(options));
  if (!child) return child.error().with_context(fmt::format("run {}", path_));
  if (on_spawn) on_spawn(child->pid());
  Status read = read_lines(child->stdout_fd(), on_line);
  Result<std::optional<ExitStatus>> status = child->wait(std::nullopt);
  if (!status) return status.error();
  if (!read) on_line(fmt::format("(reading output failed: {})", read.error().message()));
  return **status;
}

Result<RunResult> Ctl::run(const std::vector<std::string>& args, std::chrono::milliseconds timeout) const {
  std::vector<std::string> argv{path_};
  argv.insert(argv.end(), args.begin(), args.end());
  RunOptions options;
  options.env = env_;
  options.timeout = timeout;
  Result<RunResult> result = left4me::run(argv, options);
  if (!result) return result.error().with_context(fmt::format("run {}", path_));
  return result;
}

Result<Subprocess> Ctl::follow_logs(const std::string& name, int lines) const {
  SpawnOptions options;
  options.argv = {path_, "logs", name, "--lines", std::to_string(lines), "--follow"};
  options.env = env_;
  options.stdout_mode = Stream::kPipe;
  options.stderr_mode = Stream::kToStdout;
  return Subprocess::spawn(std::move(options));
}

Result<std::map<std::string, nlohmann::json>> Ctl::list() const {
  Result<RunResult> result = run({"list", "--json"}, std::chrono::seconds(20));
  if (!result) return result.error();
  if (!result->status.success()) {
    std::string why = result->err.empty() ? result->status.describe() : result->err;
    while (!why.empty() && why.back() == '\n') why.pop_back();
    return Error::failed(fmt::format("l4d2ctl list: {}", why));
  }
  nlohmann::json parsed = nlohmann::json::parse(result->out, nullptr, false);
  if (!parsed.is_array()) return Error::failed("l4d2ctl list --json: output is not a JSON array");
  std::map<std::string, nlohmann::json> statuses;
  for (nlohmann::json& item : parsed) {
    if (item.is_object() && item.contains("name") && item["name"].is_string()) {
      std::string name = item["name"].get<std::string>();
      statuses[name] = std::move(item);
    }
  }
  return statuses;
}

Result<std::shared_ptr<const StatusMap>> StatusCache::snapshot() {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    bool fresh = valid_ && std::chrono::steady_clock::now() - fetched_at_ < lifetime_;
    // Stale data while another request refreshes: a busy dashboard never queues behind l4d2ctl.
    if (fresh || (valid_ && refreshing_)) return statuses_;
  }
  std::unique_lock<std::mutex> refresh(refresh_mutex_);
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (valid_ && std::chrono::steady_clock::now() - fetched_at_ < lifetime_) return statuses_;
    refreshing_ = true;
  }
  Result<std::map<std::string, nlohmann::json>> listed = ctl_.list();
  std::lock_guard<std::mutex> guard(mutex_);
  refreshing_ = false;
  if (!listed) {
    if (valid_) return statuses_;
    return listed.error();
  }
  statuses_ = std::make_shared<const StatusMap>(std::move(*listed));
  fetched_at_ = std::chrono::steady_clock::now();
  valid_ = true;
  return statuses_;
}

void StatusCache::invalidate() {
  std::lock_guard<std::mutex> guard(mutex_);
  fetched_at_ = {};
}

}  // namespace left4me::web
