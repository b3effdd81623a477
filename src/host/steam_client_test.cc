// The Steam client library in the servers' HOME: copied from steamcmd's directory, checked at start, and
// the HOME the servers get.
#include "host/steam_client.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "base/file.h"
#include "testing/test_support.h"

namespace left4me::host {
namespace {

class SteamClientTest : public test::TempDirTest {
 protected:
  void SetUp() override {
    ASSERT_OK(make_directories(dir() + "/steamcmd/linux32"));
    ASSERT_OK(write_file_atomic(steamcmd_ + ".sh", "#!/bin/sh\n", 0755));
  }
  model::Layout layout_ = *model::Layout::create(dir() + "/root");
  std::string steamcmd_ = dir() + "/steamcmd/steamcmd";
};

TEST_F(SteamClientTest, SteamcmdKeepsTheLibraryBesideItself) {
  EXPECT_EQ(steamcmd_steam_client("/var/lib/left4me/steam/steamcmd.sh", kSdk32),
            "/var/lib/left4me/steam/linux32/steamclient.so");
  EXPECT_EQ(steamcmd_steam_client("/opt/steamcmd/steamcmd.sh", kSdk64), "/opt/steamcmd/linux64/steamclient.so");
  EXPECT_EQ(layout_.steam_client_library("sdk32"), dir() + "/root/steam-home/.steam/sdk32/steamclient.so");
}

TEST_F(SteamClientTest, InstallCopiesBothLibrariesAndTheCheckPasses) {
  ASSERT_OK(make_directories(dir() + "/steamcmd/linux64"));
  ASSERT_OK(write_file_atomic(dir() + "/steamcmd/linux32/steamclient.so", "32-bit"));
  ASSERT_OK(write_file_atomic(dir() + "/steamcmd/linux64/steamclient.so", "64-bit"));
  ASSERT_FALSE(check_steam_client(layout_).ok());
  ASSERT_OK(install_steam_client(layout_, steamcmd_ + ".sh"));
  EXPECT_EQ(*read_file(layout_.steam_client_library("sdk32")), "32-bit");
  EXPECT_EQ(*read_file(layout_.steam_client_library("sdk64")), "64-bit");
  struct stat st {};
  ASSERT_EQ(::stat(layout_.steam_client_library("sdk32").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);  // readable by every instance uid
  EXPECT_OK(check_steam_client(layout_));
}

TEST_F(SteamClientTest, InstallReplacesAnOlderCopyByRenameSoARunningServerKeepsItsFile) {
  ASSERT_OK(write_file_atomic(dir() + "/steamcmd/linux32/steamclient.so", "old"));
  ASSERT_OK(install_steam_client(layout_, steamcmd_ + ".sh"));
  struct stat before {};
  ASSERT_EQ(::stat(layout_.steam_client_library("sdk32").c_str(), &before), 0);
  ASSERT_OK(write_file_atomic(dir() + "/steamcmd/linux32/steamclient.so", "new"));
  ASSERT_OK(install_steam_client(layout_, steamcmd_ + ".sh"));
  struct stat after {};
  ASSERT_EQ(::stat(layout_.steam_client_library("sdk32").c_str(), &after), 0);
  EXPECT_NE(before.st_ino, after.st_ino);
  EXPECT_EQ(*read_file(layout_.steam_client_library("sdk32")), "new");
  EXPECT_FALSE(path_exists(layout_.steam_client_library("sdk64")));  // steamcmd has no linux64: none
}

TEST_F(SteamClientTest, InstallWithoutSteamcmdsLibraryFailsNamingItAndCopiesNothing) {
  auto installed = install_steam_client(layout_, steamcmd_ + ".sh");
  ASSERT_FALSE(installed.ok());
  EXPECT_EQ(installed.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(installed.error().message().find(dir() + "/steamcmd/linux32/steamclient.so is missing"), std::string::npos)
      << installed.error().message();
  EXPECT_FALSE(path_exists(layout_.steam_home()));
}

TEST_F(SteamClientTest, CheckNamesTheMissingFileAndRefusesASymlinkOrADirectory) {
  auto missing = check_steam_client(layout_);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message().rfind(layout_.steam_client_library("sdk32") + " is missing", 0), 0u)
      << missing.error().message();
  ASSERT_OK(write_file_atomic(dir() + "/elsewhere.so", "x"));
  ASSERT_OK(make_directories(layout_.steam_home() + "/.steam/sdk32"));
  ASSERT_EQ(::symlink((dir() + "/elsewhere.so").c_str(), layout_.steam_client_library("sdk32").c_str()), 0);
  EXPECT_FALSE(check_steam_client(layout_).ok());
  ASSERT_EQ(::unlink(layout_.steam_client_library("sdk32").c_str()), 0);
  ASSERT_OK(make_directories(layout_.steam_client_library("sdk32")));
  EXPECT_FALSE(check_steam_client(layout_).ok());
}

TEST_F(SteamClientTest, TheServersHomeReplacesTheInheritedOne) {
  std::vector<std::string> env =
      server_environment(layout_, {"PATH=/usr/bin", "HOME=/root", "HOMEWARD=x", "FAKE_SRCDS=/bin/true"});
  EXPECT_EQ(env, (std::vector<std::string>{"PATH=/usr/bin", "HOMEWARD=x", "FAKE_SRCDS=/bin/true",
                                           "HOME=" + dir() + "/root/steam-home"}));
}

}  // namespace
}  // namespace left4me::host
