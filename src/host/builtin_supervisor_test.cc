// The built-in supervisor's decisions around its processes, through the FakeMounter: preparing the game
// tree (a half-mounted instance after a crash is unmounted, then mounted), what status says when the
// supervisor was killed without recording anything, and what stop records and releases then.
#include "host/builtin_supervisor.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/file.h"
#include "host/supervisor_state.h"
#include "testing/fake_mounter.h"
#include "testing/test_support.h"

namespace left4me::host {
namespace {

using namespace std::chrono_literals;

// Writes a file, making its directory first.
Status put(const std::string& path, const std::string& content, mode_t mode = 0644) {
  if (auto made = make_directories(path.substr(0, path.rfind('/'))); !made.ok()) return made;
  return write_file_atomic(path, content, mode);
}

class BuiltinSupervisorTest : public test::TempDirTest {
 protected:
  BuiltinSupervisorTest() : TempDirTest(test::TempStorage::kMemory) {}
  void SetUp() override {
    ASSERT_OK(put(layout_.instance_env(name_),
                  "L4D2_PORT=27015\nL4D2_LOWERDIRS=" + layout_.installation() + "\nL4D2_ARGS=+map c1m1_hotel\n"));
    ASSERT_OK(put(layout_.rendered_dir(name_) + "/left4dead2/cfg/server.cfg", "hostname \"r\"\n"));
    for (const std::string& dir : {layout_.upper(name_), layout_.work(name_), layout_.merged(name_)}) {
      ASSERT_OK(make_directories(dir));
    }
    ASSERT_OK(put(layout_.installation() + "/srcds_run", "#!/bin/sh\n", 0755));
  }
  // The state a supervisor killed by kill -9 leaves: running, naming processes that are gone.
  void record_killed_supervisor() {
    std::optional<ProcessIdentity> self = identify_process(::getpid());
    ASSERT_TRUE(self.has_value());
    ProcessIdentity gone{.pid = self->pid, .start_ticks = self->start_ticks + 1};  // a recycled pid
    SupervisorState state;
    state.supervisor = gone;
    state.game = gone;
    state.state = RunState::kRunning;
    state.since_unix = 1764140000;
    state.message = "running";
    ASSERT_OK(write_supervisor_state(layout_.supervisor_state(name_), state));
  }
  BuiltinSupervisor supervisor() {
    auto mounter = std::make_unique<test::FakeMounter>(layout_);
    mounter_ = mounter.get();
    return BuiltinSupervisor(layout_, std::move(mounter), "/nonexistent/l4d2ctl");
  }

