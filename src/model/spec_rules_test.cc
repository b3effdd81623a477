#include "model/spec_rules.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model/game_modes.h"

namespace left4me::model {
namespace {

TEST(SpecRulesTest, QuotedEscapesAndTruncates) {
  EXPECT_EQ(quoted_value("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\x01\"");
  EXPECT_EQ(quoted_value(std::string(70, 'x')), "\"" + std::string(64, 'x') + "\"...");
}

// The web form offers these: each must be a mode the spec accepts.
TEST(SpecRulesTest, SuggestedGameModesAreValidAndNameEveryNamedMode) {
  std::vector<std::string> modes = suggested_game_modes();
  for (const std::string& mode : modes) EXPECT_TRUE(is_valid_game_mode(mode)) << mode;
  EXPECT_EQ(modes.size(), game_modes().size());
  EXPECT_EQ(modes.front(), "coop");
  EXPECT_TRUE(is_valid_game_mode("mutation12"));
  EXPECT_FALSE(is_valid_game_mode("mutation0"));
  EXPECT_FALSE(is_valid_game_mode("deathmatch"));
}

}  // namespace
}  // namespace left4me::model
