#include "host/console_log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "testing/test_support.h"

namespace left4me::host {
namespace {

class ConsoleLogTest : public test::TempDirTest {
 protected:
  std::string path_ = dir() + "/console.log";
};

TEST_F(ConsoleLogTest, TailReachesIntoTheRotatedFile) {
  auto writer = ConsoleLogWriter::open(path_, 40);
  ASSERT_OK(writer);
  for (int i = 0; i < 10; ++i) ASSERT_OK(writer->write_line("line " + std::to_string(i)));
  EXPECT_TRUE(std::filesystem::exists(path_ + ".1"));
  auto tail = tail_console_log(path_, 6);
  ASSERT_OK(tail);
  ASSERT_EQ(tail->size(), 6u);
  EXPECT_EQ(tail->front(), "line 4");
  EXPECT_EQ(tail->back(), "line 9");
  auto none = tail_console_log(dir() + "/missing.log", 5);
  ASSERT_OK(none);
  EXPECT_TRUE(none->empty());
}

TEST_F(ConsoleLogTest, FollowSeesNewLinesAcrossRotation) {
  auto writer = ConsoleLogWriter::open(path_, 64);
  ASSERT_OK(writer);
  ASSERT_OK(writer->write_line("before"));
  std::vector<std::string> seen;
  std::atomic<bool> stop{false};
  std::thread follower([&] {
    auto status = follow_console_log(
        path_, 1,
        [&](std::string_view line) {
          seen.emplace_back(line);
          return line != "line 19";
        },
        &stop);
    EXPECT_OK(status);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  for (int i = 0; i < 20; ++i) ASSERT_OK(writer->write_line("line " + std::to_string(i)));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline && (seen.empty() || seen.back() != "line 19")) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop = true;
  follower.join();
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front(), "before");
  std::vector<std::string> expected = {"before"};
  for (int i = 0; i < 20; ++i) expected.push_back("line " + std::to_string(i));
  EXPECT_EQ(seen, expected);
}

}  // namespace
}  // namespace left4me::host
