// A server's daily restart: its settings and their one validator (the API and the server page's form), when it
// is due (times of day in UTC, as every time the panel shows), and the rule a scheduled_restart job follows at each
// look at the server's status. Pure functions; thread-safe. The scheduler and the job: docs/design.md, "Scheduled
// restarts".
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace left4me::web {

// The longest maximum wait: half a day, so one day's restart has ended long before the next one is due.
inline constexpr int kMaxRestartWaitMinutes = 720;
// The longest message (bytes): srcds cuts chat lines near 127 characters; UTF-8 letters take up to 4 bytes.
inline constexpr std::size_t kMaxRestartMessageBytes = 200;
// A restart starts at most this long after its time, or its maximum wait if that is longer (a panel that was down
// then); later it is skipped to the next day.
inline constexpr std::int64_t kRestartLateStartSeconds = 15 * 60;

struct RestartSchedule {
  bool enabled = false;
  int minute_of_day = 4 * 60;  // 0..1439, UTC: 04:00
  int max_wait_minutes = 30;   // 0..kMaxRestartWaitMinutes: how long players may keep the server from restarting
  std::string message;         // said over RCON to the players before the restart; empty: nothing is said

  bool operator==(const RestartSchedule&) const = default;
};

// The settings as a form or a JSON body gives them, before they are checked.
struct RestartScheduleInput {
  bool enabled = false;
  std::string time;  // "HH:MM" (or "H:MM"), UTC
  std::string max_wait_minutes;
  std::string message;
};

// What is wrong with an input: the field it is about and why, for the message beside it.
struct RestartScheduleProblem {
  std::string field;  // time, max_wait_minutes, message
  std::string message;
};

// The schedule the input asks for, or its first problem: a time that is not HH:MM from 00:00 to 23:59, a wait that
// is not a whole number of minutes from 0 to kMaxRestartWaitMinutes, a message longer than kMaxRestartMessageBytes,
// not UTF-8, with a control character, or with '"' or ';' (which would end the RCON say and start another command).
// The message is trimmed; every field is checked whether or not the restart is enabled.
struct RestartScheduleParse {
  std::optional<RestartSchedule> schedule;
  std::optional<RestartScheduleProblem> problem;
};
RestartScheduleParse parse_restart_schedule(const RestartScheduleInput& input);

// "HH:MM" for a minute of the day.
std::string format_time_of_day(int minute_of_day);

// The latest moment at or before now (Unix seconds) when the clock (UTC) read the schedule's time of day.
std::int64_t latest_restart_time(int minute_of_day, std::int64_t now);

enum class ScheduleCheck {
  kNotDue,  // turned off, or today's restart was queued (or skipped) already, or its time has not come
  kDue,     // queue it now
  kMissed,  // its time passed too long ago (the panel was down): skipped to the next day
};
struct ScheduleDecision {
  ScheduleCheck check = ScheduleCheck::kNotDue;
  std::int64_t due_at = 0;  // the restart's time (Unix seconds) that check is about
};
// Whether the restart is to be queued at now, given the time of the last one queued or skipped (last_due_at).
ScheduleDecision check_restart_schedule(const RestartSchedule& schedule, std::optional<std::int64_t> last_due_at,
                                        std::int64_t now);
// When the next restart is due (Unix seconds): today's while it may still be queued, else the next day's;
// nullopt when the restart is turned off.
std::optional<std::int64_t> next_restart_time(const RestartSchedule& schedule, std::optional<std::int64_t> last_due_at,
                                              std::int64_t now);

enum class RestartStep {
  kNothing,  // the server is not running: nothing to restart
  kRestart,  // nobody plays on it, or the maximum wait ended: restart it now
  kWait,     // players on it (or not known) before the maximum wait
};
struct RestartDecision {
  RestartStep step = RestartStep::kNothing;
  std::string reason;                   // one line for the job's log
  std::optional<std::int64_t> players;  // the A2S player count, when the server answered
};
// What a scheduled_restart job does now with a server whose status is `status` (`l4d2ctl status --json --players`),
// having waited `waited` of its `max_wait`.
RestartDecision decide_scheduled_restart(const nlohmann::json& status, std::chrono::seconds waited,
                                         std::chrono::seconds max_wait);

}  // namespace left4me::web
