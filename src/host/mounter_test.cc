#include "host/mounter.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/file.h"

namespace left4me::host {
namespace {

class HelperMounterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "as non-root the helper runs through sudo";
    char dir[] = "/tmp/left4me-mounter.XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    dir_ = dir;
    helper_ = dir_ + "/fake-overlay";
  }
  void TearDown() override {
    if (!dir_.empty()) {
      EXPECT_TRUE(remove_tree(dir_).ok());
    }
  }
  void fake_helper(const std::string& body) {
    ASSERT_TRUE(write_file_atomic(helper_, "#!/bin/sh\n" + body + "\n", 0755).ok());
  }
  std::string dir_;
  std::string helper_;
};

TEST_F(HelperMounterTest, RunsTheHelperWithVerbAndName) {
  fake_helper("echo \"$@\" >> " + dir_ + "/calls");
  std::unique_ptr<Mounter> mounter = make_helper_mounter(*model::Layout::create(dir_), helper_);
  model::InstanceName name = *model::InstanceName::create("alpha");
  ASSERT_TRUE(mounter->mount(name).ok());
  ASSERT_TRUE(mounter->unmount(name).ok());
  EXPECT_EQ(*read_file(dir_ + "/calls"), "mount alpha\numount alpha\n");
  Result<bool> mounted = mounter->is_mounted(name);
  ASSERT_TRUE(mounted.ok()) << mounted.error().message();
  EXPECT_FALSE(*mounted);
}

TEST_F(HelperMounterTest, AFailingHelperBecomesAnErrorWithItsMessage) {
  fake_helper("echo 'left4me-overlay: mount '\\''alpha'\\'': runtime/alpha: does not exist' >&2; exit 1");
  std::unique_ptr<Mounter> mounter = make_helper_mounter(*model::Layout::create(dir_), helper_);
  Status status = mounter->mount(*model::InstanceName::create("alpha"));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message(), "mount 'alpha': left4me-overlay: mount 'alpha': runtime/alpha: does not exist");
}

TEST_F(HelperMounterTest, DirectMounterReportsAMissingInstance) {
  std::unique_ptr<Mounter> mounter = make_direct_mounter(*model::Layout::create(dir_), IdentityRange{});
  Status status = mounter->mount(*model::InstanceName::create("ghost"));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message(), "mount 'ghost': runtime/ghost: does not exist (initialize first)");
  EXPECT_TRUE(mounter->unmount(*model::InstanceName::create("ghost")).ok());
}

}  // namespace
}  // namespace left4me::host
