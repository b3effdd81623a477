#include "web/status_cache.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

#include "base/log.h"

namespace left4me::web {
namespace {

// Even with LEFT4ME_STATUS_CACHE_MS=0 the refresher leaves this gap between two runs of l4d2ctl list.
constexpr std::chrono::milliseconds kMinimumPeriod{50};

}  // namespace

StatusCache::StatusCache(const Ctl& ctl, std::chrono::milliseconds period, std::chrono::milliseconds idle_after,
                         std::chrono::milliseconds watch)
    : StatusCache(
          [&ctl] {
            // The caller's Ctl outlives the cache: the pointer does not own it.
            return std::vector<PolledHost>{{kLocalHostId, std::string(kLocalHostName),
                                            std::shared_ptr<const Ctl>(std::shared_ptr<const Ctl>(), &ctl), ""}};
          },
          nullptr, period, idle_after, watch) {}

StatusCache::StatusCache(HostSource hosts, Roster roster, std::chrono::milliseconds period,
                         std::chrono::milliseconds idle_after, std::chrono::milliseconds watch)
    : hosts_(std::move(hosts)),
      roster_(std::move(roster)),
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

std::vector<StatusCache::Listing> StatusCache::poll_hosts() {
  std::vector<Listing> listings;
  for (PolledHost& host : hosts_()) listings.push_back(Listing{std::move(host)});
  // One thread per host: the refresh takes as long as the slowest host, not their sum.
  std::vector<std::thread> threads;
  threads.reserve(listings.size());
  for (Listing& listing : listings) {
    threads.emplace_back([&listing] {
      auto started = std::chrono::steady_clock::now();
      listing.statuses = listing.host.ctl ? listing.host.ctl->list() : Error::unavailable(listing.host.problem);
      listing.poll.round_trip =
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
      listing.poll.answered = listing.statuses.ok();
      if (!listing.statuses) listing.poll.error = listing.statuses.error().message();
      listing.poll.at = static_cast<std::int64_t>(std::time(nullptr));
    });
  }
  for (std::thread& thread : threads) thread.join();
  return listings;
}

Result<StatusMap> StatusCache::merge(std::vector<Listing>& listings) {
  StatusMap merged;
  std::map<std::string, std::int64_t> instance_hosts;
  std::optional<Error> failure;
  bool answered = false;
  for (Listing& listing : listings) {
    std::int64_t id = listing.host.id;
    polls_[id] = listing.poll;
    if (listing.statuses) {
      answered = true;
      for (auto& [name, status] : *listing.statuses) {
        instance_hosts[name] = id;
        merged[name] = std::move(status);
      }
      continue;
    }
    failure = listing.statuses.error();
    // What was listed of this host before, and the panel's servers on it.
    std::vector<std::string> names = roster_ ? roster_(id) : std::vector<std::string>{};
    for (const auto& [name, host] : instance_hosts_) {
      if (host == id) names.push_back(name);
    }
    for (const std::string& name : names) {
      instance_hosts[name] = id;
      if (id == kLocalHostId && statuses_ && statuses_->count(name) > 0) {
        merged[name] = statuses_->at(name);  // the local host's last statuses stay
      } else if (id != kLocalHostId) {
        merged[name] = {{"name", name},
                        {"state", to_string(ServerState::kUnknown)},
                        {"error", fmt::format("host '{}' does not answer: {}", listing.host.name,
                                              listing.statuses.error().message())}};
      }
    }
  }
  if (!answered && failure) return *failure;
  instance_hosts_ = std::move(instance_hosts);
  return merged;
}

Result<std::shared_ptr<const StatusMap>> StatusCache::refresh() {
  std::lock_guard<std::mutex> one_at_a_time(refresh_mutex_);
  auto started = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> guard(mutex_);
    attempted_at_ = started;
    stale_ = false;
  }
  std::vector<Listing> listings = poll_hosts();
  std::unique_lock<std::mutex> guard(mutex_);
  Result<StatusMap> listed = merge(listings);
  timing_ =
      RefreshTiming{std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started),
                    static_cast<int>(listings.size()), timing_.number + 1};
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

std::map<std::int64_t, HostPoll> StatusCache::host_polls() {
  std::lock_guard<std::mutex> guard(mutex_);
  return polls_;
}

RefreshTiming StatusCache::last_refresh() {
  std::lock_guard<std::mutex> guard(mutex_);
  return timing_;
}

std::set<std::int64_t> StatusCache::unreachable_hosts() {
  std::lock_guard<std::mutex> guard(mutex_);
  std::set<std::int64_t> unreachable;
  for (const auto& [id, poll] : polls_) {
    if (!poll.answered) unreachable.insert(id);
  }
  return unreachable;
}

}  // namespace left4me::web
