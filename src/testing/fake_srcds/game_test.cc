#include "testing/fake_srcds/game.h"

#include <gtest/gtest.h>

#include "base/file.h"
#include "testing/test_support.h"
#include "testing/vpk_builder.h"

namespace left4me::fake_srcds {
namespace {

TEST(ConsoleLineTest, TokenizesLikeSource) {
  auto commands = tokenize_console_line("hostname \"My  Server\" // comment\nsv_cheats 1; say hi there");
  ASSERT_EQ(commands.size(), 3u);
  EXPECT_EQ(commands[0], (std::vector<std::string>{"hostname", "My  Server"}));
  EXPECT_EQ(commands[1], (std::vector<std::string>{"sv_cheats", "1"}));
  EXPECT_EQ(commands[2], (std::vector<std::string>{"say", "hi", "there"}));
  EXPECT_EQ(tokenize_console_line("a \"x;y\"")[0][1], "x;y");
  EXPECT_TRUE(tokenize_console_line("   // only a comment").empty());
}

class GameTest : public test::TempDirTest {
 protected:
  void SetUp() override {
    options_.game = dir() + "/left4dead2";
    ASSERT_OK(make_directories(options_.game + "/cfg"));
  }

  Options options_;
  Console console_;
};

TEST_F(GameTest, ServerCfgAppliesOnMapLoadAndRulesShowCvars) {
  ASSERT_OK(write_file_atomic(options_.game + "/cfg/server.cfg",
                              "hostname \"Test Server\"\nrcon_password secret\nsv_tags \"a,b\"\nmy_rule 42\n"));
  Game game(options_, console_, Clock::now());
  game.load_map({.map = "c2m1_highway", .mode = "versus"}, true);
  auto info = game.info();
  EXPECT_EQ(info.name, "Test Server");
  EXPECT_EQ(info.map, "c2m1_highway");
  EXPECT_EQ(info.max_players, 8);
  EXPECT_EQ(info.keywords, "versus,a,b,secure");
  EXPECT_EQ(game.rcon_password(), "secret");
  bool found = false;
  for (const auto& rule : game.rules()) {
    EXPECT_NE(rule.name, "rcon_password");
    if (rule.name == "my_rule") found = rule.value == "42";
  }
  EXPECT_TRUE(found);
}

TEST_F(GameTest, ConsoleCommands) {
  Game game(options_, console_, Clock::now());
  EXPECT_EQ(game.execute("echo hello world"), "hello world\n");
  EXPECT_EQ(game.execute("nosuchcommand"), "Unknown command \"nosuchcommand\"\n");
  EXPECT_EQ(game.execute("sv_cheats 1"), "");
  EXPECT_EQ(game.execute("sv_cheats").substr(0, 17), "\"sv_cheats\" = \"1\"");
  EXPECT_EQ(game.execute("changelevel c9m9_nowhere"), "changelevel failed: c9m9_nowhere not found\n");
  EXPECT_EQ(game.execute("changelevel c3m1_plankcountry"), "");
  auto change = game.take_map_change();
  ASSERT_TRUE(change.has_value());
  EXPECT_EQ(change->map, "c3m1_plankcountry");
  EXPECT_GT(game.execute("cvarlist").size(), 4096u);
  EXPECT_EQ(game.execute("exec missing"), "exec: couldn't exec missing.cfg\n");
  EXPECT_FALSE(game.quit_requested());
  game.execute("quit");
  EXPECT_TRUE(game.quit_requested());
}

// protocols.md 5.3: srcds loads a map from an addon VPK in <game>/addons/, not from addons/workshop/ (the
// client's), and a file that is not a VPK offers nothing.
TEST_F(GameTest, MapsInsideAddonVpksExist) {
  ASSERT_OK(make_directories(options_.game + "/addons/workshop"));
  ASSERT_OK(write_file_atomic(options_.game + "/addons/darkwood.vpk",
                              test::VpkBuilder().add("maps/dw_01_path.bsp", "VBSP").build()));
  ASSERT_OK(write_file_atomic(options_.game + "/addons/workshop/other.vpk",
                              test::VpkBuilder().add("maps/ws_map.bsp", "VBSP").build()));
  std::string cut = test::VpkBuilder().add("maps/cut_map.bsp", "VBSP").build();
  ASSERT_OK(write_file_atomic(options_.game + "/addons/cut.vpk", cut.substr(0, cut.size() / 2)));
  Game game(options_, console_, Clock::now());
  EXPECT_TRUE(game.map_exists("dw_01_path"));
  EXPECT_EQ(game.execute("changelevel dw_01_path"), "");
  EXPECT_FALSE(game.map_exists("dw_02_cabin"));
  EXPECT_FALSE(game.map_exists("ws_map"));
  EXPECT_FALSE(game.map_exists("cut_map"));
  EXPECT_EQ(game.execute("map cut_map"), "map load failed: cut_map not found or invalid\n");
}

TEST_F(GameTest, ExecLoopsEnd) {
  ASSERT_OK(write_file_atomic(options_.game + "/cfg/loop.cfg", "exec loop.cfg\n"));
  Game game(options_, console_, Clock::now());
  EXPECT_NE(game.execute("exec loop").find("too many nested execs"), std::string::npos);
}

TEST_F(GameTest, StatusListsSimulatedPlayers) {
  options_.faults.players = 2;
  Game game(options_, console_, Clock::now());
  game.load_map({.map = "c1m1_hotel"}, true);
  std::string status = game.execute("status");
  EXPECT_NE(status.find("players : 2 humans, 0 bots (4 max) (not hibernating) (unreserved)"), std::string::npos)
      << status;
  EXPECT_NE(status.find("\"Rochelle\""), std::string::npos);
  EXPECT_EQ(game.players().size(), 2u);
  EXPECT_GE(game.players()[1].duration_seconds, 150.0f);
}

TEST_F(GameTest, PlayersTakeTheGivenNamesAndLeaveWhenKicked) {
  options_.faults.players = 3;
  options_.faults.player_names = {"<b>Zo\xC3\xAB</b>", "Coach Two"};
  Game game(options_, console_, Clock::now());
  game.load_map({.map = "c1m1_hotel"}, true);
  ASSERT_EQ(game.players().size(), 3u);
  EXPECT_EQ(game.players()[0].name, "<b>Zo\xC3\xAB</b>");
  EXPECT_EQ(game.players()[1].name, "Coach Two");
  EXPECT_EQ(game.players()[2].name, "Coach");
  EXPECT_EQ(game.execute("kick \"Coach Two\""), "");
  EXPECT_EQ(game.execute("kickid 4"), "");  // the third player's userid
  ASSERT_EQ(game.players().size(), 1u);
  EXPECT_EQ(game.players()[0].name, "<b>Zo\xC3\xAB</b>");
  EXPECT_EQ(game.execute("kick Nobody"), "kick: no such player \"Nobody\"\n");
  EXPECT_EQ(game.players().size(), 1u);
}

// The last player leaving lets the server hibernate, so a test can see a server with players become empty.
TEST_F(GameTest, TheLastKickLetsTheServerHibernate) {
  options_.faults.players = 2;
  Game game(options_, console_, Clock::now());
  game.load_map({.map = "c1m1_hotel"}, true);
  EXPECT_EQ(game.execute("kick Nick"), "");
  ASSERT_EQ(game.players().size(), 1u);
  EXPECT_EQ(game.players()[0].name, "Rochelle");
  EXPECT_EQ(game.info().players, 1);
  EXPECT_EQ(game.execute("kick Nick"), "kick: no such player \"Nick\"\n");
  EXPECT_EQ(game.execute("kickid 3"), "");
  EXPECT_TRUE(game.players().empty());
  EXPECT_NE(game.execute("status").find("(hibernating)"), std::string::npos);
}

}  // namespace
}  // namespace left4me::fake_srcds
