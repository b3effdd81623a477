#include "host/game_builds.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.h"
#include "host/steamcmd.h"
#include "testing/test_support.h"

namespace left4me::host {
namespace {

std::string manifest(std::string_view build_id) {
  return "\"AppState\"\n{\n\t\"appid\"\t\t\"222860\"\n\t\"buildid\"\t\t\"" + std::string(build_id) + "\"\n}\n";
}

class GameBuildsTest : public test::TempDirTest {
 protected:
  GameBuildsTest() : layout_(*model::Layout::create(dir() + "/root")) {}

  // A game tree at dir with the given build id and version.
  void make_tree(const std::string& dir, std::string_view id, std::string_view version = "2.2.4.3") {
    ASSERT_OK(make_directories(dir + "/left4dead2"));
    ASSERT_OK(make_directories(dir + "/steamapps"));
    ASSERT_OK(write_file_atomic(dir + "/steamapps/appmanifest_222860.acf", manifest(id)));
    ASSERT_OK(write_file_atomic(dir + "/left4dead2/steam.inf",
                                "ServerVersion=1\nPatchVersion=" + std::string(version) + "\n"));
    ASSERT_OK(write_file_atomic(dir + "/srcds_run", "#!/bin/sh\n", 0755));
  }
  void mount_record(std::string_view instance, std::string_view id) {
    auto name = *model::InstanceName::create(instance);
    ASSERT_OK(make_directories(layout_.runtime_dir(name)));
    ASSERT_OK(write_file_atomic(layout_.mounted_build(name), std::string(id) + "\n"));
  }

