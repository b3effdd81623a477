// The health monitor's live snapshot (runtime/.monitor-live.json): what every server it watches answered to
// A2S_INFO in its last round, and each running instance's mount verdict and writable layer's size as it measured
// them at the round's start, written every round so that `list` need not ask 100 servers and walk 100 layers
// itself. Pure functions over text and a clock value the caller gives; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace left4me::host {

// One server's last answer.
struct LiveAnswer {
  std::int64_t pid = 0;               // the game process that answered (its run)
  std::int64_t answered_unix_ms = 0;  // when the answer arrived
  std::string hostname;
  std::string map;
  int players = 0;
  int max_players = 0;
  double query_ms = 0;  // from the request to the answer
};

// One running server's game tree as the monitor measured it (what status measures itself: `mounted`,
// `upper_bytes`).
struct LayerFacts {
  std::int64_t pid = 0;               // the game process that ran when it was measured (its run)
  std::int64_t measured_unix_ms = 0;  // when
  bool mounted = false;               // instance_mount_state said kMounted
  std::uint64_t upper_bytes = 0;      // writable_layer_usage's allocated_bytes
};

struct LiveSnapshot {
  std::int64_t written_unix_ms = 0;
  std::int64_t interval_ms = 0;               // the monitor's round interval
  std::map<std::string, LiveAnswer> answers;  // by instance name; only servers that answered
  std::map<std::string, LayerFacts> layers;   // by instance name; only servers measured without an error
};

// The monitor's one freshness rule, for this file and the list snapshot (list_snapshot.h): something of
// `at_unix_ms` may be shown at `now_unix_ms` when it is at most two intervals old (and not from the future).
bool within_two_rounds(std::int64_t interval_ms, std::int64_t at_unix_ms, std::int64_t now_unix_ms);

std::string live_snapshot_json(const LiveSnapshot& snapshot);
// kFailed naming `path` for a file that is not a live snapshot.
Result<LiveSnapshot> parse_live_snapshot(std::string_view content, const std::string& path);

// The answer `list` may show for the instance whose game is `pid`, at `now_unix_ms`: nullopt when the snapshot
// is older than two rounds (no monitor runs, or it is late), the entry is another run's, or the answer is older
// than two rounds (the server went quiet). So what list shows is never more than two intervals old.
std::optional<LiveAnswer> fresh_answer(const LiveSnapshot& snapshot, const std::string& name, std::int64_t pid,
                                       std::int64_t now_unix_ms);
// The mount verdict and layer size `list` may show for that instance, by the same rules: at most two rounds old
// and measured while `pid` ran. So a mount that went away, or what the server wrote since, shows in list at most
// two intervals later (status always measures).
std::optional<LayerFacts> fresh_layer(const LiveSnapshot& snapshot, const std::string& name, std::int64_t pid,
                                      std::int64_t now_unix_ms);

}  // namespace left4me::host
