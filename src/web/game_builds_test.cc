#include "web/game_builds.h"

#include <gtest/gtest.h>

#include "testing/test_support.h"

namespace left4me::web {
namespace {

TEST(GameBuildsTest, ParsesWhatInstallListPrints) {
  Result<GameBuilds> builds = parse_game_builds(
      R"({"current":{"id":"101","version":"2.2.4.4"},
          "builds":[{"id":"100","version":"2.2.4.3","current":false,"used_by":["web-1"]},
                    {"id":"101","version":"2.2.4.4","current":true,"used_by":[]}],
          "instances":{"web-1":{"id":"100","version":"2.2.4.3"}},
          "last_check":{"at":1700000000,"current":"101","available":"102","update_available":true,"error":null}})");
  ASSERT_OK(builds);
  ASSERT_EQ(builds->builds.size(), 2u);
  EXPECT_EQ(builds->builds[0].used_by, std::vector<std::string>{"web-1"});
  EXPECT_EQ(builds->current, "101");
  ASSERT_TRUE(builds->last_check);
  EXPECT_EQ(builds->last_check->at, 1700000000);
  EXPECT_EQ(builds->last_check->available, "102");
  EXPECT_TRUE(builds->is_installed("100"));
  EXPECT_FALSE(builds->is_installed("102"));
}

TEST(GameBuildsTest, AFailedCheckAndNoCheckAreKeptApart) {
  Result<GameBuilds> failed = parse_game_builds(
      R"({"current":null,"builds":[],"last_check":{"at":5,"available":null,"error":"steamcmd failed"}})");
  ASSERT_OK(failed);
  ASSERT_TRUE(failed->last_check);
  EXPECT_FALSE(failed->last_check->available);
  EXPECT_EQ(failed->last_check->error, "steamcmd failed");
  Result<GameBuilds> never = parse_game_builds(R"({"current":null,"builds":[],"last_check":null})");
  ASSERT_OK(never);
  EXPECT_FALSE(never->last_check);
  EXPECT_FALSE(never->current);
}

TEST(GameBuildsTest, ReadsTheDataRootsDiskAndAcceptsAHostWithoutIt) {
  Result<GameBuilds> builds = parse_game_builds(
      R"({"current":null,"builds":[],"last_check":null,
          "disk":{"path":"/var/lib/left4me","free_bytes":21474836480,"total_bytes":107374182400}})");
  ASSERT_OK(builds);
  ASSERT_TRUE(builds->disk);
  EXPECT_EQ(builds->disk->path, "/var/lib/left4me");
  EXPECT_EQ(builds->disk->free_bytes, 21474836480u);
  EXPECT_EQ(builds->disk->total_bytes, 107374182400u);
  // A host from before the field, or one whose statvfs failed: not known, and the builds are still read.
  for (const char* text : {R"({"current":null,"builds":[{"id":"100","current":true}]})",
                           R"({"current":null,"builds":[{"id":"100","current":true}],"disk":null})"}) {
    Result<GameBuilds> older = parse_game_builds(text);
    ASSERT_OK(older);
    EXPECT_FALSE(older->disk) << text;
    EXPECT_EQ(older->current, "100") << text;
  }
  for (const char* text :
       {R"({"builds":[],"disk":"full"})", R"({"builds":[],"disk":{"path":"/x","free_bytes":-1,"total_bytes":5}})",
        R"({"builds":[],"disk":{"path":"/x","free_bytes":1}})",
        R"({"builds":[],"disk":{"path":7,"free_bytes":1,"total_bytes":5}})"}) {
    Result<GameBuilds> bad = parse_game_builds(text);
    ASSERT_FALSE(bad.ok()) << text;
    EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(bad.error().message().find("disk:"), std::string::npos) << bad.error().message();
  }
}

TEST(GameBuildsTest, RefusesWhatIsNotAListOfBuilds) {
  EXPECT_EQ(parse_game_builds("[]").error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_game_builds(R"({"builds":[{"version":"1"}]})").error().message(),
            "l4d2ctl install --list: a build without an id");
  EXPECT_FALSE(parse_game_builds("not json").ok());
}

TEST(GameBuildsTest, TheCheckIsDueWhenNoneRanWithinTheInterval) {
  const std::chrono::hours day(24);
  EXPECT_TRUE(update_check_due(std::nullopt, 1000, day));
  EXPECT_FALSE(update_check_due(UpdateCheck{.at = 1000}, 1000 + 86399, day));
  EXPECT_TRUE(update_check_due(UpdateCheck{.at = 1000}, 1000 + 86400, day));
  EXPECT_TRUE(update_check_due(UpdateCheck{.at = 1000, .error = "failed"}, 1000 + 86400, day));
  EXPECT_FALSE(update_check_due(std::nullopt, 1000, std::chrono::hours(0)));  // turned off
}

TEST(GameBuildsTest, BuildIdsAreDigitsOnly) {
  EXPECT_TRUE(is_build_id("16034045"));
  EXPECT_FALSE(is_build_id(""));
  EXPECT_FALSE(is_build_id("--remove"));
  EXPECT_FALSE(is_build_id("1/../2"));
  EXPECT_FALSE(is_build_id(std::string(21, '1')));
}

}  // namespace
}  // namespace left4me::web
