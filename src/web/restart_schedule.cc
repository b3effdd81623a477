#include "web/restart_schedule.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/strings.h"
#include "base/utf8.h"
#include "web/server_view.h"
#include "web/states.h"

namespace left4me::web {
namespace {

constexpr std::int64_t kDaySeconds = 86400;

std::optional<int> parse_time_of_day(std::string_view text) {
  std::size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2 || text.size() != colon + 3) return std::nullopt;
  for (char c : text) {
    if (c != ':' && (c < '0' || c > '9')) return std::nullopt;
  }
  std::optional<long long> hours = parse_int(text.substr(0, colon), 0, 23);
  std::optional<long long> minutes = parse_int(text.substr(colon + 1), 0, 59);
  if (!hours || !minutes) return std::nullopt;
  return static_cast<int>(*hours * 60 + *minutes);
}

std::optional<std::string> message_problem(std::string_view message) {
  if (message.size() > kMaxRestartMessageBytes) {
    return fmt::format("at most {} bytes (this one has {})", kMaxRestartMessageBytes, message.size());
  }
  if (!is_valid_utf8(message)) return std::string("not valid UTF-8");
  for (char c : message) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) return std::string("one line without control characters");
  }
  // As say_command (rcon_console.h) refuses them: they would end the say and start another console command.
  if (message.find_first_of("\";") != std::string_view::npos) return std::string("without '\"' or ';'");
  return std::nullopt;
}

// " (Nick, Rochelle)": the names A2S gave (live.player_list), or nothing without them.
std::string player_names(const nlohmann::json& live) {
  if (!live.contains("player_list") || !live["player_list"].is_array()) return "";
  std::vector<std::string> names;
  for (const nlohmann::json& player : live["player_list"]) {
    if (player.is_object() && player.contains("name") && player["name"].is_string()) {
      names.push_back(player["name"].get<std::string>());
    }
  }
  return names.empty() ? "" : " (" + join(names, ", ") + ")";
}

RestartScheduleParse problem(std::string field, std::string message) {
  return {std::nullopt, RestartScheduleProblem{std::move(field), std::move(message)}};
}

}  // namespace

RestartScheduleParse parse_restart_schedule(const RestartScheduleInput& input) {
  RestartSchedule schedule;
  schedule.enabled = input.enabled;
  std::string_view time = trim(input.time);
  std::optional<int> minute = parse_time_of_day(time);
  if (!minute) {
    return problem("time", fmt::format("time: '{}' is not a time of day HH:MM from 00:00 to 23:59 (UTC)",
                                       make_valid_utf8(time.substr(0, 16))));
  }
  schedule.minute_of_day = *minute;
  std::string_view wait = trim(input.max_wait_minutes);
  std::optional<long long> minutes = parse_int(wait, 0, kMaxRestartWaitMinutes);
  if (!minutes) {
    return problem("max_wait_minutes", fmt::format("max_wait_minutes: '{}' is not a whole number of minutes from 0 "
                                                   "to {}",
                                                   make_valid_utf8(wait.substr(0, 16)), kMaxRestartWaitMinutes));
  }
  schedule.max_wait_minutes = static_cast<int>(*minutes);
  schedule.message = std::string(trim(input.message));
  if (std::optional<std::string> why = message_problem(schedule.message)) return problem("message", "message: " + *why);
  return {schedule, std::nullopt};
}

std::string format_time_of_day(int minute_of_day) {
  return fmt::format("{:02}:{:02}", minute_of_day / 60, minute_of_day % 60);
}

std::int64_t latest_restart_time(int minute_of_day, std::int64_t now) {
  std::int64_t day_start = now - ((now % kDaySeconds) + kDaySeconds) % kDaySeconds;
  std::int64_t today = day_start + std::int64_t{minute_of_day} * 60;
  return today <= now ? today : today - kDaySeconds;
}

ScheduleDecision check_restart_schedule(const RestartSchedule& schedule, std::optional<std::int64_t> last_due_at,
                                        std::int64_t now) {
  std::int64_t due = latest_restart_time(schedule.minute_of_day, now);
  if (!schedule.enabled || (last_due_at && *last_due_at >= due)) return {ScheduleCheck::kNotDue, due};
  std::int64_t late = std::max<std::int64_t>(std::int64_t{schedule.max_wait_minutes} * 60, kRestartLateStartSeconds);
  return {now - due <= late ? ScheduleCheck::kDue : ScheduleCheck::kMissed, due};
}

std::optional<std::int64_t> next_restart_time(const RestartSchedule& schedule, std::optional<std::int64_t> last_due_at,
                                              std::int64_t now) {
  if (!schedule.enabled) return std::nullopt;
  ScheduleDecision decision = check_restart_schedule(schedule, last_due_at, now);
  return decision.check == ScheduleCheck::kDue ? decision.due_at : decision.due_at + kDaySeconds;
}

RestartDecision decide_scheduled_restart(const nlohmann::json& status, std::chrono::seconds waited,
                                         std::chrono::seconds max_wait) {
  RestartDecision decision;
  std::optional<ServerState> state = status.is_object() ? reported_state(status) : std::nullopt;
  if (!state || !is_up(*state)) {
    decision.reason =
        fmt::format("the server is not running ({}): nothing to restart", state ? to_string(*state) : "no state");
    return decision;
  }
  if (status.contains("live") && status["live"].is_object() && status["live"].contains("players") &&
      status["live"]["players"].is_number_integer()) {
    decision.players = status["live"]["players"].get<std::int64_t>();
  }
  if (decision.players && *decision.players == 0) {
    decision.step = RestartStep::kRestart;
    decision.reason = fmt::format("nobody plays on it (after waiting {} s): restarting it", waited.count());
    return decision;
  }
  std::string who = decision.players
                        ? fmt::format("{} player(s) on it{}", *decision.players, player_names(status["live"]))
                        : std::string("it does not answer A2S, so its players are not known");
  if (waited >= max_wait) {
    decision.step = RestartStep::kRestart;
    decision.reason = fmt::format("{} after waiting {} s, the maximum: restarting it anyway", who, waited.count());
    return decision;
  }
  decision.step = RestartStep::kWait;
  decision.reason = who + ": waiting until it is empty";
  return decision;
}

}  // namespace left4me::web
