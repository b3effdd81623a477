// A campaign's mission file (KeyValues text, src/host/mission_file.h) as an addon ships it. Invariants: every
// string of a parsed mission is valid UTF-8 without control characters; a mode's maps are at most its keys;
// errors are valid UTF-8 (they quote keys).
#include <string>

#include "base/utf8.h"
#include "fuzz/fuzz_check.h"
#include "host/mission_file.h"

namespace left4me::fuzz {
namespace {

void require_clean(const std::string& text) {
  require(is_valid_utf8(text), "mission strings are valid UTF-8");
  for (char c : text) {
    require(static_cast<unsigned char>(c) >= 0x20 && c != 0x7F, "mission strings hold no control character");
  }
}

}  // namespace
}  // namespace left4me::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace left4me;
  auto mission = host::parse_mission_file(fuzz::as_text(data, size));
  if (!mission.ok()) {
    fuzz::require(is_valid_utf8(mission.error().message()), "errors are valid UTF-8");
    return 0;
  }
  fuzz::require_clean(mission->title);
  for (const host::MissionMode& mode : mission->modes) {
    fuzz::require_clean(mode.mode);
    for (const host::MissionMap& map : mode.maps) {
      fuzz::require_clean(map.map);
      fuzz::require_clean(map.display_name);
    }
  }
  return 0;
}
