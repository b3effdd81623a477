#include "host/mounter.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "base/file.h"
#include "testing/test_support.h"

namespace left4me::host {
namespace {

class HelperMounterTest : public test::TempDirTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "as non-root the helper runs through sudo";
    helper_ = dir() + "/fake-overlay";
  }
  void fake_helper(const std::string& body) {
    ASSERT_OK(write_file_atomic(helper_, "#!/bin/sh\n" + body + "\n", 0755));
  }
  std::string helper_;
};

TEST_F(HelperMounterTest, RunsTheHelperWithVerbAndName) {
  fake_helper("echo \"$@\" >> " + dir() + "/calls");
  std::unique_ptr<Mounter> mounter = make_helper_mounter(*model::Layout::create(dir()), helper_);
  model::InstanceName name = *model::InstanceName::create("alpha");
  ASSERT_OK(mounter->mount(name));
  ASSERT_OK(mounter->unmount(name));
  EXPECT_EQ(*read_file(dir() + "/calls"), "mount alpha\numount alpha\n");
  Result<bool> mounted = mounter->is_mounted(name);
  ASSERT_OK(mounted);
  EXPECT_FALSE(*mounted);
}

TEST_F(HelperMounterTest, AFailingHelperBecomesAnErrorWithItsMessage) {
  fake_helper("echo 'left4me-overlay: mount '\\''alpha'\\'': runtime/alpha: does not exist' >&2; exit 1");
  std::unique_ptr<Mounter> mounter = make_helper_mounter(*model::Layout::create(dir()), helper_);
  Status status = mounter->mount(*model::InstanceName::create("alpha"));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message(), "mount 'alpha': left4me-overlay: mount 'alpha': runtime/alpha: does not exist");
}

TEST_F(HelperMounterTest, DirectMounterReportsAMissingInstance) {
  std::unique_ptr<Mounter> mounter = make_direct_mounter(*model::Layout::create(dir()), IdentityRange{});
  Status status = mounter->mount(*model::InstanceName::create("ghost"));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message(), "mount 'ghost': runtime/ghost: does not exist (initialize first)");
  EXPECT_OK(mounter->unmount(*model::InstanceName::create("ghost")));
}

}  // namespace
}  // namespace left4me::host
