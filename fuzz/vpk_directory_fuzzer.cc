// An addon VPK as the map catalog reads it (src/host/vpk.h, src/host/addon_maps.h): the header and directory
// tree, every entry stored in the same file, and the addon's maps and mission files. Invariants: nothing is
// ever read past the end of the file; kept entries are plain relative UTF-8 paths, within the entry limit,
// whose data lies inside the file; an entry's content is as long as its entry says; the addon's maps are
// valid map names and its campaigns', problems' and errors' text is valid UTF-8.
#include <string>

#include "base/strings.h"
#include "base/utf8.h"
#include "fuzz/fuzz_check.h"
#include "host/addon_maps.h"
#include "host/vpk.h"
#include "model/spec_rules.h"

namespace left4me::fuzz {
namespace {

// memory_reader, which also fails the run if it is ever asked for bytes past the end.
host::ReadAt checked_reader(std::string_view bytes) {
  return [bytes](std::uint64_t offset, std::size_t length) {
    require(offset <= bytes.size() && length <= bytes.size() - offset, "nothing is read past the end of the file");
    return host::memory_reader(bytes)(offset, length);
  };
}

bool is_plain(const std::string& part) {
  return !part.empty() && part != "." && part != ".." && part.find('\\') == std::string::npos && is_valid_utf8(part);
}

void check_directory(std::string_view bytes) {
  auto directory = host::read_vpk_directory(bytes.size(), checked_reader(bytes), nullptr);
  if (!directory.ok()) {
    require(is_valid_utf8(directory.error().message()), "errors are valid UTF-8");
    return;
  }
  require(directory->entries.size() <= host::kMaxVpkEntries, "at most kMaxVpkEntries entries are kept");
  require(directory->data_start <= bytes.size(), "the tree ends inside the file");
  for (const host::VpkEntry& entry : directory->entries) {
    require(is_valid_utf8(entry.path()), "kept paths are valid UTF-8");
    for (const std::string& part : split(entry.path(), '/')) require(is_plain(part), "kept paths are plain");
    auto content = host::read_vpk_entry(*directory, entry, checked_reader(bytes), 65536);
    if (!content.ok()) continue;
    require(content->size() == std::size_t{entry.preload_bytes} + entry.entry_length,
            "an entry's content is its preload bytes and its data");
  }
}

void check_addon(std::string_view bytes) {
  auto addon = host::read_addon_maps(bytes.size(), checked_reader(bytes));
  if (!addon.ok()) {
    require(is_valid_utf8(addon.error().message()), "errors are valid UTF-8");
    return;
  }
  for (const std::string& map : addon->maps) require(model::is_valid_map_name(map), "addon maps are map names");
  for (const host::Mission& mission : addon->campaigns) {
    require(is_valid_utf8(mission.title), "campaign titles are valid UTF-8");
    for (const host::MissionMode& mode : mission.modes) {
      require(!mode.maps.empty(), "a campaign's modes have maps");
      for (const host::MissionMap& map : mode.maps) {
        require(model::is_valid_map_name(map.map), "campaign maps are map names");
        require(is_valid_utf8(map.display_name), "chapter names are valid UTF-8");
      }
    }
  }
  for (const std::string& problem : addon->problems) require(is_valid_utf8(problem), "problems are valid UTF-8");
}

}  // namespace
}  // namespace left4me::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes = left4me::fuzz::as_text(data, size);
  left4me::fuzz::check_directory(bytes);
  left4me::fuzz::check_addon(bytes);
  return 0;
}
