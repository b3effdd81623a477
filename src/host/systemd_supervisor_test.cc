#include "host/systemd_supervisor.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "base/file.h"
#include "testing/test_support.h"

namespace left4me::host {
namespace {

using std::chrono::seconds;

model::InstanceName name(std::string_view text) { return model::InstanceName::create(text).value(); }

// A temporary directory with stand-in helpers: left4me-systemctl appends its
// argv to calls.log and prints show.txt for `show`; left4me-journalctl prints
// journal.txt (and keeps running with --follow).
class SystemdSupervisorTest : public test::TempDirTest {
 protected:
  void SetUp() override {
    write_helper("left4me-systemctl", "echo \"$*\" >> " + dir() +
                                          "/calls.log\n"
                                          "[ -f " +
                                          dir() +
                                          "/exit_code ] && { echo 'left4me-systemctl: it broke' "
                                          ">&2; exit $(cat " +
                                          dir() +
                                          "/exit_code); }\n"
                                          "[ \"$1\" = show ] && cat " +
                                          dir() +
                                          "/show.txt\n"
                                          "exit 0\n");
    write_helper("left4me-journalctl", "echo \"$*\" >> " + dir() +
                                           "/calls.log\n"
                                           "cat " +
                                           dir() +
                                           "/journal.txt\n"
                                           "[ \"$4\" = --follow ] && exec sleep 30\n"
                                           "exit 0\n");
    set_show("ActiveState=inactive\nSubState=dead\nMainPID=0\nNRestarts=0\n");
    ASSERT_OK(write_file_atomic(dir() + "/journal.txt", "one\ntwo\n\nthree\n"));
  }

  void write_helper(const std::string& helper, const std::string& body) {
    ASSERT_OK(write_file_atomic(dir() + "/" + helper, "#!/bin/sh\n" + body, 0755));
  }
  void set_show(const std::string& text) { ASSERT_OK(write_file_atomic(dir() + "/show.txt", text)); }
  std::string calls() {
    auto text = read_file(dir() + "/calls.log");
    return text.ok() ? *text : "";
  }
  SystemdSupervisor supervisor(std::function<Status(const model::InstanceName&)> prepare = {}) {
    return SystemdSupervisor({.helper_dir = dir(), .privilege = Privilege::kDirect, .prepare = std::move(prepare)});
  }
};

TEST_F(SystemdSupervisorTest, StartOfAStoppedInstancePreparesThenEnables) {
  std::vector<std::string> prepared;
  auto backend = supervisor([&](const model::InstanceName& n) {
    prepared.push_back(n.str());
    return ok_status();
  });
  ASSERT_OK(backend.start(name("alpha")));
  EXPECT_EQ(calls(), "show alpha\nenable alpha\n");
  EXPECT_EQ(prepared, std::vector<std::string>{"alpha"});
}

TEST_F(SystemdSupervisorTest, StartOfARunningInstanceChangesNothing) {
  set_show("ActiveState=active\nSubState=running\nMainPID=42\n");
  bool prepared = false;
  auto backend = supervisor([&](const model::InstanceName&) {
    prepared = true;
    return ok_status();
  });
  ASSERT_OK(backend.start(name("alpha")));
  EXPECT_EQ(calls(), "show alpha\n");
  EXPECT_FALSE(prepared);
}

TEST_F(SystemdSupervisorTest, StartOfAFailedInstanceStartsAgain) {
  set_show("ActiveState=failed\nSubState=failed\nResult=start-limit-hit\n");
  ASSERT_OK(supervisor().start(name("alpha")));
  EXPECT_EQ(calls(), "show alpha\nenable alpha\n");
}

TEST_F(SystemdSupervisorTest, FailedPreparationDoesNotStart) {
  auto backend = supervisor([](const model::InstanceName&) { return Status(Error::failed("no space")); });
  Status started = backend.start(name("alpha"));
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().message(), "no space");
  EXPECT_EQ(calls(), "show alpha\n");
}

TEST_F(SystemdSupervisorTest, StopDisables) {
  ASSERT_OK(supervisor().stop(name("alpha"), seconds(15)));
  EXPECT_EQ(calls(), "disable alpha\n");
}

TEST_F(SystemdSupervisorTest, HelperFailureCarriesItsMessage) {
  ASSERT_OK(write_file_atomic(dir() + "/exit_code", "1"));
  Status stopped = supervisor().stop(name("alpha"), seconds(15));
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.error().code(), ErrorCode::kFailed);
  EXPECT_EQ(stopped.error().message(), "left4me-systemctl disable alpha: left4me-systemctl: it broke");
}

