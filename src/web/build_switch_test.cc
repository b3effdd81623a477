#include "web/build_switch.h"

#include <gtest/gtest.h>

namespace left4me::web {
namespace {

using Clock = std::chrono::steady_clock;

nlohmann::json status(const std::string& state, nlohmann::json build, nlohmann::json players) {
  nlohmann::json live =
      players.is_null() ? nlohmann::json(nullptr) : nlohmann::json{{"players", players}, {"max_players", 8}};
  return {{"name", "alpha"}, {"state", state}, {"build", build}, {"live", live}};
}

const nlohmann::json kOld = {{"id", "100"}, {"version", "2.2.4.3"}, {"current", false}};
const nlohmann::json kCurrent = {{"id", "101"}, {"version", "2.2.4.4"}, {"current", true}};

TEST(BuildSwitchTest, LeavesAServerAloneThatIsStoppedOrAlreadyCurrent) {
  Clock::time_point now = Clock::now();
  EXPECT_EQ(decide_switch(status("stopped", nullptr, nullptr), now, now + std::chrono::hours(1)).step,
            SwitchStep::kDone);
  SwitchDecision current = decide_switch(status("running", kCurrent, 3), now, now + std::chrono::hours(1));
  EXPECT_EQ(current.step, SwitchStep::kDone);
  EXPECT_EQ(current.reason, "the server already runs the current build 101");
}

TEST(BuildSwitchTest, WaitsWhilePlayersAreOnAnOlderBuildAndRestartsWhenEmpty) {
  Clock::time_point now = Clock::now();
  SwitchDecision busy = decide_switch(status("running", kOld, 2), now, now + std::chrono::hours(1));
  EXPECT_EQ(busy.step, SwitchStep::kWait);
  EXPECT_EQ(busy.players, 2);
  EXPECT_EQ(decide_switch(status("running", kOld, 0), now, now + std::chrono::hours(1)).step, SwitchStep::kRestartNow);
  // Mounted before builds lived side by side: no build recorded, so it is older than any current one.
  EXPECT_EQ(decide_switch(status("running", nullptr, 0), now, now + std::chrono::hours(1)).step,
            SwitchStep::kRestartNow);
  // Not answering A2S: its players are unknown, so it is not taken for empty.
  EXPECT_EQ(decide_switch(status("running", kOld, nullptr), now, now + std::chrono::hours(1)).step, SwitchStep::kWait);
}

TEST(BuildSwitchTest, WarnsAtTheMaximumWait) {
  Clock::time_point now = Clock::now();
  EXPECT_EQ(decide_switch(status("running", kOld, 2), now, now).step, SwitchStep::kWarnThenRestart);
  EXPECT_EQ(decide_switch(status("starting", kOld, nullptr), now, now - std::chrono::seconds(1)).step,
            SwitchStep::kWarnThenRestart);
  EXPECT_EQ(switch_warning(std::chrono::seconds(60)),
            "This server restarts in 60 seconds for a game update. Reconnect afterwards.");
}

}  // namespace
}  // namespace left4me::web
