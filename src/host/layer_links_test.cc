#include "host/layer_links.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "base/file.h"
#include "base/unique_fd.h"
#include "testing/test_support.h"

namespace left4me::host {
namespace {

TEST(SymlinkLeadsOut, RelativeLinksThatStayInTheGameTreeAreKept) {
  EXPECT_EQ(symlink_leads_out("left4dead2/cfg/a.cfg", "b.cfg"), std::nullopt);
  EXPECT_EQ(symlink_leads_out("left4dead2/cfg/a.cfg", "../addons/x.vpk"), std::nullopt);
  EXPECT_EQ(symlink_leads_out("left4dead2/cfg/a.cfg", "../../left4dead2/maps/./c1m1.bsp"), std::nullopt);
  EXPECT_EQ(symlink_leads_out("top", "left4dead2//cfg/"), std::nullopt);
  EXPECT_EQ(symlink_leads_out("top", "."), std::nullopt);
}

TEST(SymlinkLeadsOut, AbsoluteEmptyClimbingAndDotDotAfterANameAreRefused) {
  EXPECT_EQ(symlink_leads_out("left4dead2/x", "/etc/shadow"), "absolute");
  EXPECT_EQ(symlink_leads_out("left4dead2/x", "/srv/left4me/installation/left4dead2"), "absolute");
  EXPECT_EQ(symlink_leads_out("left4dead2/x", ""), "empty target");
  EXPECT_EQ(symlink_leads_out("left4dead2/cfg/x", "../../../upper"), "climbs above the layer");
  EXPECT_EQ(symlink_leads_out("x", ".."), "climbs above the layer");
  EXPECT_EQ(symlink_leads_out("x", "./../."), "climbs above the layer");
  // Lexically inside, but "a" may be a symlinked directory: the kernel climbs from a's target.
  EXPECT_EQ(symlink_leads_out("y", "a/../b"),
            "'..' after a named component: a symlinked directory there would climb from its own target");
  EXPECT_TRUE(symlink_leads_out("left4dead2/cfg/y", "../x/x/x/../../../../etc"));
}

class RefuseLinksOutTest : public test::TempDirTest {
 protected:
  void make(const std::string& relative) {
    ASSERT_TRUE(std::filesystem::create_directories(dir() + "/" + relative) ||
                std::filesystem::is_directory(dir() + "/" + relative));
  }
  void link(const std::string& target, const std::string& relative) {
    std::filesystem::create_symlink(target, dir() + "/" + relative);
  }
  Status check() {
    UniqueFd fd(::open(dir().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    return refuse_links_out(fd.get());
  }
};

TEST_F(RefuseLinksOutTest, ALayerOfFilesDirectoriesAndInsideLinksPasses) {
  make("left4dead2/cfg");
  make("left4dead2/addons");
  ASSERT_OK(write_file_atomic(dir() + "/left4dead2/cfg/server.cfg", "hostname x\n"));
  link("server.cfg", "left4dead2/cfg/alias.cfg");
  link("../cfg", "left4dead2/addons/cfg");
  EXPECT_OK(check());
}

TEST_F(RefuseLinksOutTest, EachHostileLinkIsNamedWithItsTarget) {
  make("left4dead2/addons/deep/er");
  link("/etc/shadow", "left4dead2/addons/deep/er/x.vpk");
  Status status = check();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message(),
            "symlink 'left4dead2/addons/deep/er/x.vpk' -> '/etc/shadow' leads out of the game tree (absolute)");
}

TEST_F(RefuseLinksOutTest, ASymlinkedDirectoryInTheMiddleIsRefused) {
  make("left4dead2");
  link(".", "left4dead2/here");  // harmless alone
  link("here/here/here/../../../etc", "left4dead2/y");
  Status status = check();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message().find("symlink 'left4dead2/y' -> 'here/here/here/../../../etc'"), std::string::npos)
      << status.error().message();
}

}  // namespace
}  // namespace left4me::host
