// LivePlayer: one player of a running server as l4d2ctl shows them (status --players), made from a decoded
// A2S_PLAYER record whose every field the server chose. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "host/source_wire.h"

namespace left4me::host {

struct LivePlayer {
  std::string name;  // valid UTF-8 (the decoder replaced what was not)
  std::int32_t score = 0;
  std::int64_t seconds = 0;  // whole seconds connected, 0..kMaxPlayerSeconds

  bool operator==(const LivePlayer&) const = default;
};

// Ten years: more than any real connection, small enough for every JSON reader.
inline constexpr std::int64_t kMaxPlayerSeconds = 10LL * 365 * 24 * 3600;

// The duration is whatever float the server sent (negative, NaN, infinite, huge), so seconds is its whole part
// clamped to 0..kMaxPlayerSeconds, 0 for NaN; never an out-of-range float-to-integer conversion.
LivePlayer to_live_player(const A2sPlayer& player);

}  // namespace left4me::host
