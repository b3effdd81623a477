// Mission files as addons ship them (KeyValues text), and as an attacker could write them: unbalanced,
// unterminated, nested deep, huge, not UTF-8.
#include "host/mission_file.h"

#include "host/key_values.h"

#include <gtest/gtest.h>

#include <string>

#include "testing/test_support.h"
#include "testing/vpk_builder.h"

namespace left4me::host {
namespace {

constexpr std::string_view kMission = R"(// A campaign, as the Authoring Tools write it
"mission"
{
	"Name"		"DarkWood"
	"Version"	"3"
	"DisplayTitle"	"Dark \"Wood\" Extended"
	"Description"	"A walk in the woods." [$X360]
	"modes"
	{
		"coop"
		{
			"2"
			{
				"Map"	"dw_02_cabin"
				"DisplayName"	"The Cabin"
			}
			"1"
			{
				"MAP"	"dw_01_path"
				"DisplayName"	"The Path"
			}
		}
		"versus"
		{
			"1" { "Map" "dw_01_path" }
		}
		"survival" {}
	}
}
)";

TEST(MissionFileTest, ReadsTheTitleAndEachModesMapsInOrder) {
  Result<Mission> mission = parse_mission_file(kMission);
  ASSERT_OK(mission);
  EXPECT_EQ(mission->title, "Dark \"Wood\" Extended");
  ASSERT_EQ(mission->modes.size(), 3u);
  EXPECT_EQ(mission->modes[0].mode, "coop");
  ASSERT_EQ(mission->modes[0].maps.size(), 2u);
  EXPECT_EQ(mission->modes[0].maps[0].map, "dw_01_path");
  EXPECT_EQ(mission->modes[0].maps[0].display_name, "The Path");
  EXPECT_EQ(mission->modes[0].maps[1].map, "dw_02_cabin");
  EXPECT_EQ(mission->modes[1].maps[0].display_name, "");
  EXPECT_TRUE(mission->modes[2].maps.empty());
}

TEST(MissionFileTest, TheNameStandsInForAMissingDisplayTitle) {
  Result<Mission> mission = parse_mission_file("mission { Name Plain modes { coop { 1 { Map plain_01 } } } }");
  ASSERT_OK(mission);
  EXPECT_EQ(mission->title, "Plain");
  EXPECT_EQ(mission->modes[0].maps[0].map, "plain_01");
}

TEST(MissionFileTest, TheBuildersMissionParses) {
  Result<Mission> mission = parse_mission_file(test::mission_text("Test", {{"t_01", "One"}, {"t_02", "Two"}}));
  ASSERT_OK(mission);
  EXPECT_EQ(mission->title, "Test");
  EXPECT_EQ(mission->modes[0].maps[1].display_name, "Two");
}

TEST(MissionFileTest, MalformedTextIsRefusedWithItsLine) {
  EXPECT_EQ(parse_mission_file("\"mission\"\n{\n\"Name\" \"never closed\n}\n").error().message(),
            "line 3: a string that is never closed");
  EXPECT_EQ(parse_mission_file("mission\n{\nName x\n").error().message(),
            "line 4: the block \"mission\" opened on line 2 is never closed");
  EXPECT_EQ(parse_mission_file("mission { } }").error().message(), "line 1: a '}' without its '{'");
  EXPECT_EQ(parse_mission_file("mission { Name }").error().message(), "line 1: the key \"Name\" has no value");
  EXPECT_EQ(parse_mission_file("{ }").error().message(), "line 1: a '{' without a key");
  EXPECT_EQ(parse_mission_file("\"other\" { }").error().message(), "has no \"mission\" block");
  EXPECT_EQ(parse_mission_file("mission { [$X360 }").error().message(), "line 1: a '[' condition that is never closed");
}

TEST(MissionFileTest, LimitsHoldAgainstDeepNestingManyKeysAndLongTokens) {
  std::string deep = "mission { ";
  for (std::size_t i = 0; i < 200000; ++i) deep += "k { ";
  EXPECT_EQ(parse_mission_file(deep).error().message(), "line 1: blocks nested deeper than 32 levels");
  std::string many = "mission { ";
  for (std::size_t i = 0; i <= kMaxKeyValuesNodes; ++i) many += "k v ";
  EXPECT_EQ(parse_mission_file(many + "}").error().message(), "line 1: more than 100000 keys");
  EXPECT_EQ(parse_mission_file("mission { Name \"" + std::string(5000, 'x') + "\" }").error().message(),
            "line 1: a token longer than 4096 bytes");
  EXPECT_EQ(parse_mission_file(std::string(kMaxMissionFileBytes + 1, ' ')).error().message(),
            "is larger than 1048576 bytes");
}

// KeyValues' #base and #include name other files; a mission file naming itself would loop. They are read as
// plain keys and never followed.
TEST(MissionFileTest, IncludesAreNeverFollowed) {
  Result<Mission> mission = parse_mission_file(
      "#base \"missions/self.txt\"\n#include \"missions/self.txt\"\nmission { Name Looped modes { coop { 1 { Map "
      "loop_01 } } } }");
  ASSERT_OK(mission);
  EXPECT_EQ(mission->title, "Looped");
  EXPECT_EQ(mission->modes[0].maps[0].map, "loop_01");
}

TEST(MissionFileTest, TitlesComeOutAsValidUtf8WithoutControlCharacters) {
  Result<Mission> mission = parse_mission_file("mission { DisplayTitle \"caf\xE9\tnoir\x1B[31m\" }");
  ASSERT_OK(mission);
  EXPECT_EQ(mission->title, "caf\xEF\xBF\xBD noir [31m");
  EXPECT_EQ(parse_mission_file("mission { \"k\xFF\x01\" }").error().message(),
            "line 1: the key \"k\xEF\xBF\xBD\" has no value");
}

}  // namespace
}  // namespace left4me::host
