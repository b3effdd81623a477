#include "host/supervisor_state.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "base/file.h"

namespace left4me::host {
namespace {

TEST(SupervisorStateTest, RoundTripsAndDefaultsWhenMissing) {
  char pattern[] = "/tmp/left4me-state-test-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  std::string path = std::string(pattern) + "/state.json";
  auto missing = read_supervisor_state(path);
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->state, RunState::kStopped);
  EXPECT_FALSE(missing->game.has_value());

  SupervisorState state;
  state.supervisor = identify_process(::getpid());
  state.state = RunState::kFailed;
  state.since_unix = 1764140000;
  state.last_exit = ExitStatus{0, 11, true};
  state.restarts = 4;
  state.message = "crashed";
  ASSERT_TRUE(write_supervisor_state(path, state).ok());
  auto read = read_supervisor_state(path);
  ASSERT_TRUE(read.ok()) << read.error().message();
  EXPECT_EQ(read->supervisor, state.supervisor);
  EXPECT_EQ(read->state, RunState::kFailed);
  EXPECT_EQ(read->since_unix, 1764140000);
  ASSERT_TRUE(read->last_exit.has_value());
  EXPECT_EQ(read->last_exit->describe(), "killed by SIGSEGV");
  EXPECT_EQ(read->restarts, 4);

  ASSERT_TRUE(write_file_atomic(path, "{not json").ok());
  auto broken = read_supervisor_state(path);
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().message().find("not a valid state file"), std::string::npos);
  std::filesystem::remove_all(pattern);
}

TEST(ProcessIdentityTest, RecycledPidIsNotTheSameProcess) {
  auto self = identify_process(::getpid());
  ASSERT_TRUE(self.has_value());
  EXPECT_TRUE(is_alive(*self));
  ProcessIdentity other = *self;
  other.start_ticks += 1;  // same pid, different start: a recycled pid
  EXPECT_FALSE(is_alive(other));
  EXPECT_FALSE(identify_process(0).has_value());
  auto started = start_time_unix(*self);
  EXPECT_LE(std::abs(started - static_cast<std::int64_t>(::time(nullptr))), 600);
}

}  // namespace
}  // namespace left4me::host
