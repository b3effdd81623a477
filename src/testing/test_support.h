// What every module's unit tests share: ASSERT_OK/EXPECT_OK, which print the error of a failed Result,
// and TempDir, a private directory removed with its contents. Test code only; not thread-safe.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "base/result.h"

namespace left4me::test {

// The predicate of ASSERT_OK/EXPECT_OK: success, or a failure naming the expression and the error. Takes
// a Result<T>/Status, or a result that reports through message() (model::SpecResult).
template <typename R>
::testing::AssertionResult result_is_ok(const char* expression, const R& result) {
  if (result.ok()) return ::testing::AssertionSuccess();
  if constexpr (requires { result.error().message(); }) {
    return ::testing::AssertionFailure() << expression << " failed: " << result.error().message();
  } else {
    return ::testing::AssertionFailure() << expression << " failed: " << result.message();
  }
}

// Where a TempDir lives: on /tmp's filesystem, or in memory (/dev/shm, tmpfs), where the fsync of every
// atomic write costs nothing; tests that write many small files and must stay fast use kMemory.
enum class TempStorage { kDisk, kMemory };

// A fresh directory (mode 0700), removed with everything in it (symlinks not followed) when the object
// goes away. Aborts the test program if no directory can be made.
class TempDir {
 public:
  explicit TempDir(TempStorage storage = TempStorage::kDisk);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A fixture whose tests each get their own TempDir, dir().
class TempDirTest : public ::testing::Test {
 protected:
  explicit TempDirTest(TempStorage storage = TempStorage::kDisk) : temp_(storage) {}
  const std::string& dir() const { return temp_.path(); }

 private:
  TempDir temp_;
};

}  // namespace left4me::test

// ASSERT_OK(result) / EXPECT_OK(result): the Result or Status must be ok; a failure prints its message.
#define ASSERT_OK(result) ASSERT_PRED_FORMAT1(::left4me::test::result_is_ok, result)
#define EXPECT_OK(result) EXPECT_PRED_FORMAT1(::left4me::test::result_is_ok, result)
