// probe_mounts_at against the mount table (libmount) on real mounts: nothing, a tmpfs, the same-filesystem
// bind of the upstream bug, stacked binds, a symlink to a mount point.
#include "host/mount_probe.h"

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "base/file.h"
#include "host/mount_table.h"
#include "testing/test_support.h"

namespace left4me::host {
namespace {

class MountProbeTest : public test::TempDirTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for real mounts";
    for (const char* name : {"source", "target", "other"}) ASSERT_EQ(::mkdir((dir() + "/" + name).c_str(), 0755), 0);
  }
  void TearDown() override {
    for (int i = 0; i < 4; ++i) ::umount2(path("target").c_str(), MNT_DETACH);
  }
  std::string path(const std::string& name) const { return dir() + "/" + name; }

  // The probe's answer, checked against the mount table's for the same path.
  MountsAt probe_checked(const std::string& at) {
    std::optional<MountsAt> probed = probe_mounts_at(at);
    Result<MountTable> table = MountTable::read();
    EXPECT_OK(table);
    if (!probed || !table.ok()) {
      ADD_FAILURE() << "no answer for " << at << " on a kernel with statmount";
      return {};
    }
    EXPECT_EQ(probed->count, table->count_at(at)) << at;
    const MountEntry* top = table->top_at(at);
    EXPECT_EQ(probed->top_fstype, top ? top->fstype : "") << at;
    return *probed;
  }
  static bool has_statmount() {
    struct utsname name {};
    ::uname(&name);
    int major = 0, minor = 0;
    std::sscanf(name.release, "%d.%d", &major, &minor);
    return major > 6 || (major == 6 && minor >= 8);
  }
};

TEST_F(MountProbeTest, AgreesWithTheMountTable) {
  if (!has_statmount()) GTEST_SKIP() << "statmount needs Linux 6.8; the mount table answers instead";
  EXPECT_EQ(probe_checked(path("target")).count, 0u);

  ASSERT_EQ(::mount("left4me-probe", path("target").c_str(), "tmpfs", 0, "size=1m"), 0);
  MountsAt tmpfs = probe_checked(path("target"));
  EXPECT_EQ(tmpfs.count, 1u);
  EXPECT_EQ(tmpfs.top_fstype, "tmpfs");

  // Stacked: a bind on top of the tmpfs at the same path (what the upstream bug piled up).
  ASSERT_EQ(::mount(path("source").c_str(), path("target").c_str(), nullptr, MS_BIND, nullptr), 0);
  MountsAt stacked = probe_checked(path("target"));
  EXPECT_EQ(stacked.count, 2u);
  ASSERT_EQ(::umount2(path("target").c_str(), 0), 0);
  ASSERT_EQ(::umount2(path("target").c_str(), 0), 0);
  EXPECT_EQ(probe_checked(path("target")).count, 0u);
  EXPECT_EQ(probe_checked(path("other")).count, 0u);
}

// Upstream bug: a bind mount within one filesystem has the parent's st_dev; it is still seen as mounted.
TEST_F(MountProbeTest, RegressionSameFilesystemBindIsSeenAsMounted) {
  if (!has_statmount()) GTEST_SKIP() << "statmount needs Linux 6.8; the mount table answers instead";
  ASSERT_EQ(::mount(path("source").c_str(), path("target").c_str(), nullptr, MS_BIND, nullptr), 0);
  struct stat target_stat {
  }, parent_stat{};
  ASSERT_EQ(::stat(path("target").c_str(), &target_stat), 0);
  ASSERT_EQ(::stat(dir().c_str(), &parent_stat), 0);
  EXPECT_EQ(target_stat.st_dev, parent_stat.st_dev);  // the premise of the bug
  EXPECT_EQ(probe_checked(path("target")).count, 1u);
}

TEST_F(MountProbeTest, ASymlinkToAMountPointIsNotOne) {
  ASSERT_EQ(::mount("left4me-probe", path("target").c_str(), "tmpfs", 0, "size=1m"), 0);
  ASSERT_EQ(::symlink(path("target").c_str(), path("link").c_str()), 0);
  std::optional<MountsAt> link = probe_mounts_at(path("link"));
  ASSERT_TRUE(link.has_value());  // answered without statmount: not a mount root
  EXPECT_EQ(link->count, 0u);
}

TEST(MountProbe, NothingIsMountedOnAMissingPath) {
  std::optional<MountsAt> missing = probe_mounts_at("/nonexistent/left4me/merged");
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->count, 0u);
  std::optional<MountsAt> through_a_file = probe_mounts_at("/etc/hostname/merged");
  ASSERT_TRUE(through_a_file.has_value());
  EXPECT_EQ(through_a_file->count, 0u);
}

}  // namespace
}  // namespace left4me::host