TEST_F(SystemdSupervisorTest, HelperToolMissingIsUnavailable) {
  ASSERT_OK(write_file_atomic(dir() + "/exit_code", "69"));
  auto shown = supervisor().info(name("alpha"));
  ASSERT_FALSE(shown.ok());
  EXPECT_EQ(shown.error().code(), ErrorCode::kUnavailable);
}

TEST_F(SystemdSupervisorTest, MissingHelperIsUnavailable) {
  SystemdSupervisor backend({.helper_dir = dir() + "/nowhere", .privilege = Privilege::kDirect});
  auto shown = backend.info(name("alpha"));
  ASSERT_FALSE(shown.ok());
  EXPECT_EQ(shown.error().code(), ErrorCode::kUnavailable);
}

TEST_F(SystemdSupervisorTest, InfoOfARunningUnit) {
  set_show(
      "LoadState=loaded\nActiveState=active\nSubState=running\nResult="
      "success\nMainPID=4242\nNRestarts=2\n"
      "ExecMainStartTimestamp=@1732604400\nExecMainExitTimestamp="
      "\nExecMainCode=0\nExecMainStatus=0\n"
      "StateChangeTimestamp=@1732604300\n");
  auto info = supervisor().info(name("alpha"));
  ASSERT_OK(info);
  EXPECT_EQ(info->state, RunState::kRunning);
  EXPECT_EQ(info->pid, 4242);
  EXPECT_EQ(info->since_unix, 1732604400);
  EXPECT_EQ(info->restarts, 2);
  EXPECT_FALSE(info->last_exit.has_value());
}

TEST_F(SystemdSupervisorTest, InfoWithoutActiveStateIsAnError) {
  set_show("garbage\n");
  EXPECT_FALSE(supervisor().info(name("alpha")).ok());
}

TEST(ProcessInfoFromProperties, WaitingForAnAutomaticRestartIsStartingWithTheCrash) {
  auto info =
      process_info_from_properties(parse_properties("ActiveState=activating\nSubState=auto-restart\nResult="
                                                    "signal\nMainPID=0\nNRestarts=1\n"
                                                    "ExecMainStartTimestamp=@100\nExecMainExitTimestamp=@"
                                                    "160\nExecMainCode=2\nExecMainStatus=9\n"
                                                    "StateChangeTimestamp=@160\n"));
  EXPECT_EQ(info.state, RunState::kStarting);
  EXPECT_FALSE(info.pid.has_value());
  EXPECT_EQ(info.since_unix, 160);
  ASSERT_TRUE(info.last_exit.has_value());
  EXPECT_TRUE(info.last_exit->signalled);
  EXPECT_EQ(info.last_exit->signal, 9);
  EXPECT_EQ(info.restarts, 1);
}

TEST(ProcessInfoFromProperties, StartLimitHitIsFailed) {
  auto info =
      process_info_from_properties(parse_properties("ActiveState=failed\nSubState=failed\nResult=start-"
                                                    "limit-hit\nMainPID=0\nNRestarts=5\n"
                                                    "ExecMainExitTimestamp=@170\nExecMainCode="
                                                    "1\nExecMainStatus=3\nStateChangeTimestamp=@170\n"));
  EXPECT_EQ(info.state, RunState::kFailed);
  ASSERT_TRUE(info.last_exit.has_value());
  EXPECT_FALSE(info.last_exit->signalled);
  EXPECT_EQ(info.last_exit->code, 3);
  EXPECT_EQ(info.restarts, 5);
}

