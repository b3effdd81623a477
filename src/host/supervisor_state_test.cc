#include "host/supervisor_state.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "base/file.h"
#include "testing/test_support.h"

namespace left4me::host {
namespace {

TEST(SupervisorStateTest, RoundTripsAndDefaultsWhenMissing) {
  test::TempDir dir;
  std::string path = dir.path() + "/state.json";
  auto missing = read_supervisor_state(path);
  ASSERT_OK(missing);
  EXPECT_EQ(missing->state, RunState::kStopped);
  EXPECT_FALSE(missing->game.has_value());

  SupervisorState state;
  state.supervisor = identify_process(::getpid());
  state.state = RunState::kFailed;
  state.since_unix = 1764140000;
  state.last_exit = ExitStatus{0, 11, true};
  state.restarts = 4;
  state.message = "crashed";
  ASSERT_OK(write_supervisor_state(path, state));
  auto read = read_supervisor_state(path);
  ASSERT_OK(read);
  EXPECT_EQ(read->supervisor, state.supervisor);
  EXPECT_EQ(read->state, RunState::kFailed);
  EXPECT_EQ(read->since_unix, 1764140000);
  ASSERT_TRUE(read->last_exit.has_value());
  EXPECT_EQ(read->last_exit->describe(), "killed by SIGSEGV");
  EXPECT_EQ(read->restarts, 4);

  ASSERT_OK(write_file_atomic(path, "{not json"));
  auto broken = read_supervisor_state(path);
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().message().find("not a valid state file"), std::string::npos);
}

}  // namespace
}  // namespace left4me::host
