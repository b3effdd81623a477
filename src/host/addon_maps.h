// What an addon VPK offers a server: its maps (maps/<name>.bsp whose name the spec accepts) and the
// campaigns its mission files describe (missions/*.txt), read through vpk.h and mission_file.h with their
// limits. A broken mission file is a problem noted beside the result, not a failure of the whole addon.
// Pure apart from the reads it makes through the ReadAt; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "host/mission_file.h"
#include "host/vpk.h"

namespace left4me::host {

// Mission files read from one addon at most (each up to kMaxMissionFileBytes).
inline constexpr std::size_t kMaxMissionsPerAddon = 16;

struct AddonMaps {
  std::vector<std::string> maps;   // names of maps/*.bsp that are valid map names, in tree order
  std::vector<Mission> campaigns;  // each with only the maps whose names are valid
  std::vector<std::string> problems;
};

// Fails only when the VPK's directory cannot be read (not a VPK, a tree that lies): the addon offers nothing.
Result<AddonMaps> read_addon_maps(std::uint64_t file_size, const ReadAt& read);

}  // namespace left4me::host
