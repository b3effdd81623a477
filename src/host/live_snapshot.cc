#include "host/live_snapshot.h"

#include <nlohmann/json.hpp>

#include "json/parse_json.h"
#include "model/instance_name.h"

namespace left4me::host {
namespace {

using nlohmann::json;

constexpr int kMaxPlayers = 255;  // A2S_INFO's player counts are one byte

std::optional<LiveAnswer> answer_from(const json& entry) {
  if (!entry.is_object()) return std::nullopt;
  const json& pid = entry.value("pid", json());
  const json& answered = entry.value("answered", json());
  const json& hostname = entry.value("hostname", json());
  const json& map = entry.value("map", json());
  const json& players = entry.value("players", json());
  const json& max_players = entry.value("max_players", json());
  const json& query_ms = entry.value("query_ms", json());
  if (!pid.is_number_integer() || !answered.is_number_integer() || !hostname.is_string() || !map.is_string() ||
      !players.is_number_integer() || !max_players.is_number_integer() || !query_ms.is_number()) {
    return std::nullopt;
  }
  LiveAnswer answer{pid.get<std::int64_t>(), answered.get<std::int64_t>(), hostname.get<std::string>(),
                    map.get<std::string>(),  players.get<int>(),           max_players.get<int>(),
                    query_ms.get<double>()};
  if (answer.pid <= 0 || answer.players < 0 || answer.players > kMaxPlayers || answer.max_players < 0 ||
      answer.max_players > kMaxPlayers || answer.query_ms < 0) {
    return std::nullopt;
  }
  return answer;
}

std::optional<LayerFacts> layer_from(const json& entry) {
  if (!entry.is_object()) return std::nullopt;
  const json& pid = entry.value("pid", json());
  const json& measured = entry.value("measured", json());
  const json& mounted = entry.value("mounted", json());
  const json& upper_bytes = entry.value("upper_bytes", json());
  if (!pid.is_number_integer() || !measured.is_number_integer() || !mounted.is_boolean() ||
      !upper_bytes.is_number_unsigned()) {
    return std::nullopt;
  }
  LayerFacts layer{pid.get<std::int64_t>(), measured.get<std::int64_t>(), mounted.get<bool>(),
                   upper_bytes.get<std::uint64_t>()};
  if (layer.pid <= 0) return std::nullopt;
  return layer;
}

// Whether what was written or measured at `at_unix_ms` may be shown at `now_unix_ms`: within two rounds, and
// not from the future (a clock set back).
}  // namespace

std::string live_snapshot_json(const LiveSnapshot& snapshot) {
  json answers = json::object();
  for (const auto& [name, answer] : snapshot.answers) {
    answers[name] = {{"pid", answer.pid},           {"answered", answer.answered_unix_ms},
                     {"hostname", answer.hostname}, {"map", answer.map},
                     {"players", answer.players},   {"max_players", answer.max_players},
                     {"query_ms", answer.query_ms}};
  }
  json layers = json::object();
  for (const auto& [name, layer] : snapshot.layers) {
    layers[name] = {{"pid", layer.pid},
                    {"measured", layer.measured_unix_ms},
                    {"mounted", layer.mounted},
                    {"upper_bytes", layer.upper_bytes}};
  }
  json object = {{"written", snapshot.written_unix_ms},
                 {"interval_ms", snapshot.interval_ms},
                 {"answers", std::move(answers)},
                 {"layers", std::move(layers)}};
  return object.dump(-1, ' ', false, json::error_handler_t::replace);
}

bool within_two_rounds(std::int64_t interval_ms, std::int64_t at_unix_ms, std::int64_t now_unix_ms) {
  std::int64_t age = now_unix_ms - at_unix_ms;
  return age >= 0 && age <= 2 * interval_ms;
}

Result<LiveSnapshot> parse_live_snapshot(std::string_view content, const std::string& path) {
  Result<json> parsed = parse_json_limited(content);
  if (!parsed.ok()) return Error::failed(path + ": not a live snapshot: " + parsed.error().message());
  const json& document = *parsed;
  auto bad = [&] { return Error::failed(path + ": not a live snapshot"); };
  if (!document.is_object()) return bad();
  const json& written = document.value("written", json());
  const json& interval = document.value("interval_ms", json());
  const json& answers = document.value("answers", json());
  const json& layers = document.value("layers", json::object());  // none from a monitor before they were measured
  if (!written.is_number_integer() || !interval.is_number_integer() || !answers.is_object() || !layers.is_object()) {
    return bad();
  }
  LiveSnapshot snapshot;
  snapshot.written_unix_ms = written.get<std::int64_t>();
  snapshot.interval_ms = interval.get<std::int64_t>();
  if (snapshot.interval_ms <= 0) return bad();
  // An entry that is not one is left out: list then asks that server itself.
  for (const auto& [name, entry] : answers.items()) {
    if (!model::InstanceName::is_valid(name)) continue;
    if (auto answer = answer_from(entry)) snapshot.answers.emplace(name, std::move(*answer));
  }
  for (const auto& [name, entry] : layers.items()) {
    if (!model::InstanceName::is_valid(name)) continue;
    if (auto layer = layer_from(entry)) snapshot.layers.emplace(name, *layer);
  }
  return snapshot;
}

std::optional<LiveAnswer> fresh_answer(const LiveSnapshot& snapshot, const std::string& name, std::int64_t pid,
                                       std::int64_t now_unix_ms) {
  if (!within_two_rounds(snapshot.interval_ms, snapshot.written_unix_ms, now_unix_ms)) return std::nullopt;
  auto found = snapshot.answers.find(name);
  if (found == snapshot.answers.end() || found->second.pid != pid) return std::nullopt;
  if (!within_two_rounds(snapshot.interval_ms, found->second.answered_unix_ms, now_unix_ms)) return std::nullopt;
  return found->second;
}

std::optional<LayerFacts> fresh_layer(const LiveSnapshot& snapshot, const std::string& name, std::int64_t pid,
                                      std::int64_t now_unix_ms) {
  if (!within_two_rounds(snapshot.interval_ms, snapshot.written_unix_ms, now_unix_ms)) return std::nullopt;
  auto found = snapshot.layers.find(name);
  if (found == snapshot.layers.end() || found->second.pid != pid) return std::nullopt;
  if (!within_two_rounds(snapshot.interval_ms, found->second.measured_unix_ms, now_unix_ms)) return std::nullopt;
  return found->second;
}

}  // namespace left4me::host