  model::Layout layout_ = *model::Layout::create(dir() + "/root");
  model::InstanceName name_ = *model::InstanceName::create("r");
  test::FakeMounter mounter_for_prepare_{layout_};
  test::FakeMounter* mounter_ = nullptr;
};

TEST_F(BuiltinSupervisorTest, PreparingMountsTheGameTreeWithTheRenderedFilesInside) {
  ASSERT_OK(prepare_game_tree(layout_, name_, mounter_for_prepare_));
  EXPECT_EQ(mounter_for_prepare_.calls(), (std::vector<std::string>{"umount r", "mount r"}));
  EXPECT_TRUE(*mounter_for_prepare_.is_mounted(name_));
  EXPECT_EQ(*read_file(layout_.upper(name_) + "/left4dead2/cfg/server.cfg"), "hostname \"r\"\n");
}

// A crash between two mounts leaves the binds without the overlay: the next start releases them first,
// then mounts once, and nothing is stacked.
TEST_F(BuiltinSupervisorTest, AHalfMountedInstanceIsUnmountedThenMounted) {
  mounter_for_prepare_.make_half_mounted(name_);
  EXPECT_FALSE(*mounter_for_prepare_.is_mounted(name_));
  ASSERT_OK(prepare_game_tree(layout_, name_, mounter_for_prepare_));
  EXPECT_EQ(mounter_for_prepare_.calls(), (std::vector<std::string>{"umount r", "mount r"}));
  EXPECT_TRUE(*mounter_for_prepare_.is_mounted(name_));
  EXPECT_EQ(mounter_for_prepare_.mounts(),
            (std::vector<std::string>{layout_.idmap(name_, "installation"), layout_.idmap(name_, "writable"),
                                      layout_.merged(name_)}));
}

TEST_F(BuiltinSupervisorTest, AStaleMountThatWillNotGoStopsTheStartBeforeAnyWrite) {
  mounter_for_prepare_.make_half_mounted(name_);
  mounter_for_prepare_.fail_next_unmount(Error::failed("umount 'r': target is busy"));
  Status prepared = prepare_game_tree(layout_, name_, mounter_for_prepare_);
  ASSERT_FALSE(prepared.ok());
  EXPECT_EQ(prepared.error().message(), "umount 'r': target is busy");
  EXPECT_EQ(mounter_for_prepare_.calls(), std::vector<std::string>{"umount r"});
  // The writable layer of a (possibly live) mount was not touched.
  EXPECT_FALSE(path_exists(layout_.upper(name_) + "/left4dead2"));
}

TEST_F(BuiltinSupervisorTest, AGameTreeWithoutSrcdsRunIsRefused) {
  ASSERT_OK(remove_tree(layout_.installation() + "/srcds_run"));
  Status prepared = prepare_game_tree(layout_, name_, mounter_for_prepare_);
  ASSERT_FALSE(prepared.ok());
  EXPECT_EQ(prepared.error().message(), "the game tree " + layout_.merged(name_) +
                                            " has no srcds_run after mounting (is the game installed? run "
                                            "l4d2ctl install)");
}

TEST_F(BuiltinSupervisorTest, StatusSaysFailedWhenTheSupervisorWasKilledWithoutRecording) {
  record_killed_supervisor();
  BuiltinSupervisor builtin = supervisor();
  Result<ProcessInfo> info = builtin.info(name_);
  ASSERT_OK(info);
  EXPECT_EQ(info->state, RunState::kFailed);
  EXPECT_FALSE(info->pid.has_value());
  EXPECT_EQ(info->since_unix, 1764140000);
}

// Between start's first record (starting) and the supervisor's own, status says starting, not failed: the web
// app's status watch saw `failed` there (under the sanitizers, where the supervisor takes longer to record itself)
// and sent a `failed` event and webhook for a start that succeeded. The stand-in for `l4d2ctl __supervise` says
// it runs, waits to be let go, then records itself as failed.
TEST_F(BuiltinSupervisorTest, StatusSaysStartingWhileTheStartHandsOverToItsSupervisor) {
  std::string stand_in = dir() + "/supervise-stand-in";
  ASSERT_OK(put(stand_in,
                "#!/bin/sh\n"
                "touch '" +
                    dir() +
                    "/handing-over'\n"
                    "while [ ! -e '" +
                    dir() +
                    "/go' ]; do sleep 0.01; done\n"
                    "set -- $(cat /proc/$$/stat)\n"  // field 22: the start time in ticks
                    "printf '{\"supervisor\":{\"pid\":%s,\"start_ticks\":%s},\"state\":\"failed\",\"since\":1,"
                    "\"game\":null,\"restarts\":0,\"message\":\"stand-in gave up\",\"last_exit\":null}\\n' $$ ${22}"
                    " > '" +
                    layout_.supervisor_state(name_) +
                    ".new'\n"
                    "mv '" +
                    layout_.supervisor_state(name_) + ".new' '" + layout_.supervisor_state(name_) + "'\n",
                0755));
  BuiltinSupervisor builtin(layout_, std::make_unique<test::FakeMounter>(layout_), stand_in);
  std::optional<Status> started;
  std::thread start([&] { started = builtin.start(name_); });
  bool handing_over = false;
  for (int i = 0; i < 1000 && !handing_over; ++i) {
    handing_over = path_exists(dir() + "/handing-over");
    if (!handing_over) std::this_thread::sleep_for(10ms);
  }
  Result<ProcessInfo> during = builtin.info(name_);
  ASSERT_OK(put(dir() + "/go", ""));
  start.join();
  ASSERT_TRUE(handing_over);
  ASSERT_OK(during);
  EXPECT_EQ(during->state, RunState::kStarting);
  ASSERT_TRUE(started.has_value());
  ASSERT_FALSE(started->ok());
  EXPECT_EQ(started->error().message(), "the server failed to start: stand-in gave up");
  EXPECT_EQ(builtin.info(name_)->state, RunState::kFailed);
}

// Nothing is left to signal: stop records what the killed supervisor could not and releases the mounts.
TEST_F(BuiltinSupervisorTest, StopAfterAKilledSupervisorRecordsStoppedAndUnmounts) {
  record_killed_supervisor();
  BuiltinSupervisor builtin = supervisor();
  ASSERT_OK(mounter_->mount(name_));
  ASSERT_OK(builtin.stop(name_, 15s));
  EXPECT_EQ(mounter_->calls(), (std::vector<std::string>{"mount r", "umount r"}));
  EXPECT_TRUE(mounter_->mounts().empty());
  Result<SupervisorState> state = read_supervisor_state(layout_.supervisor_state(name_));
  ASSERT_OK(state);
  EXPECT_EQ(state->state, RunState::kStopped);
  EXPECT_EQ(state->message, "stopped");
  EXPECT_FALSE(state->supervisor.has_value());
  EXPECT_FALSE(state->game.has_value());
  EXPECT_EQ(builtin.info(name_)->state, RunState::kStopped);
}

// A supervisor that gave up (crash loop, a start that failed) records failed and exits; stop makes the
// instance stopped, as systemd's disable forgets a failed unit, keeping the last exit.
TEST_F(BuiltinSupervisorTest, StopOfAFailedInstanceRecordsStopped) {
  SupervisorState failed;
  failed.state = RunState::kFailed;
  failed.since_unix = 1764140000;
  failed.last_exit = ExitStatus{.code = 0, .signal = 11, .signalled = true};
  failed.restarts = 4;
  failed.message = "crashed 5 times within 60 s; not restarting";
  ASSERT_OK(write_supervisor_state(layout_.supervisor_state(name_), failed));
  BuiltinSupervisor builtin = supervisor();
  ASSERT_OK(builtin.stop(name_, 15s));
  Result<ProcessInfo> info = builtin.info(name_);
  ASSERT_OK(info);
  EXPECT_EQ(info->state, RunState::kStopped);
  ASSERT_TRUE(info->last_exit.has_value());
  EXPECT_EQ(info->last_exit->signal, 11);
}

TEST_F(BuiltinSupervisorTest, StopOfAnInstanceThatNeverExistedIsNotFound) {
  BuiltinSupervisor builtin = supervisor();
  Status stopped = builtin.stop(*model::InstanceName::create("ghost"), 15s);
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(stopped.error().message(), "no such instance 'ghost'");
  EXPECT_TRUE(mounter_->calls().empty());
}

}  // namespace
}  // namespace left4me::host
