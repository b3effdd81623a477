#include "host/instance_identity.h"

#include <gtest/gtest.h>

#include "base/file.h"
#include "testing/test_support.h"

namespace left4me::host {
namespace {

class InstanceIdentityTest : public test::TempDirTest {
 protected:
  void SetUp() override {
    layout_ = *model::Layout::create(dir());
    for (const char* name : {"a", "b", "c"})
      ASSERT_OK(make_directories(layout_->instance_dir(*model::InstanceName::create(name))));
  }
  model::InstanceName name(const char* text) { return *model::InstanceName::create(text); }

  std::optional<model::Layout> layout_;
  IdentityRange range_{100000, 3};
};

TEST_F(InstanceIdentityTest, AllocatesTheLowestFreeUidOnceAndRecordsIt) {
  EXPECT_EQ(*read_instance_uid(*layout_, name("a")), std::nullopt);
  EXPECT_EQ(*ensure_instance_uid(*layout_, name("a"), range_, 980), 100000u);
  EXPECT_EQ(*ensure_instance_uid(*layout_, name("b"), range_, 980), 100001u);
  EXPECT_EQ(*ensure_instance_uid(*layout_, name("a"), range_, 980), 100000u);
  EXPECT_EQ(*read_instance_uid(*layout_, name("b")), std::optional<uid_t>(100001));
  EXPECT_EQ(*read_file(layout_->instance_uid(name("b"))), "100001\n");
  EXPECT_EQ(*ensure_instance_uid(*layout_, name("c"), range_, 980), 100002u);
}

TEST_F(InstanceIdentityTest, RangeExhaustedIsAnError) {
  IdentityRange one{100000, 1};
  ASSERT_OK(ensure_instance_uid(*layout_, name("a"), one, 980));
  Result<uid_t> none = ensure_instance_uid(*layout_, name("b"), one, 980);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message(), "no free instance uid left in 100000+1");
}

TEST_F(InstanceIdentityTest, RefusesTamperedRecords) {
  ASSERT_OK(write_file_atomic(layout_->instance_uid(name("a")), "0\n"));
  EXPECT_FALSE(ensure_instance_uid(*layout_, name("a"), range_, 980).ok());
  ASSERT_OK(write_file_atomic(layout_->instance_uid(name("a")), "5000\n"));
  Result<uid_t> outside = ensure_instance_uid(*layout_, name("a"), range_, 980);
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().message(),
            layout_->instance_uid(name("a")) + ": uid 5000 is outside the instance range 100000..100002");
  ASSERT_OK(write_file_atomic(layout_->instance_uid(name("a")), "100001\n"));
  ASSERT_OK(write_file_atomic(layout_->instance_uid(name("b")), "100001\n"));
  Result<uid_t> shared = ensure_instance_uid(*layout_, name("a"), range_, 980);
  ASSERT_FALSE(shared.ok());
  EXPECT_EQ(shared.error().message(),
            layout_->instance_uid(name("a")) + ": uid 100001 is also recorded for instance 'b'");
  ASSERT_OK(write_file_atomic(layout_->instance_uid(name("b")), "junk\n"));
  EXPECT_FALSE(ensure_instance_uid(*layout_, name("a"), range_, 980).ok());
}

TEST(IdentityRange, ParsesAndValidates) {
  EXPECT_EQ(IdentityRange::create(std::nullopt, std::nullopt)->base, kDefaultInstanceUidBase);
  EXPECT_EQ(IdentityRange::create("200000", "10")->count, 10u);
  EXPECT_FALSE(IdentityRange::create("0", std::nullopt).ok());
  EXPECT_FALSE(IdentityRange::create("2147483000", "1000").ok());
  EXPECT_FALSE(IdentityRange::create(std::nullopt, "0").ok());
  EXPECT_FALSE(IdentityRange::create("x", std::nullopt).ok());
}

}  // namespace
}  // namespace left4me::host
