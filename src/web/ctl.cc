#include "web/ctl.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/log.h"
#include "json/parse_json.h"

namespace left4me::web {
namespace {

// Even with LEFT4ME_STATUS_CACHE_MS=0 the refresher leaves this gap between two runs of l4d2ctl list.
constexpr std::chrono::milliseconds kMinimumPeriod{50};

}  // namespace

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

Result<StatusMap> Ctl::list() const {
  Result<RunResult> result = run({"list", "--json"}, std::chrono::seconds(20));
  if (!result) return result.error();
  if (!result->status.success()) {
    std::string why = result->err.empty() ? result->status.describe() : result->err;
    while (!why.empty() && why.back() == '\n') why.pop_back();
    return Error::failed(fmt::format("l4d2ctl list: {}", why));
  }
  Result<nlohmann::json> list = parse_json_limited(result->out);
  if (!list) return Error::failed(fmt::format("l4d2ctl list --json: {}", list.error().message()));
  nlohmann::json& parsed = *list;
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

StatusCache::StatusCache(const Ctl& ctl, std::chrono::milliseconds period, std::chrono::milliseconds idle_after)
    : ctl_(ctl), period_(std::max(period, kMinimumPeriod)), idle_after_(idle_after) {}

StatusCache::~StatusCache() { stop(); }

void StatusCache::start() {
  std::lock_guard<std::mutex> guard(mutex_);
  if (refresher_.joinable() || stopping_) return;
  refresher_ = std::thread([this] { refresh_loop(); });
}

void StatusCache::stop() {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (refresher_.joinable()) refresher_.join();
}

void StatusCache::refresh_loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    auto now = std::chrono::steady_clock::now();
    if (!wanted(now)) {
      wake_.wait(lock);  // until a request asks, or stop
      continue;
    }
    if (stale_ || now - attempted_at_ >= period_) {
      lock.unlock();
      Result<std::shared_ptr<const StatusMap>> refreshed = refresh();
      if (!refreshed) log::warning("live status: {}", refreshed.error().message());
      lock.lock();
      continue;
    }
    wake_.wait_until(lock, attempted_at_ + period_);
  }
}

Result<std::shared_ptr<const StatusMap>> StatusCache::refresh() {
  std::lock_guard<std::mutex> one_at_a_time(refresh_mutex_);
  auto started = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> guard(mutex_);
    attempted_at_ = started;
    stale_ = false;
  }
  Result<StatusMap> listed = ctl_.list();
  std::lock_guard<std::mutex> guard(mutex_);
  if (!listed) {
    error_ = listed.error();
    return listed.error();
  }
  // A job's status taken while l4d2ctl list ran is newer than what the list saw.
  for (auto& [name, put] : puts_) {
    if (put.at < started) continue;
    if (put.status) {
      (*listed)[name] = std::move(*put.status);
    } else {
      listed->erase(name);
    }
  }
  puts_.clear();
  // An unchanged list keeps the current snapshot, so what was derived from it (rendered dashboard rows, the
  // API's status fragments) stays valid.
  if (!statuses_ || *statuses_ != *listed) statuses_ = std::make_shared<const StatusMap>(std::move(*listed));
  error_.reset();
  return statuses_;
}

Result<std::shared_ptr<const StatusMap>> StatusCache::snapshot() {
  std::lock_guard<std::mutex> guard(mutex_);
  auto now = std::chrono::steady_clock::now();
  bool rested = !wanted(now);
  asked_at_ = now;
  if (rested || now - attempted_at_ >= period_) wake_.notify_one();
  if (statuses_) return statuses_;
  if (error_) return *error_;
  return Error(ErrorCode::kUnavailable, "the live status is not known yet");
}

void StatusCache::put(const std::string& name, std::optional<nlohmann::json> status) {
  std::lock_guard<std::mutex> guard(mutex_);
  puts_[name] = Put{std::chrono::steady_clock::now(), status};
  if (!statuses_) return;
  auto current = statuses_->find(name);
  if (status ? current != statuses_->end() && current->second == *status : current == statuses_->end()) return;
  auto updated = std::make_shared<StatusMap>(*statuses_);
  if (status) {
    (*updated)[name] = std::move(*status);
  } else {
    updated->erase(name);
  }
  statuses_ = std::move(updated);
}

void StatusCache::invalidate() {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    stale_ = true;
  }
  wake_.notify_all();
}

}  // namespace left4me::web
