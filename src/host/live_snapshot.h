// The health monitor's live snapshot (runtime/.monitor-live.json): what every server it watches answered to
// A2S_INFO in its last round, written once a round so that `list` need not ask 100 servers itself. Pure
// functions over text and a clock value the caller gives; thread-safe.
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

struct LiveSnapshot {
  std::int64_t written_unix_ms = 0;
  std::int64_t interval_ms = 0;               // the monitor's round interval
  std::map<std::string, LiveAnswer> answers;  // by instance name; only servers that answered
};

std::string live_snapshot_json(const LiveSnapshot& snapshot);
// kFailed naming `path` for a file that is not a live snapshot.
Result<LiveSnapshot> parse_live_snapshot(std::string_view content, const std::string& path);

// The answer `list` may show for the instance whose game is `pid`, at `now_unix_ms`: nullopt when the snapshot
// is older than two rounds (no monitor runs, or it is late), the entry is another run's, or the answer is older
// than two rounds (the server went quiet). So what list shows is never more than two intervals old.
std::optional<LiveAnswer> fresh_answer(const LiveSnapshot& snapshot, const std::string& name, std::int64_t pid,
                                       std::int64_t now_unix_ms);

}  // namespace left4me::host
