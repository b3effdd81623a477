// The game modes a form offers: every internal name is one the spec accepts, none twice, each with a title.
#include "model/game_modes.h"

#include <gtest/gtest.h>

#include <set>

#include "model/spec_rules.h"

namespace left4me::model {
namespace {

TEST(GameModesTest, EveryModeIsOneTheSpecAcceptsOnceWithATitle) {
  std::set<std::string_view> names;
  for (const GameMode& mode : game_modes()) {
    EXPECT_TRUE(is_valid_game_mode(mode.name)) << mode.name;
    EXPECT_FALSE(mode.title.empty()) << mode.name;
    EXPECT_TRUE(names.insert(mode.name).second) << mode.name << " twice";
  }
  for (std::string_view base : {"coop", "realism", "versus", "survival", "scavenge", "teamversus", "teamscavenge"}) {
    EXPECT_NE(find_game_mode(base), nullptr) << base;
  }
}

TEST(GameModesTest, CoopIsCampaignAndComesFirst) {
  ASSERT_FALSE(game_modes().empty());
  EXPECT_EQ(game_modes()[0].name, "coop");
  EXPECT_EQ(game_modes()[0].title, "Campaign");
  ASSERT_NE(find_game_mode("mutation12"), nullptr);
  EXPECT_EQ(find_game_mode("mutation12")->title, "Realism Versus");
  EXPECT_EQ(find_game_mode("mutation12")->kind, GameModeKind::kMutation);
  EXPECT_EQ(find_game_mode("teamversus")->kind, GameModeKind::kTeam);
  EXPECT_EQ(find_game_mode("deathmatch"), nullptr);
}

}  // namespace
}  // namespace left4me::model
