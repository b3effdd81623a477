#include "host/mount_table.h"

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "base/file.h"
#include "testing/test_support.h"

namespace left4me::host {
namespace {

TEST(MountTable, ParsesAMountinfoFileAndMatchesTheMountPointField) {
  test::TempDir dir;
  std::string file = dir.path() + "/mountinfo";
  ASSERT_OK(write_file_atomic(file,
                              "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
                              "42 27 254:0 /srv/x /srv/a\\040b rw - ext4 /dev/vda rw\n"
                              "43 42 254:0 /srv/y /srv/a\\040b rw - ext4 /dev/vda rw\n"
                              "44 27 0:39 / /srv/ab rw - overlay left4me rw,lowerdir=/l\n"));
  Result<MountTable> table = MountTable::read(file);
  ASSERT_OK(table);
  EXPECT_EQ(table->count_at("/srv/a b"), 2u);
  EXPECT_EQ(table->top_at("/srv/a b")->id, 43);
  EXPECT_TRUE(table->is_mountpoint("/"));
  EXPECT_FALSE(table->is_mountpoint("/srv"));
  EXPECT_EQ(table->under("/srv/a b").size(), 2u);
  EXPECT_EQ(table->under("/srv").size(), 3u);
  EXPECT_EQ(table->under("/srv/a").size(), 0u);  // "/srv/ab" and "/srv/a b" are not below "/srv/a"
  EXPECT_EQ(table->top_at("/srv/ab")->fstype, "overlay");
}

TEST(MountTable, MissingFileIsAnError) { EXPECT_FALSE(MountTable::read("/nonexistent/mountinfo").ok()); }

// Upstream bug: os.path.ismount() compared st_dev with the parent directory, which says "not
// mounted" for a bind mount within one filesystem; umount was skipped and binds stacked up.
TEST(MountTable, RegressionSameFilesystemBindIsDetectedAsMounted) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root for a real bind mount";
  test::TempDir dir;
  std::string source = dir.path() + "/source";
  std::string target = dir.path() + "/target";
  ASSERT_EQ(::mkdir(source.c_str(), 0755), 0);
  ASSERT_EQ(::mkdir(target.c_str(), 0755), 0);
  Result<bool> before = is_mountpoint(target);
  ASSERT_OK(before);
  EXPECT_FALSE(*before);
  ASSERT_EQ(::mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr), 0);
  // The premise of the bug: the bind sits on the same filesystem as its parent.
  struct stat target_stat, parent_stat;
  ASSERT_EQ(::stat(target.c_str(), &target_stat), 0);
  ASSERT_EQ(::stat(dir.path().c_str(), &parent_stat), 0);
  EXPECT_EQ(target_stat.st_dev, parent_stat.st_dev);
  Result<bool> after = is_mountpoint(target);
  Result<MountTable> table = MountTable::read();
  ::umount2(target.c_str(), MNT_DETACH);
  ASSERT_OK(after);
  EXPECT_TRUE(*after);
  ASSERT_OK(table);
  EXPECT_EQ(table->count_at(target), 1u);
  EXPECT_EQ(table->top_at(target)->root, source);
  Result<bool> gone = is_mountpoint(target);
  ASSERT_OK(gone);
  EXPECT_FALSE(*gone);
}

}  // namespace
}  // namespace left4me::host
