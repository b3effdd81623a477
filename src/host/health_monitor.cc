#include "host/health_monitor.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <nlohmann/json.hpp>

#include "base/strings.h"
#include "json/parse_json.h"
#include "model/systemd_units.h"

namespace left4me::host {
namespace {

using nlohmann::json;
using std::chrono::duration_cast;
using std::chrono::seconds;

std::string lowercase_first_word(std::string_view text) {
  size_t start = 0;
  while (start < text.size() && std::isspace(static_cast<unsigned char>(text[start]))) ++start;
  size_t end = start;
  while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end])) && text[end] != ';') ++end;
  std::string word(text.substr(start, end - start));
  std::transform(word.begin(), word.end(), word.begin(), [](unsigned char c) { return std::tolower(c); });
  return word;
}

json optional_json(const std::optional<std::int64_t>& value) { return value ? json(*value) : json(nullptr); }

}  // namespace

std::string_view to_string(HealthState state) {
  switch (state) {
    case HealthState::kStarting:
      return "starting";
    case HealthState::kReady:
      return "ready";
    case HealthState::kUnresponsive:
      return "unresponsive";
  }
  return "starting";
}

std::optional<HealthState> health_state_from(std::string_view text) {
  if (text == "starting") return HealthState::kStarting;
  if (text == "ready") return HealthState::kReady;
  if (text == "unresponsive") return HealthState::kUnresponsive;
  return std::nullopt;
}

void HealthTracker::answered(Clock::time_point now, AnsweredMap map) {
  if (map == AnsweredMap::kExpected) ready_ = true;
  if (!first_answer_ || now < *first_answer_) first_answer_ = now;
  if (!last_answer_ || now > *last_answer_) last_answer_ = now;
}

void HealthTracker::map_changed(Clock::time_point when) {
  if (!map_change_ || when > *map_change_) map_change_ = when;
}

HealthVerdict HealthTracker::decide(Clock::time_point now) const {
  HealthState quiet_state = ready_ ? HealthState::kReady : HealthState::kStarting;
  Clock::time_point silent_since = last_answer_ ? *last_answer_ : started_ + settings_.start_grace;
  // srcds loads its first map with the same console line: before the first answer, the start grace applies.
  bool changing_map = map_change_ && first_answer_ && *map_change_ >= *first_answer_;
  if (changing_map) silent_since = std::max(silent_since, *map_change_ + settings_.map_change_grace);
  if (settings_.hang.count() <= 0 || now < silent_since + settings_.hang) return {quiet_state, ""};
  auto silent = duration_cast<seconds>(now - (last_answer_ ? *last_answer_ : started_)).count();
  std::string reason = last_answer_
                           ? "unresponsive: no A2S answer for " + std::to_string(silent) + " s"
                           : "unresponsive: no A2S answer since its start " + std::to_string(silent) + " s ago";
  if (changing_map && *map_change_ >= *last_answer_) reason += " (after a map change)";
  return {HealthState::kUnresponsive, std::move(reason)};
}

std::chrono::milliseconds answers_wait(std::chrono::milliseconds interval) {
  return std::min<std::chrono::milliseconds>(std::chrono::milliseconds(500), interval / 2);
}

void WatchedSilence::asked(Clock::time_point when) {
  previous_ = last_;
  last_ = when;
}

WatchedSilence::Clock::time_point WatchedSilence::until(Clock::time_point now) const {
  std::optional<Clock::time_point> counted;
  for (const auto& ask : {last_, previous_}) {
    if (ask && *ask <= now - answer_wait_) {
      counted = ask;
      break;
    }
  }
  if (!counted) return Clock::time_point();
  return std::min(now, *counted + interval_);
}

bool is_map_change_command(std::string_view command) {
  std::string word = lowercase_first_word(command);
  return word == "changelevel" || word == "map";
}

bool is_map_change_line(std::string_view line) {
  return line.find("---- Host_Changelevel ----") != std::string_view::npos ||
         line.find("---- Host_NewGame ----") != std::string_view::npos;
}

std::optional<JournalMapChange> parse_journal_map_change(std::string_view line) {
  Result<json> parsed = parse_json_limited(line);
  if (!parsed.ok() || !parsed->is_object()) return std::nullopt;
  const json& unit = parsed->value("_SYSTEMD_UNIT", json());
  const json& timestamp = parsed->value("__REALTIME_TIMESTAMP", json());
  if (!unit.is_string() || !timestamp.is_string()) return std::nullopt;
  std::string_view name = unit.get_ref<const std::string&>();
  if (!name.starts_with(model::kServerUnitPrefix) || !name.ends_with(model::kServerUnitSuffix)) return std::nullopt;
  name.remove_prefix(model::kServerUnitPrefix.size());
  name.remove_suffix(model::kServerUnitSuffix.size());
  auto instance = model::InstanceName::create(name);
  auto micros = parse_int(timestamp.get_ref<const std::string&>(), 0, std::numeric_limits<std::int64_t>::max());
  if (!instance.ok() || !micros) return std::nullopt;
  return JournalMapChange{*instance, *micros / 1000};
}

std::string health_record_json(const HealthRecord& record) {
  json object = {{"state", std::string(to_string(record.state))},
                 {"since", record.since_unix},
                 {"last_restart_reason", record.last_restart_reason},
                 {"last_restart", optional_json(record.last_restart_unix)}};
  return object.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<HealthRecord> parse_health_record(std::string_view content, const std::string& path) {
  Result<json> parsed = parse_json_limited(content);
  if (!parsed.ok()) return Error::failed(path + ": not a health record: " + parsed.error().message());
  const json& document = *parsed;
  auto bad = [&] { return Error::failed(path + ": not a health record"); };
  if (!document.is_object()) return bad();
  HealthRecord record;
  auto state = health_state_from(document.value("state", std::string()));
  if (!state) return bad();
  record.state = *state;
  const json& since = document.value("since", json());
  const json& reason = document.value("last_restart_reason", json(""));
  const json& restart = document.value("last_restart", json());
  if (!since.is_number_integer() || !reason.is_string() || !(restart.is_null() || restart.is_number_integer())) {
    return bad();
  }
  record.since_unix = since.get<std::int64_t>();
  record.last_restart_reason = reason.get<std::string>();
  if (!restart.is_null()) record.last_restart_unix = restart.get<std::int64_t>();
  return record;
}

}  // namespace left4me::host
