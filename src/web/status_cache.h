// StatusCache: the hosts' statuses of their instances (`l4d2ctl list --json` on each host, polled in parallel and
// merged: instance names are unique across the panel) kept for every request, so that busy pages never spawn one
// process per viewer; and where each host stands (answered, round trip, last error). Thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/result.h"
#include "web/ctl.h"
#include "web/host_events.h"
#include "web/hosts.h"

namespace left4me::web {

// One host as the cache polls it (host_ctls.h).
struct PolledHost {
  std::int64_t id = 0;
  std::string name;
  std::shared_ptr<const Ctl> ctl;  // nullptr: not polled, and its servers are unknown
  std::string problem;             // then: why
};

// Where a host stood at its last poll.
struct HostPoll {
  bool answered = false;
  std::chrono::milliseconds round_trip{0};  // how long its `l4d2ctl list` took, SSH included
  std::string error;                        // why it did not answer
  std::int64_t at = 0;                      // Unix seconds
};

// The last refresh that polled the hosts: how long it took from its first `l4d2ctl list` to its merged statuses
// (the slowest host's, with the hosts polled in parallel), of how many hosts, and how many refreshes ran so far.
struct RefreshTiming {
  std::chrono::microseconds wall{0};
  int hosts = 0;
  std::int64_t number = 0;  // 0: none yet
};

// The statuses of every instance, shared by all requests. Requests read the last result at once and never wait for
// l4d2ctl: one background thread refreshes it every period while requests keep asking, and rests once nobody has asked
// for a while (the first request after that gets the old statuses and wakes it). Jobs put each server's fresh status in
// as they finish. With a watch period it also refreshes that often while nobody asks, so that what happens to a
// server (host_events.h) is noticed even then; each change of the statuses goes to the listener.
class StatusCache {
 public:
  // Called with what changed each time the statuses change (host_events), outside the cache's locks, on the
  // refresher's thread or a job's. It must not wait for long: the statuses are not refreshed meanwhile.
  using Listener = std::function<void(const std::vector<HostEvent>&)>;

  // period: how old the statuses may get while requests ask; idle_after: rest after that long unasked; watch: how
  // often to refresh while resting (0: never).
  StatusCache(const Ctl& ctl, std::chrono::milliseconds period,
              std::chrono::milliseconds idle_after = std::chrono::seconds(10),
              std::chrono::milliseconds watch = std::chrono::milliseconds(0));
  // The hosts to poll (asked at each refresh), and the instances of the panel's servers on a host: while a remote
  // host does not answer, each of them (and each it listed before) is listed as
  // {"name", "state": "unknown", "error": "<why>"}: unknown, never stopped, and no event (host_events.h). The local
  // host (kLocalHostId) failing keeps its last statuses, as with one host; when every host fails, refresh fails.
  using HostSource = std::function<std::vector<PolledHost>()>;
  using Roster = std::function<std::vector<std::string>(std::int64_t host_id)>;
  StatusCache(HostSource hosts, Roster roster, std::chrono::milliseconds period,
              std::chrono::milliseconds idle_after = std::chrono::seconds(10),
              std::chrono::milliseconds watch = std::chrono::milliseconds(0));
  ~StatusCache();
  StatusCache(const StatusCache&) = delete;
  StatusCache& operator=(const StatusCache&) = delete;

  // Set before start(); nothing is told before.
  void set_listener(Listener listener) { listener_ = std::move(listener); }
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
  // Each polled host's last poll, by host id.
  std::map<std::int64_t, HostPoll> host_polls();
  // The hosts whose last poll failed.
  std::set<std::int64_t> unreachable_hosts();
  // The last refresh's timing (also of one that failed).
  RefreshTiming last_refresh();

 private:
  struct Put {
    std::chrono::steady_clock::time_point at;
    std::optional<nlohmann::json> status;
  };
  void refresh_loop();
  struct Listing {
    PolledHost host;
    Result<StatusMap> statuses = Error::unavailable("not polled");
    HostPoll poll;
  };
  // Every host's `l4d2ctl list`, each on its own thread.
  std::vector<Listing> poll_hosts();
  // The merged statuses (mutex_ held); an error when no host answered.
  Result<StatusMap> merge(std::vector<Listing>& listings);
  // Replaces the statuses (mutex_ held) and returns what changed for the listener.
  std::vector<HostEvent> replace(std::shared_ptr<const StatusMap> statuses);
  void tell(const std::vector<HostEvent>& events) const;
  bool wanted(std::chrono::steady_clock::time_point now) const { return now - asked_at_ < idle_after_; }

  HostSource hosts_;
  Roster roster_;
  std::chrono::milliseconds period_;
  std::chrono::milliseconds idle_after_;
  std::chrono::milliseconds watch_;
  Listener listener_;
  std::mutex refresh_mutex_;  // one l4d2ctl list at a time
  std::mutex mutex_;          // everything below
  std::condition_variable wake_;
  std::shared_ptr<const StatusMap> statuses_;
  std::optional<Error> error_;  // the last refresh's failure
  std::map<std::string, Put> puts_;
  std::map<std::string, std::int64_t> instance_hosts_;  // which host listed each instance last
  std::map<std::int64_t, HostPoll> polls_;
  RefreshTiming timing_;
  std::chrono::steady_clock::time_point asked_at_{};
  std::chrono::steady_clock::time_point attempted_at_{};
  bool stale_ = false;
  bool stopping_ = false;
  std::thread refresher_;
};

}  // namespace left4me::web
