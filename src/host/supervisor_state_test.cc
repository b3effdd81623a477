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

// A state as a supervisor leaves it while its server runs.
SupervisorState running_state() {
  SupervisorState state;
  state.supervisor = ProcessIdentity{.pid = 4001, .start_ticks = 100};
  state.game = ProcessIdentity{.pid = 4002, .start_ticks = 101};
  state.state = RunState::kRunning;
  state.since_unix = 1764140000;
  state.restarts = 2;
  state.last_exit = ExitStatus{.signal = 11, .signalled = true};
  state.message = "running";
  return state;
}

TEST(ReportedInfoTest, ARunningServerReportsItsPid) {
  ProcessInfo info = reported_info(running_state(), {.supervisor = true, .game = true});
  EXPECT_EQ(info.state, RunState::kRunning);
  EXPECT_EQ(info.pid, 4002);
  EXPECT_EQ(info.since_unix, 1764140000);
  EXPECT_EQ(info.restarts, 2);
  ASSERT_TRUE(info.last_exit.has_value());
  EXPECT_EQ(info.last_exit->describe(), "killed by SIGSEGV");
}

// kill -9 of the supervisor (its server dies with it) or a reboot: nothing recorded the end.
TEST(ReportedInfoTest, ASupervisorKilledWithoutRecordingIsFailed) {
  ProcessInfo info = reported_info(running_state(), {.supervisor = false, .game = false});
  EXPECT_EQ(info.state, RunState::kFailed);
  EXPECT_FALSE(info.pid.has_value());
  EXPECT_EQ(info.restarts, 2);
  SupervisorState starting = running_state();
  starting.state = RunState::kStarting;
  EXPECT_EQ(reported_info(starting, {}).state, RunState::kFailed);
}

TEST(ReportedInfoTest, OneLiveProcessKeepsTheRecordedState) {
  // Waiting out the restart delay: the supervisor lives, no server.
  SupervisorState restarting = running_state();
  restarting.state = RunState::kStarting;
  restarting.game.reset();
  ProcessInfo info = reported_info(restarting, {.supervisor = true, .game = false});
  EXPECT_EQ(info.state, RunState::kStarting);
  EXPECT_FALSE(info.pid.has_value());
  // A server whose supervisor is gone still runs until it dies with it.
  EXPECT_EQ(reported_info(running_state(), {.supervisor = false, .game = true}).state, RunState::kRunning);
}

TEST(ReportedInfoTest, StoppedAndFailedStayAsRecorded) {
  SupervisorState stopped;
  stopped.state = RunState::kStopped;
  EXPECT_EQ(reported_info(stopped, {}).state, RunState::kStopped);
  EXPECT_FALSE(reported_info(stopped, {}).since_unix.has_value());  // never started
  SupervisorState failed = running_state();
  failed.state = RunState::kFailed;
  failed.game.reset();
  EXPECT_EQ(reported_info(failed, {}).state, RunState::kFailed);
}

// `l4d2ctl start` records starting before its supervisor runs: while the start lives that is a start in progress
// (status said failed there, and the web app sent a `failed` webhook for a start that then succeeded); a start
// killed before its supervisor recorded itself is failed.
TEST(ReportedInfoTest, AStartHandingOverToItsSupervisorIsStartingWhileTheStartLives) {
  SupervisorState handing_over;
  handing_over.state = RunState::kStarting;
  handing_over.message = "starting";
  handing_over.starter = identify_process(::getpid());
  ASSERT_TRUE(handing_over.starter.has_value());
  Liveness alive = liveness(handing_over);
  EXPECT_TRUE(alive.starter);
  EXPECT_EQ(reported_info(handing_over, alive).state, RunState::kStarting);
  handing_over.starter->start_ticks += 1;  // the start is gone and its pid recycled
  EXPECT_EQ(reported_info(handing_over, liveness(handing_over)).state, RunState::kFailed);
}

TEST(SupervisorStateTest, TheStarterRoundTripsAndIsLeftOutWhenThereIsNone) {
  test::TempDir dir;
  std::string path = dir.path() + "/state.json";
  SupervisorState state;
  state.state = RunState::kStarting;
  state.starter = ProcessIdentity{.pid = 4100, .start_ticks = 7};
  ASSERT_OK(write_supervisor_state(path, state));
  auto read = read_supervisor_state(path);
  ASSERT_OK(read);
  EXPECT_EQ(read->starter, state.starter);
  // A damaged record is refused with the file named, as a damaged supervisor record is.
  ASSERT_OK(write_file_atomic(path, R"({"state":"starting","starter":{"pid":"1; rm -rf /"}})"));
  auto damaged = read_supervisor_state(path);
  ASSERT_FALSE(damaged.ok());
  EXPECT_EQ(damaged.error().message().rfind(path + ": ", 0), 0u) << damaged.error().message();
  state.starter.reset();
  ASSERT_OK(write_supervisor_state(path, state));
  EXPECT_EQ(read_file(path)->find("starter"), std::string::npos);
  EXPECT_FALSE(read_supervisor_state(path)->starter.has_value());
}

TEST(ReportedInfoTest, LivenessComparesPidAndStartTime) {
  SupervisorState state;
  state.supervisor = identify_process(::getpid());
  ASSERT_TRUE(state.supervisor.has_value());
  state.game = ProcessIdentity{.pid = ::getpid(), .start_ticks = state.supervisor->start_ticks + 1};  // recycled
  Liveness alive = liveness(state);
  EXPECT_TRUE(alive.supervisor);
  EXPECT_FALSE(alive.game);
  EXPECT_FALSE(liveness(SupervisorState{}).supervisor);
}

}  // namespace
}  // namespace left4me::host
