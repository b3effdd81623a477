// Health: whether a running server still answers, and when the monitor restarts one that does not
// (docs/design.md, "Health and hang detection"). HealthTracker holds one game process's answers and map
// changes and decides; it is pure (time comes in as time points), so every decision tests without waiting.
// HealthRecord is what the monitor writes to runtime/<name>/health.json for `status`. Value types; not
// synchronized.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "model/instance_name.h"

namespace left4me::host {

// The monitor's settings, from host.env (LEFT4ME_HANG_SECONDS and the others, host_config.h).
struct HealthSettings {
  // How long a server may be silent (no A2S_INFO answer) outside the grace windows; 0: never restart.
  std::chrono::milliseconds hang{std::chrono::seconds(60)};
  // After the process starts, how long it may take to answer for the first time before silence counts.
  std::chrono::milliseconds start_grace{std::chrono::seconds(120)};
  // After a map change (seen on the console or sent over RCON), how long before silence counts.
  std::chrono::milliseconds map_change_grace{std::chrono::seconds(60)};
  // How often the monitor asks every server.
  std::chrono::milliseconds interval{std::chrono::seconds(2)};
};

enum class HealthState {
  kStarting,      // the process runs but has not answered with its start map yet
  kReady,         // it answered with its start map once, and answers (or is inside a grace window)
  kUnresponsive,  // silent for longer than the hang time outside the grace windows: restart it
};
std::string_view to_string(HealthState state);
std::optional<HealthState> health_state_from(std::string_view text);

// Which map an answer named: the instance's start map, or another (the start map is not loaded yet, or the
// server has moved on; either way it is alive).
enum class AnsweredMap { kExpected, kOther };

struct HealthVerdict {
  HealthState state = HealthState::kStarting;
  // Set with kUnresponsive: why, for the console log and status ("no A2S answer for 61 s").
  std::string reason;
};

// One game process as the monitor sees it. Silence counts from the last answer, or from the end of the
// start grace while it has never answered, and never inside a map change's grace window: a map change
// moves the start of the silence to the window's end. So a server that answers is never restarted, and
// one that changes map has map_change_grace + hang to answer again. A map change before the first answer is
// the start-up's own first map (srcds prints the same line): the start grace covers it.
class HealthTracker {
 public:
  using Clock = std::chrono::steady_clock;

  HealthTracker(HealthSettings settings, Clock::time_point started) : settings_(settings), started_(started) {}

  // The server answered A2S_INFO at `now`. Any answer is a sign of life; the first with the expected map makes it
  // ready (srcds answers with another map while it loads, and moves on after).
  void answered(Clock::time_point now, AnsweredMap map = AnsweredMap::kExpected);
  // A map change began at `when` (the latest one counts; older ones are ignored).
  void map_changed(Clock::time_point when);
  HealthVerdict decide(Clock::time_point now) const;

  std::optional<Clock::time_point> last_answer() const { return last_answer_; }

 private:
  HealthSettings settings_;
  Clock::time_point started_;
  bool ready_ = false;
  std::optional<Clock::time_point> first_answer_;
  std::optional<Clock::time_point> last_answer_;
  std::optional<Clock::time_point> map_change_;
};

// How long after asking the monitor gives every server to answer: half an interval, at most 500 ms. An ask
// counts for WatchedSilence after it, and the live snapshot with the round's answers is written by then.
std::chrono::milliseconds answers_wait(std::chrono::milliseconds interval);

// Up to when the monitor has watched one server's silence. An ask counts once it had half an interval (at most
// 500 ms) to be answered, and watches until the next round was due (the ask plus an interval): a monitor that ran
// late (starved of CPU, or a round slowed by ending another server) did not watch the time in between, and a
// server that answered on time must not be silent for it. The monitor judges a server at this time, not at its
// clock's. Until an ask counts, the clock's epoch (nothing watched yet). Value type; not synchronized.
class WatchedSilence {
 public:
  using Clock = std::chrono::steady_clock;

  explicit WatchedSilence(std::chrono::milliseconds interval)
      : interval_(interval), answer_wait_(answers_wait(interval)) {}

  // The server was asked at `when` (or could not be: no socket).
  void asked(Clock::time_point when);
  Clock::time_point until(Clock::time_point now) const;

 private:
  std::chrono::milliseconds interval_;
  std::chrono::milliseconds answer_wait_;
  std::optional<Clock::time_point> last_;      // the latest ask
  std::optional<Clock::time_point> previous_;  // the one before it
};

// Whether an RCON command changes the map (`changelevel <map>`, `map <map> [mode]`, any case, leading
// blanks); `l4d2ctl rcon` records those before sending them.
bool is_map_change_command(std::string_view command);
// Whether a console line says a map change begins (srcds prints `---- Host_Changelevel ----` for
// changelevel and a mission's next chapter, `---- Host_NewGame ----` for `map`).
bool is_map_change_line(std::string_view line);

// A map change seen on a server's console under systemd: `left4me-journalctl --map-changes` prints one JSON
// object a line, with the unit (_SYSTEMD_UNIT=left4me-server@<name>.service) and __REALTIME_TIMESTAMP (unix
// microseconds, a string). Nullopt for any other line (another unit, a malformed or partial line).
struct JournalMapChange {
  model::InstanceName instance;
  std::int64_t unix_ms = 0;
};
std::optional<JournalMapChange> parse_journal_map_change(std::string_view line);

// runtime/<name>/health.json: the monitor's last word on an instance.
struct HealthRecord {
  HealthState state = HealthState::kStarting;
  std::int64_t since_unix = 0;                    // when `state` began
  std::string last_restart_reason;                // "" when the monitor never restarted this instance
  std::optional<std::int64_t> last_restart_unix;  // when it did
};

std::string health_record_json(const HealthRecord& record);
// kFailed naming `path` for a file that is not a health record.
Result<HealthRecord> parse_health_record(std::string_view content, const std::string& path);

}  // namespace left4me::host