  model::Layout layout_;
  MountedCheck all_mounted_ = [](const model::InstanceName&) { return true; };
};

TEST(GameBuildManifestTest, ReadsTheBuildIdAndRefusesEachBadShape) {
  auto id = build_id_from_manifest(manifest("16034045"), "a.acf");
  ASSERT_OK(id);
  EXPECT_EQ(*id, "16034045");
  struct Bad {
    std::string text;
    std::string message;
  };
  const Bad cases[] = {
      {"\"Other\"\n{\n\"buildid\" \"1\"\n}\n", "a.acf: the top-level block is 'Other', expected 'AppState'"},
      {"\"AppState\"\n{\n\"appid\" \"222860\"\n}\n", "a.acf: AppState has no buildid"},
      {"\"AppState\"\n{\n\"buildid\"\n{\n}\n}\n", "a.acf: AppState has no buildid"},
      {manifest("12a4"), "a.acf: buildid '12a4' is not 1 to 20 decimal digits"},
      {manifest(""), "a.acf: buildid '' is not 1 to 20 decimal digits"},
      {manifest("../../etc"), "a.acf: buildid '../../etc' is not 1 to 20 decimal digits"},
      {manifest("123456789012345678901"), "a.acf: buildid '123456789012345678901' is not 1 to 20 decimal digits"},
      {"\"AppState\"\n{\n\"buildid\" \"1\"\n", "a.acf:4: the block \"AppState\" opened on line 2 is never closed"},
  };
  for (const Bad& bad : cases) {
    auto parsed = build_id_from_manifest(bad.text, "a.acf");
    ASSERT_FALSE(parsed.ok()) << bad.text;
    EXPECT_EQ(parsed.error().message(), bad.message);
  }
}

TEST(GameBuildManifestTest, ReadsThePatchVersion) {
  auto version = patch_version_from_steam_inf("ClientVersion=2243\r\nPatchVersion=2.2.4.3\r\n", "steam.inf");
  ASSERT_OK(version);
  EXPECT_EQ(*version, "2.2.4.3");
  EXPECT_EQ(patch_version_from_steam_inf("ClientVersion=1\n", "s.inf").error().message(),
            "s.inf: no PatchVersion line");
  EXPECT_EQ(patch_version_from_steam_inf("PatchVersion=2.2;rm\n", "s.inf").error().message(),
            "s.inf: PatchVersion '2.2;rm' is not a version like 2.2.4.3");
}

TEST(GameBuildManifestTest, ReadsThePublicBuildFromAppInfoOutput) {
  std::string output =
      "Connecting anonymously to Steam Public...OK\nAppID : 222860, change number : 1/0\n\"222860\"\n{\n"
      "\t\"common\"\n\t{\n\t\t\"name\"\t\t\"Left 4 Dead 2 Dedicated Server\"\n\t}\n\t\"depots\"\n\t{\n"
      "\t\t\"branches\"\n\t\t{\n\t\t\t\"public\"\n\t\t\t{\n\t\t\t\t\"buildid\"\t\t\"17000001\"\n\t\t\t}\n\t\t}\n\t}\n}"
      "\n"
      "Unloading Steam API...OK\n";
  auto id = public_build_id_from_app_info(output);
  ASSERT_OK(id);
  EXPECT_EQ(*id, "17000001");
  EXPECT_FALSE(public_build_id_from_app_info("Unloading Steam API...OK\n").ok());
  EXPECT_FALSE(public_build_id_from_app_info("\"222860\"\n{\n\"depots\"\n{\n}\n}\n").ok());
  EXPECT_FALSE(public_build_id_from_app_info("\"222860\"\n{\n\"depots\" {").ok());
}

TEST_F(GameBuildsTest, MigratesASingleInstallationDirectoryOnce) {
  make_tree(layout_.installation(), "100");
  ASSERT_OK(migrate_single_installation(layout_));
  EXPECT_EQ(current_build_id(layout_), "100");
  EXPECT_TRUE(path_exists(layout_.installation() + "/srcds_run"));  // the old path keeps working
  EXPECT_TRUE(is_directory(layout_.installation_build("100")));
  ASSERT_OK(migrate_single_installation(layout_));  // a link: nothing to do
  EXPECT_EQ(current_build_id(layout_), "100");
}

TEST_F(GameBuildsTest, MigrationRemovesAnEmptyInstallationDirectory) {
  ASSERT_OK(make_directories(layout_.installation()));
  ASSERT_OK(migrate_single_installation(layout_));
  EXPECT_FALSE(path_exists(layout_.installation()));
}

TEST_F(GameBuildsTest, MigrationRefusesATreeWithoutABuildIdAndChangesNothing) {
  ASSERT_OK(make_directories(layout_.installation() + "/left4dead2"));
  auto migrated = migrate_single_installation(layout_);
  ASSERT_FALSE(migrated.ok());
  EXPECT_NE(migrated.error().message().find("its build id is unknown"), std::string::npos)
      << migrated.error().message();
  EXPECT_TRUE(is_directory(layout_.installation() + "/left4dead2"));
  EXPECT_FALSE(path_exists(layout_.installations()));
}

TEST_F(GameBuildsTest, MakeCurrentSwitchesTheLinkAndRefusesUnknownBuilds) {
  make_tree(layout_.installation_build("100"), "100", "2.2.4.3");
  make_tree(layout_.installation_build("200"), "200", "2.2.4.4");
  ASSERT_OK(make_current(layout_, "200"));
  EXPECT_EQ(current_build_id(layout_), "200");
  ASSERT_OK(make_current(layout_, "100"));
  EXPECT_EQ(current_build_id(layout_), "100");
  EXPECT_EQ(make_current(layout_, "300").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(make_current(layout_, "../100").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(current_build_id(layout_), "100");
}

TEST_F(GameBuildsTest, ListsBuildsWithTheirVersionsAndUsers) {
  make_tree(layout_.installation_build("900"), "900", "2.2.4.3");
  make_tree(layout_.installation_build("1000"), "1000", "2.2.4.4");
  ASSERT_OK(make_directories(layout_.installation_staging()));  // never listed
  ASSERT_OK(make_current(layout_, "1000"));
  mount_record("alpha", "900");
  mount_record("beta", "1000");
  mount_record("gamma", "900");
  auto only_alpha_and_beta = [](const model::InstanceName& name) { return name.str() != "gamma"; };
  auto builds = installed_builds(layout_, only_alpha_and_beta);
  ASSERT_OK(builds);
  ASSERT_EQ(builds->size(), 2u);
  EXPECT_EQ((*builds)[0].id, "900");  // numerically, not as text
  EXPECT_EQ((*builds)[0].version, "2.2.4.3");
  EXPECT_FALSE((*builds)[0].current);
  EXPECT_EQ((*builds)[0].used_by, std::vector<std::string>{"alpha"});
  EXPECT_EQ((*builds)[1].id, "1000");
  EXPECT_TRUE((*builds)[1].current);
  EXPECT_EQ((*builds)[1].used_by, std::vector<std::string>{"beta"});
}

TEST_F(GameBuildsTest, DiskSpaceReadsTheFilesystemAndNamesAMissingPath) {
  Result<DiskSpace> space = disk_space(dir());
  ASSERT_OK(space);
  EXPECT_GT(space->total_bytes, 0u);
  EXPECT_LE(space->free_bytes, space->total_bytes);
  Result<DiskSpace> missing = disk_space(dir() + "/nowhere");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message().find(dir() + "/nowhere"), std::string::npos) << missing.error().message();
}

TEST_F(GameBuildsTest, RemoveRefusesTheCurrentBuildAndBuildsInUse) {
  make_tree(layout_.installation_build("100"), "100");
  make_tree(layout_.installation_build("200"), "200");
  make_tree(layout_.installation_build("300"), "300");
  ASSERT_OK(make_current(layout_, "300"));
  mount_record("alpha", "100");
  auto current = remove_build(layout_, "300", all_mounted_);
  ASSERT_FALSE(current.ok());
  EXPECT_NE(current.error().message().find("is the current build"), std::string::npos);
  auto used = remove_build(layout_, "100", all_mounted_);
  ASSERT_FALSE(used.ok());
  EXPECT_EQ(used.error().message(), "build 100 is in use by alpha (stop or restart them first)");
  EXPECT_TRUE(is_directory(layout_.installation_build("100")));
  ASSERT_OK(remove_build(layout_, "200", all_mounted_));
  EXPECT_FALSE(path_exists(layout_.installation_build("200")));
  EXPECT_EQ(remove_build(layout_, "200", all_mounted_).error().code(), ErrorCode::kNotFound);
  // Once alpha is no longer mounted, its old build can go.
  ASSERT_OK(remove_build(layout_, "100", [](const model::InstanceName&) { return false; }));
}

TEST_F(GameBuildsTest, RemoveKeepsEveryBuildWhileAnInstanceIsMountedWithoutARecord) {
  make_tree(layout_.installation_build("100"), "100");
  make_tree(layout_.installation_build("200"), "200");
  ASSERT_OK(make_current(layout_, "200"));
  ASSERT_OK(make_directories(layout_.runtime_dir(*model::InstanceName::create("legacy"))));
  auto removed = remove_build(layout_, "100", all_mounted_);
  ASSERT_FALSE(removed.ok());
  EXPECT_NE(removed.error().message().find("in use by legacy"), std::string::npos);
}

TEST_F(GameBuildsTest, PruneKeepsTheNewestTheCurrentAndTheUsedBuilds) {
  for (const char* id : {"100", "200", "300", "400", "500"}) make_tree(layout_.installation_build(id), id);
  ASSERT_OK(make_current(layout_, "200"));  // a rollback: the current build is not the newest
  mount_record("alpha", "100");
  auto removed = prune_builds(layout_, 2, all_mounted_);
  ASSERT_OK(removed);
  EXPECT_EQ(*removed, std::vector<std::string>{"300"});
  for (const char* id : {"100", "200", "400", "500"}) EXPECT_TRUE(is_directory(layout_.installation_build(id))) << id;
  EXPECT_TRUE(prune_builds(layout_, 0, all_mounted_)->empty());
}

// An update rewrites files of its copy in place (fake-steamcmd does, and nobody knows what real steamcmd
// does): the copy must share no inode with the build it came from, whatever the filesystem.
TEST_F(GameBuildsTest, CopyIsIndependentOfItsSourceEvenWhenRewrittenInPlace) {
  const std::string from = dir() + "/from";
  make_tree(from, "100");
  ASSERT_OK(make_directories(from + "/left4dead2/maps"));
  ASSERT_OK(write_file_atomic(from + "/left4dead2/maps/c1m1_hotel.bsp", std::string(100000, 'v')));
  ASSERT_EQ(::symlink("srcds_run", (from + "/link").c_str()), 0);
  // A sparse file: its hole stays a hole in the copy.
  {
    int fd = ::open((from + "/sparse.vpk").c_str(), O_WRONLY | O_CREAT, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, "VPK", 3), 3);
    ASSERT_EQ(::ftruncate(fd, 64 << 20), 0);
    ::close(fd);
  }
  const std::string to = dir() + "/to";
  auto copied = copy_build_tree(from, to);
  ASSERT_OK(copied);
  EXPECT_EQ(copied->files, 5u);
  struct stat source {
  }, copy{};
  ASSERT_EQ(::stat((from + "/srcds_run").c_str(), &source), 0);
  ASSERT_EQ(::stat((to + "/srcds_run").c_str(), &copy), 0);
  EXPECT_NE(source.st_ino, copy.st_ino);
  EXPECT_EQ(copy.st_mode & 07777, 0755u);
  EXPECT_EQ(copy.st_mtim.tv_sec, source.st_mtim.tv_sec);
  char target[64] = {};
  ASSERT_GT(::readlink((to + "/link").c_str(), target, sizeof target - 1), 0);
  EXPECT_STREQ(target, "srcds_run");
  ASSERT_EQ(::stat((to + "/sparse.vpk").c_str(), &copy), 0);
  EXPECT_EQ(copy.st_size, 64 << 20);
  EXPECT_LT(copy.st_blocks * 512, 1 << 20);
  // Rewrite the copy in place (same inode, O_TRUNC): the source is unchanged.
  int fd = ::open((to + "/left4dead2/maps/c1m1_hotel.bsp").c_str(), O_WRONLY | O_TRUNC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "new", 3), 3);
  ::close(fd);
  auto original = read_file(from + "/left4dead2/maps/c1m1_hotel.bsp");
  ASSERT_OK(original);
  EXPECT_EQ(*original, std::string(100000, 'v'));
  EXPECT_FALSE(copy_build_tree(from, to).ok());  // the target must not exist
}

}  // namespace
}  // namespace left4me::host
