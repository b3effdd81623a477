#include "host/addon_maps.h"

#include <algorithm>

#include "model/spec_rules.h"

namespace left4me::host {
namespace {

bool is_map_entry(std::string_view extension, std::string_view directory) {
  return model::lowercase(extension) == "bsp" && model::lowercase(directory) == "maps";
}

bool is_mission_entry(std::string_view extension, std::string_view directory) {
  return model::lowercase(extension) == "txt" && model::lowercase(directory) == "missions";
}

// The mission with only the maps a spec could name; modes left without maps are dropped.
Mission usable(Mission mission) {
  for (MissionMode& mode : mission.modes) {
    std::erase_if(mode.maps, [](const MissionMap& map) { return !model::is_valid_map_name(map.map); });
  }
  std::erase_if(mission.modes, [](const MissionMode& mode) { return mode.maps.empty(); });
  return mission;
}

}  // namespace

Result<AddonMaps> read_addon_maps(std::uint64_t file_size, const ReadAt& read) {
  auto directory =
      read_vpk_directory(file_size, read, [](std::string_view extension, std::string_view path, std::string_view) {
        return is_map_entry(extension, path) || is_mission_entry(extension, path);
      });
  if (!directory.ok()) return directory.error();
  AddonMaps addon;
  if (directory->skipped > 0) {
    std::size_t skipped = directory->skipped;
    addon.problems.push_back("skipped " + std::to_string(skipped) + (skipped == 1 ? " entry" : " entries") +
                             " whose path is not a plain relative path");
  }
  std::size_t missions = 0;
  for (const VpkEntry& entry : directory->entries) {
    if (is_map_entry(entry.extension, entry.directory)) {
      if (model::is_valid_map_name(entry.name)) addon.maps.push_back(entry.name);
      continue;
    }
    if (++missions > kMaxMissionsPerAddon) {
      addon.problems.push_back(entry.path() + ": not read (more than " + std::to_string(kMaxMissionsPerAddon) +
                               " mission files)");
      continue;
    }
    auto text = read_vpk_entry(*directory, entry, read, kMaxMissionFileBytes);
    if (!text.ok()) {
      addon.problems.push_back(text.error().message());
      continue;
    }
    auto mission = parse_mission_file(*text);
    if (!mission.ok()) {
      addon.problems.push_back(entry.path() + ": " + mission.error().message());
      continue;
    }
    Mission kept = usable(std::move(*mission));
    if (!kept.modes.empty()) addon.campaigns.push_back(std::move(kept));
  }
  return addon;
}

}  // namespace left4me::host
