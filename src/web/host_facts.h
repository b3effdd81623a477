// HostFacts: what the hosts page shows of each host besides its poll: the current game build and the free disk of
// its data directory, from `l4d2ctl install --list --json` on that host. Reading every host on every page load is
// too slow, so each host's facts are kept and read again at most every max_age, the hosts due read in parallel; a
// failed read is kept with its reason. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "web/game_builds.h"

namespace left4me::web {

// One host's facts as last read.
struct HostFact {
  std::optional<GameBuilds> builds;  // nullopt when the read failed
  std::string error;                 // then: why
  std::int64_t at = 0;               // Unix seconds of the read
};

class HostFacts {
 public:
  // Reads one host's builds (read_game_builds over the host's Ctl).
  using Reader = std::function<Result<GameBuilds>(std::int64_t host_id)>;

  HostFacts(Reader reader, std::chrono::milliseconds max_age) : reader_(std::move(reader)), max_age_(max_age) {}

  // The facts of each host of ids: those never read, or read longer than max_age ago, are read now, each on its own
  // thread, and the caller waits for them (one such round at a time; a second caller waits and finds them fresh).
  std::map<std::int64_t, HostFact> get(const std::vector<std::int64_t>& ids);
  // The facts of each host of ids as they are, without reading any (a host never read is left out).
  std::map<std::int64_t, HostFact> known(const std::vector<std::int64_t>& ids);
  // Forgets a host's facts (it changed, or is gone): the next get reads it.
  void forget(std::int64_t id);

 private:
  struct Entry {
    HostFact fact;
    std::chrono::steady_clock::time_point read_at;
  };
  Reader reader_;
  std::chrono::milliseconds max_age_;
  std::mutex read_mutex_;  // one round of reads at a time
  std::mutex mutex_;       // entries_
  std::map<std::int64_t, Entry> entries_;
};

}  // namespace left4me::web
