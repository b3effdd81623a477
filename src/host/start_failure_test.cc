// The recorded reason of the last failed start: one line, valid UTF-8, bounded, and read as a file of the
// service user's must be (no symlink, no FIFO, nothing larger than we write).
#include "host/start_failure.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "base/file.h"
#include "base/utf8.h"
#include "testing/test_support.h"

namespace left4me::host {
namespace {

class StartFailureTest : public test::TempDirTest {
 protected:
  StartFailureTest() : TempDirTest(test::TempStorage::kMemory) {}
  void SetUp() override { ASSERT_OK(make_directories(layout_.runtime_dir(name_))); }

  model::Layout layout_ = *model::Layout::create(dir() + "/root");
  model::InstanceName name_ = *model::InstanceName::create("alpha");
};

TEST_F(StartFailureTest, NothingRecordedReadsAsNone) {
  Result<std::optional<std::string>> read = read_start_failure(layout_, name_);
  ASSERT_OK(read);
  EXPECT_FALSE(read->has_value());
  ASSERT_OK(clear_start_failure(layout_, name_));
}

TEST_F(StartFailureTest, ARecordedReasonReadsBackAsOneLineUntilCleared) {
  ASSERT_OK(record_start_failure(layout_, name_, "overlay 'x' does not exist\nsecond line"));
  EXPECT_EQ(*read_start_failure(layout_, name_), "overlay 'x' does not exist second line");
  ASSERT_OK(clear_start_failure(layout_, name_));
  EXPECT_FALSE(read_start_failure(layout_, name_)->has_value());
}

TEST_F(StartFailureTest, ALongReasonIsCutAtACharacterAndStaysValidUtf8) {
  std::string reason(kMaxStartFailureBytes - 1, 'a');
  reason += "\xE2\x82\xAC and more";  // the euro sign crosses the bound
  reason += "caf\xE9";                // and a Latin-1 byte after it
  ASSERT_OK(record_start_failure(layout_, name_, reason));
  std::optional<std::string> read = *read_start_failure(layout_, name_);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(*read, std::string(kMaxStartFailureBytes - 1, 'a'));
  ASSERT_OK(record_start_failure(layout_, name_, "caf\xE9"));
  EXPECT_EQ(*read_start_failure(layout_, name_), "caf\xEF\xBF\xBD");
}

TEST_F(StartFailureTest, ASymlinkAFifoAndAHugeFileAreRefusedByName) {
  const std::string path = layout_.last_start_error(name_);
  ASSERT_OK(write_file_atomic(dir() + "/secret", "not for status\n"));
  ASSERT_EQ(::symlink((dir() + "/secret").c_str(), path.c_str()), 0);
  Result<std::optional<std::string>> read = read_start_failure(layout_, name_);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.error().message().find(path), std::string::npos) << read.error().message();
  ASSERT_EQ(::unlink(path.c_str()), 0);

  ASSERT_EQ(::mkfifo(path.c_str(), 0644), 0);  // would block a reader that waits for a writer
  read = read_start_failure(layout_, name_);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().message(), path + ": is not a regular file");
  ASSERT_EQ(::unlink(path.c_str()), 0);

  ASSERT_OK(write_file_atomic(path, std::string(kMaxStartFailureBytes + 2, 'x')));
  read = read_start_failure(layout_, name_);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().message(), path + ": is larger than " + std::to_string(kMaxStartFailureBytes + 1) + " bytes");
}

}  // namespace
}  // namespace left4me::host
