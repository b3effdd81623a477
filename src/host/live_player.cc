#include "host/live_player.h"

#include <cmath>

namespace left4me::host {

LivePlayer to_live_player(const A2sPlayer& player) {
  float duration = player.duration_seconds;
  std::int64_t seconds = 0;
  if (std::isnan(duration) || duration <= 0) {
    seconds = 0;
  } else if (duration >= static_cast<float>(kMaxPlayerSeconds)) {
    seconds = kMaxPlayerSeconds;
  } else {
    seconds = static_cast<std::int64_t>(duration);
  }
  return LivePlayer{player.name, player.score, seconds};
}

}  // namespace left4me::host
