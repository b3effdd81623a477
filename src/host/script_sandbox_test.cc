#include "host/script_sandbox.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace left4me::host {
namespace {

bool has(const std::vector<std::string>& argv, std::string_view wanted) {
  return std::find(argv.begin(), argv.end(), wanted) != argv.end();
}

TEST(ScriptSandbox, OverlayIdsAreDecimalWithoutLeadingZero) {
  EXPECT_TRUE(parse_overlay_id("1").ok());
  EXPECT_TRUE(parse_overlay_id("123456789012345678").ok());
  for (std::string_view bad : {"", "0", "01", "1a", "-1", "../1", "1 2", "1234567890123456789", "abc"}) {
    auto id = parse_overlay_id(bad);
    ASSERT_FALSE(id.ok()) << bad;
    EXPECT_EQ(id.error().code(), ErrorCode::kInvalidArgument);
  }
}

TEST(ScriptSandbox, UnitIsNamedAfterOverlayAndPid) {
  EXPECT_EQ(script_unit_name("7", 4242), "left4me-script-7-4242.service");
}

TEST(ScriptSandbox, DeniedNetworksCoverPrivateRangesAndTheHostsOwn) {
  auto denied = denied_networks({"203.0.113.5/32"});
  for (std::string_view network :
       {"127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "fe80::/10",
        "fc00::/7", "100.64.0.0/10", "224.0.0.0/4", "203.0.113.5/32"}) {
    EXPECT_TRUE(has(denied, network)) << network;
  }
}

TEST(ScriptSandbox, SystemdUnitHasTheSandboxProperties) {
  ScriptLimits limits{150, 1024, 64, 100, 60};
  auto argv = systemd_run_command("/usr/bin/systemd-run", "left4me-script-3-9.service",
                                  {"/srv/l4d/overlays/3", "/srv/l4d/scripts/3.sh", "/srv/l4d"}, 980, 981, limits,
                                  denied_networks({}));
  for (std::string_view wanted : {"--wait",
                                  "--pipe",
                                  "--collect",
                                  "--unit=left4me-script-3-9.service",
                                  "--slice=l4d2-build.slice",
                                  "--property=User=980",
                                  "--property=Group=981",
                                  "--property=NoNewPrivileges=yes",
                                  "--property=ProtectSystem=strict",
                                  "--property=PrivateTmp=yes",
                                  "--property=ProtectHome=yes",
                                  "--property=RestrictNamespaces=yes",
                                  "--property=SystemCallFilter=@system-service",
                                  "--property=TemporaryFileSystem=/etc /var/lib",
                                  "--property=TemporaryFileSystem=/srv/l4d",
                                  "--property=BindPaths=/srv/l4d/overlays/3:/overlay",
                                  "--property=BindReadOnlyPaths=/srv/l4d/scripts/3.sh:/script.sh",
                                  "--property=WorkingDirectory=/overlay",
                                  "--property=CPUQuota=150%",
                                  "--property=MemoryMax=1024M",
                                  "--property=MemorySwapMax=0",
                                  "--property=TasksMax=64",
                                  "--property=RuntimeMaxSec=60",
                                  "--property=LimitFSIZE=104857600",
                                  "/bin/bash",
                                  "/script.sh"}) {
    EXPECT_TRUE(has(argv, wanted)) << wanted;
  }
  auto deny = std::find_if(argv.begin(), argv.end(),
                           [](const std::string& a) { return a.starts_with("--property=IPAddressDeny="); });
  ASSERT_NE(deny, argv.end());
  EXPECT_NE(deny->find("127.0.0.0/8"), std::string::npos);
  EXPECT_FALSE(std::any_of(argv.begin(), argv.end(), [](const std::string& a) {
    return a.starts_with("--property=IPAddressAllow");
  })) << "an allow list would override the deny list";
}

TEST(ScriptSandbox, BubblewrapHasNoNetworkAndOnlyTheOverlayWritable) {
  ScriptLimits limits{100, 256, 32, 10, 5};
  auto argv =
      bubblewrap_command("/usr/bin/prlimit", "/usr/bin/bwrap", {"/proc/self/fd/5", "/proc/self/fd/6", "/r"}, limits);
  EXPECT_EQ(argv[0], "/usr/bin/prlimit");
  for (std::string_view wanted : {"--as=268435456", "--cpu=5", "--nproc=32", "--fsize=10485760", "--unshare-all",
                                  "--die-with-parent", "--clearenv", "/proc/self/fd/5", "/proc/self/fd/6"}) {
    EXPECT_TRUE(has(argv, wanted)) << wanted;
  }
  auto bind = std::find(argv.begin(), argv.end(), "--bind");
  ASSERT_NE(bind, argv.end());
  EXPECT_EQ(*(bind + 1), "/proc/self/fd/5");
  EXPECT_EQ(*(bind + 2), "/overlay");
  EXPECT_EQ(std::count(argv.begin(), argv.end(), "--bind"), 1) << "the overlay is the only writable bind";
  EXPECT_FALSE(has(argv, "/r"));
}

class FinishTree : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() / ("finish-" + std::to_string(::getpid()));
    std::filesystem::create_directories(root_ / "left4dead2/cfg");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  mode_t mode(const std::filesystem::path& path) {
    struct stat st;
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
  }
  std::filesystem::path root_;
};

TEST_F(FinishTree, MakesTheTreeWorldReadableAndDropsLinksLeadingOut) {
  std::ofstream(root_ / "left4dead2/cfg/secret.cfg") << "x";
  ::chmod((root_ / "left4dead2/cfg/secret.cfg").c_str(), 0600);
  ::chmod((root_ / "left4dead2/cfg").c_str(), 0700);
  std::filesystem::create_symlink("/etc/passwd", root_ / "left4dead2/absolute");
  std::filesystem::create_symlink("../../../outside", root_ / "left4dead2/cfg/climbing");
  std::filesystem::create_symlink("../cfg/secret.cfg", root_ / "left4dead2/cfg/inside");
  std::filesystem::create_symlink("/nowhere", root_ / "dangling");
  // A symlinked directory in the middle: "here/here/here/../../.." stays inside counted by name,
  // but climbs three levels from here's target (the overlay itself).
  std::filesystem::create_symlink(".", root_ / "here");
  std::filesystem::create_symlink("here/here/here/../../../etc", root_ / "middle");
  int fd = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  auto removed = finish_overlay_tree(fd);
  ::close(fd);
  ASSERT_TRUE(removed.ok()) << removed.error().message();
  EXPECT_EQ(removed->size(), 4u);
  EXPECT_EQ(mode(root_ / "left4dead2/cfg/secret.cfg"), 0644u);
  EXPECT_EQ(mode(root_ / "left4dead2/cfg"), 0755u);
  EXPECT_FALSE(std::filesystem::is_symlink(root_ / "left4dead2/absolute"));
  EXPECT_FALSE(std::filesystem::is_symlink(root_ / "left4dead2/cfg/climbing"));
  EXPECT_FALSE(std::filesystem::is_symlink(root_ / "dangling"));
  EXPECT_FALSE(std::filesystem::is_symlink(root_ / "middle"));
  EXPECT_TRUE(std::filesystem::is_symlink(root_ / "here"));
  EXPECT_TRUE(std::filesystem::is_symlink(root_ / "left4dead2/cfg/inside"));
  EXPECT_TRUE(std::filesystem::exists("/etc/passwd"));
}

}  // namespace
}  // namespace left4me::host
