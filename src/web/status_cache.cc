#include "web/status_cache.h"

#include <algorithm>

#include "base/log.h"

namespace left4me::web {
namespace {

// Even with LEFT4ME_STATUS_CACHE_MS=0 the refresher leaves this gap between two runs of l4d2ctl list.
constexpr std::chrono::milliseconds kMinimumPeriod{50};

}  // namespace

StatusCache::StatusCache(const Ctl& ctl, std::chrono::milliseconds period, std::chrono::milliseconds idle_after,
                         std::chrono::milliseconds watch)
    : ctl_(ctl),
      period_(std::max(period, kMinimumPeriod)),
      idle_after_(idle_after),
      watch_(watch.count() == 0 ? watch : std::max(watch, kMinimumPeriod)) {}

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
    bool asked = wanted(now);
    if (!asked && watch_.count() == 0) {
      wake_.wait(lock);  // until a request asks, or stop
      continue;
    }
    std::chrono::milliseconds period = asked ? period_ : watch_;
    if ((asked && stale_) || now - attempted_at_ >= period) {
      lock.unlock();
      Result<std::shared_ptr<const StatusMap>> refreshed = refresh();
      if (!refreshed) log::warning("live status: {}", refreshed.error().message());
      lock.lock();
      continue;
    }
    wake_.wait_until(lock, attempted_at_ + period);
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
  std::unique_lock<std::mutex> guard(mutex_);
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
  std::vector<HostEvent> events;
  if (!statuses_ || *statuses_ != *listed) events = replace(std::make_shared<const StatusMap>(std::move(*listed)));
  error_.reset();
  std::shared_ptr<const StatusMap> current = statuses_;
  guard.unlock();
  tell(events);
  return current;
}

std::vector<HostEvent> StatusCache::replace(std::shared_ptr<const StatusMap> statuses) {
  // The first statuses are where watching starts: nothing happened before them.
  std::vector<HostEvent> events = statuses_ ? host_events(*statuses_, *statuses) : std::vector<HostEvent>{};
  statuses_ = std::move(statuses);
  return events;
}

void StatusCache::tell(const std::vector<HostEvent>& events) const {
  if (!events.empty() && listener_) listener_(events);
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
  std::vector<HostEvent> events;
  {
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
    events = replace(std::move(updated));
  }
  tell(events);
}

void StatusCache::invalidate() {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    stale_ = true;
  }
  wake_.notify_all();
}

}  // namespace left4me::web
