// LivePlayer: what a hostile or broken server's A2S_PLAYER durations become.
#include "host/live_player.h"

#include <gtest/gtest.h>

#include <limits>

namespace left4me::host {
namespace {

// A2S_PLAYER's duration is a float the server chooses: NaN, negative or huge values must not reach an integer
// conversion (undefined behaviour) and show as 0 or the cap.
TEST(LivePlayerTest, DurationsOutsideTheRangeAreClamped) {
  auto seconds = [](float duration) { return to_live_player(A2sPlayer{.duration_seconds = duration}).seconds; };
  EXPECT_EQ(seconds(61.9f), 61);
  EXPECT_EQ(seconds(-5.0f), 0);
  EXPECT_EQ(seconds(std::numeric_limits<float>::quiet_NaN()), 0);
  EXPECT_EQ(seconds(-std::numeric_limits<float>::infinity()), 0);
  EXPECT_EQ(seconds(std::numeric_limits<float>::infinity()), kMaxPlayerSeconds);
  EXPECT_EQ(seconds(3e38f), kMaxPlayerSeconds);
  EXPECT_EQ(to_live_player(A2sPlayer{.name = "Ellis", .score = -7}).score, -7);
}

}  // namespace
}  // namespace left4me::host
