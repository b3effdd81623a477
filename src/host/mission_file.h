// A campaign's mission file (missions/<name>.txt inside an addon VPK): Valve KeyValues text such as
// `"mission" { "DisplayTitle" "My Campaign" "modes" { "coop" { "1" { "Map" "mymap_01" "DisplayName" "The
// Start" } ... } } }`, read with host/key_values.h's limits. Read just enough for the campaign's title and
// its maps per mode, in order; every string it returns is valid UTF-8 without control characters. Pure
// functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace left4me::host {

inline constexpr std::size_t kMaxMissionFileBytes = 1024 * 1024;

struct MissionMap {
  std::string map;           // "Map": as written (the caller checks it is a map name)
  std::string display_name;  // "DisplayName", empty if absent
};

struct MissionMode {
  std::string mode;              // "coop", "versus", ...
  std::vector<MissionMap> maps;  // by their numeric keys ("1", "2", ...), ascending
};

struct Mission {
  std::string title;  // "DisplayTitle", else "Name"; empty if neither
  std::vector<MissionMode> modes;
};

// Parses a mission file. Errors (kInvalidArgument) name the line ("line 3: ..."): malformed text, a limit
// passed (key_values.h), or no "mission" block at the top.
Result<Mission> parse_mission_file(std::string_view text);

}  // namespace left4me::host