TEST(ProcessInfoFromProperties, NeverStartedIsStoppedWithNothingKnown) {
  auto info =
      process_info_from_properties(parse_properties("ActiveState=inactive\nSubState=dead\nMainPID="
                                                    "0\nNRestarts=0\nExecMainStartTimestamp=\n"
                                                    "ExecMainExitTimestamp=\nStateChangeTimestamp=\n"));
  EXPECT_EQ(info.state, RunState::kStopped);
  EXPECT_FALSE(info.pid.has_value());
  EXPECT_FALSE(info.since_unix.has_value());
  EXPECT_FALSE(info.last_exit.has_value());
}

TEST(ProcessInfoFromProperties, StoppingWithAMainProcessIsStillRunning) {
  auto stopping = process_info_from_properties(parse_properties("ActiveState=deactivating\nMainPID=7\n"));
  EXPECT_EQ(stopping.state, RunState::kRunning);
  auto unmounting = process_info_from_properties(parse_properties("ActiveState=deactivating\nMainPID=0\n"));
  EXPECT_EQ(unmounting.state, RunState::kStopped);
}

TEST_F(SystemdSupervisorTest, LogsWithoutFollowDeliverEveryNonEmptyLine) {
  std::vector<std::string> lines;
  Status status = supervisor().logs(name("alpha"), 50, Follow::kNo, [&](std::string_view line) {
    lines.emplace_back(line);
    return true;
  });
  ASSERT_OK(status);
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_EQ(calls(), "alpha --lines 50 --no-follow\n");
}

TEST_F(SystemdSupervisorTest, FollowEndsWhenTheCallbackSaysSo) {
  std::vector<std::string> lines;
  auto started = std::chrono::steady_clock::now();
  Status status = supervisor().logs(name("alpha"), 10, Follow::kYes, [&](std::string_view line) {
    lines.emplace_back(line);
    return lines.size() < 2;
  });
  ASSERT_OK(status);
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "two"}));
  EXPECT_LT(std::chrono::steady_clock::now() - started,
            seconds(5));  // the follower was ended, not awaited
  EXPECT_EQ(calls(), "alpha --lines 10 --follow\n");
}

TEST_F(SystemdSupervisorTest, LogsHelperFailureIsAnError) {
  write_helper("left4me-journalctl", "echo 'left4me-journalctl: bad name' >&2\nexit 2\n");
  Status status = supervisor().logs(name("alpha"), 10, Follow::kNo, [](std::string_view) { return true; });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.error().message(),
            "left4me-journalctl alpha --lines 10 --no-follow: "
            "left4me-journalctl: bad name");
}

TEST_F(SystemdSupervisorTest, SystemdAvailableNeedsPid1TheUnitAndTheDefaultRoot) {
  auto layout = model::Layout::create(model::Layout::kDefaultRoot).value();
  EXPECT_FALSE(systemd_available(layout, dir()));
  ASSERT_OK(make_directories(dir() + "/run/systemd/system"));
  EXPECT_FALSE(systemd_available(layout, dir()));  // systemd, but the unit is not installed
  ASSERT_OK(make_directories(dir() + "/usr/local/lib/systemd/system"));
  ASSERT_OK(write_file_atomic(dir() + "/usr/local/lib/systemd/system/left4me-server@.service", ""));
  EXPECT_TRUE(systemd_available(layout, dir()));
  EXPECT_FALSE(systemd_available(model::Layout::create("/srv/left4me").value(),
                                 dir()));  // units use fixed paths
  ASSERT_OK(remove_tree(dir() + "/run"));
  EXPECT_FALSE(systemd_available(layout, dir()));  // PID 1 is not systemd
}

}  // namespace
}  // namespace left4me::host
