#include "testing/fake_srcds/options.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "testing/test_support.h"

namespace left4me::fake_srcds {
namespace {

TEST(OptionsTest, ParsesTheCommandLineLeft4meUses) {
  auto options = parse_command_line({"-game",     "left4dead2",          "-norestart",   "-strictportbind",
                                     "+ip",       "127.0.0.1",           "-port",        "27020",
                                     "+map",      "c2m1_highway versus", "-maxplayers",  "8",
                                     "+exec",     "extra.cfg",           "+sv_region",   "-1",
                                     "+hostname", "My Server",           "-unknownflag", "-condebug",
                                     "-insecure"});
  ASSERT_OK(options);
  EXPECT_EQ(options->game, "left4dead2");
  EXPECT_EQ(options->ip, "127.0.0.1");
  EXPECT_EQ(options->port, 27020);
  EXPECT_EQ(options->map, "c2m1_highway");
  EXPECT_EQ(options->mode, "versus");
  EXPECT_EQ(options->maxplayers, 8);
  EXPECT_TRUE(options->condebug);
  EXPECT_TRUE(options->insecure);
  ASSERT_EQ(options->commands.size(), 3u);
  EXPECT_EQ(options->commands[0].line, "exec \"extra.cfg\"");
  EXPECT_EQ(options->commands[1].line, "sv_region \"-1\"");  // a negative number is a value, not a flag
  EXPECT_EQ(options->commands[2].line, "hostname \"My Server\"");
}

TEST(OptionsTest, HostportAndPlusMaxplayers) {
  auto options = parse_command_line({"+hostport", "27111", "+maxplayers", "12", "+map", "c1m1_hotel"});
  ASSERT_OK(options);
  EXPECT_EQ(options->port, 27111);
  EXPECT_EQ(options->maxplayers, 12);
  EXPECT_EQ(options->mode, "");
  EXPECT_EQ(options->ip, "0.0.0.0");
}

TEST(OptionsTest, BadValuesNameTheParameter) {
  auto port = parse_command_line({"-port", "70000"});
  ASSERT_FALSE(port.ok());
  EXPECT_EQ(port.error().message(), "-port: '70000' is not a port in 1..65535");
  EXPECT_FALSE(parse_command_line({"-maxplayers", "0"}).ok());
  EXPECT_FALSE(parse_command_line({"+map"}).ok());
  EXPECT_FALSE(parse_command_line({"-port"}).ok());
}

TEST(OptionsTest, FaultEnvironment) {
  ::setenv("FAKE_SRCDS_CRASH_AFTER", "1.5", 1);
  ::setenv("FAKE_SRCDS_PLAYERS", "3", 1);
  ::setenv("FAKE_SRCDS_NO_CHALLENGE", "1", 1);
  ::setenv("FAKE_SRCDS_INVALID_UTF8_HOSTNAME", "1", 1);
  Options options;
  ASSERT_OK(read_fault_environment(options));
  EXPECT_EQ(options.faults.crash_after, std::chrono::milliseconds(1500));
  EXPECT_EQ(options.faults.players, 3);
  EXPECT_TRUE(options.faults.no_challenge);
  EXPECT_TRUE(options.faults.invalid_utf8_hostname);
  ::setenv("FAKE_SRCDS_PLAYERS", "many", 1);
  auto status = read_fault_environment(options);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message(), "FAKE_SRCDS_PLAYERS: 'many' is not an integer in 0..255");
  ::unsetenv("FAKE_SRCDS_CRASH_AFTER");
  ::unsetenv("FAKE_SRCDS_PLAYERS");
  ::unsetenv("FAKE_SRCDS_NO_CHALLENGE");
  ::unsetenv("FAKE_SRCDS_INVALID_UTF8_HOSTNAME");
}

}  // namespace
}  // namespace left4me::fake_srcds
