#include "web/host_facts.h"

#include <ctime>
#include <thread>

namespace left4me::web {

std::map<std::int64_t, HostFact> HostFacts::get(const std::vector<std::int64_t>& ids) {
  std::lock_guard<std::mutex> reading(read_mutex_);
  auto now = std::chrono::steady_clock::now();
  std::vector<std::int64_t> due;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (std::int64_t id : ids) {
      auto it = entries_.find(id);
      if (it == entries_.end() || now - it->second.read_at >= max_age_) due.push_back(id);
    }
  }
  std::vector<Entry> read(due.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < due.size(); ++i) {
    threads.emplace_back([this, &due, &read, i] {
      Result<GameBuilds> builds = reader_(due[i]);
      Entry& entry = read[i];
      entry.read_at = std::chrono::steady_clock::now();
      entry.fact.at = static_cast<std::int64_t>(std::time(nullptr));
      if (builds) {
        entry.fact.builds = std::move(*builds);
      } else {
        entry.fact.error = builds.error().message();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::lock_guard<std::mutex> lock(mutex_);
  for (std::size_t i = 0; i < due.size(); ++i) entries_[due[i]] = std::move(read[i]);
  std::map<std::int64_t, HostFact> facts;
  for (std::int64_t id : ids) facts[id] = entries_[id].fact;
  return facts;
}

std::map<std::int64_t, HostFact> HostFacts::known(const std::vector<std::int64_t>& ids) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::map<std::int64_t, HostFact> facts;
  for (std::int64_t id : ids) {
    if (auto it = entries_.find(id); it != entries_.end()) facts[id] = it->second.fact;
  }
  return facts;
}

void HostFacts::forget(std::int64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.erase(id);
}

}  // namespace left4me::web
