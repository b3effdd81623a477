#include "host/mission_file.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "base/strings.h"
#include "base/utf8.h"
#include "host/key_values.h"
#include "model/spec_rules.h"

namespace left4me::host {
namespace {

// Text for people: valid UTF-8, control characters as spaces, trimmed.
std::string clean(std::string_view text) {
  std::string valid = make_valid_utf8(text);
  for (char& c : valid) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  }
  return std::string(trim(valid));
}

std::string string_value(const KeyValue& node, std::string_view key) {
  const KeyValue* found = node.find(key);
  return found != nullptr && !found->block ? clean(found->value) : std::string();
}

MissionMode read_mode(const KeyValue& mode) {
  std::vector<std::pair<long long, MissionMap>> numbered;
  for (const KeyValue& chapter : mode.children) {
    std::optional<long long> number = parse_int(chapter.key, 0, 1000000);
    if (!chapter.block || !number) continue;
    numbered.emplace_back(*number, MissionMap{string_value(chapter, "Map"), string_value(chapter, "DisplayName")});
  }
  std::stable_sort(numbered.begin(), numbered.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  MissionMode result{.mode = clean(mode.key)};
  for (auto& [number, map] : numbered) result.maps.push_back(std::move(map));
  return result;
}

}  // namespace

Result<Mission> parse_mission_file(std::string_view text) {
  if (text.size() > kMaxMissionFileBytes) {
    return Error::invalid("is larger than " + std::to_string(kMaxMissionFileBytes) + " bytes");
  }
  auto nodes = parse_key_values_entries(text, "");
  if (!nodes.ok()) return nodes.error();
  const KeyValue* mission = nullptr;
  for (const KeyValue& node : *nodes) {
    if (node.block && model::lowercase(node.key) == "mission") mission = &node;
  }
  if (mission == nullptr) return Error::invalid("has no \"mission\" block");
  Mission result{.title = string_value(*mission, "DisplayTitle")};
  if (result.title.empty()) result.title = string_value(*mission, "Name");
  if (const KeyValue* modes = mission->find("modes"); modes != nullptr && modes->block) {
    for (const KeyValue& mode : modes->children) {
      if (mode.block) result.modes.push_back(read_mode(mode));
    }
  }
  return result;
}

}  // namespace left4me::host
