#include "base/result.h"

#include <gtest/gtest.h>

#include "testing/test_support.h"

namespace left4me {
namespace {

Result<int> half(int value) {
  if (value % 2 != 0) return Error::invalid("half: " + std::to_string(value) + " is odd");
  return value / 2;
}

TEST(ResultTest, HoldsValueOrError) {
  auto good = half(4);
  ASSERT_OK(good);
  EXPECT_EQ(*good, 2);
  auto bad = half(3);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().message(), "half: 3 is odd");
}

TEST(ResultTest, FromErrnoKeepsSubjectAndMapsCode) {
  Error error = Error::from_errno("open /nope", ENOENT);
  EXPECT_EQ(error.code(), ErrorCode::kNotFound);
  EXPECT_EQ(error.sys_errno(), ENOENT);
  EXPECT_EQ(error.message(), "open /nope: No such file or directory");
  EXPECT_EQ(error.with_context("start 'a'").message(), "start 'a': open /nope: No such file or directory");
}

TEST(ResultTest, StatusDefaultsToOk) {
  Status status;
  EXPECT_OK(status);
  Status failed = Error::failed("boom");
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().message(), "boom");
}

}  // namespace
}  // namespace left4me
