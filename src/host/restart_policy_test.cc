// The restart decisions of the built-in supervisor with time as plain time points: the upstream unit's
// policy (restart 5 s after a failure, at most 5 starts in 60 s) without waiting for any of it.
#include "host/restart_policy.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>

namespace left4me::host {
namespace {

using namespace std::chrono_literals;
using Clock = RestartBudget::Clock;

const ExitStatus kCrash{.signal = SIGSEGV, .signalled = true};
const ExitStatus kCleanQuit{.code = 0};
const ExitStatus kExitCode3{.code = 3};
const Clock::time_point kT0 = Clock::time_point{} + 1000s;

TEST(RestartBudgetTest, AFailureRestartsAfterTheDelay) {
  RestartBudget budget(RestartPolicy{});
  budget.started(kT0);
  ExitDecision decision = budget.after_exit(kCrash, StopRequested::kNo, kT0 + 300ms);
  EXPECT_EQ(decision.action, AfterExit::kRestart);
  EXPECT_EQ(decision.message, "restarting in 5000 ms after killed by SIGSEGV");
  EXPECT_EQ(budget.policy().delay, 5000ms);
  budget.started(kT0 + 5300ms);
  decision = budget.after_exit(kExitCode3, StopRequested::kNo, kT0 + 6s);
  EXPECT_EQ(decision.action, AfterExit::kRestart);
  EXPECT_EQ(decision.message, "restarting in 5000 ms after exit code 3");
}

TEST(RestartBudgetTest, AStopOrACleanQuitIsNeverRestarted) {
  RestartBudget budget(RestartPolicy{});
  budget.started(kT0);
  ExitDecision stopped = budget.after_exit(kCrash, StopRequested::kYes, kT0 + 1s);
  EXPECT_EQ(stopped.action, AfterExit::kStop);
  EXPECT_EQ(stopped.message, "stopped");
  ExitDecision quit = budget.after_exit(kCleanQuit, StopRequested::kNo, kT0 + 1s);
  EXPECT_EQ(quit.action, AfterExit::kStop);
  EXPECT_EQ(quit.message, "the server quit by itself");
  EXPECT_EQ(budget.after_exit(kCleanQuit, StopRequested::kYes, kT0 + 1s).message, "stopped");
}

// A server that crashes 0.3 s after each start: starts at 0, 5.3, 10.6, 15.9 and 21.2 s; the fifth crash
// is the last (faults.sh sees the same through l4d2ctl: 4 restarts, then failed).
TEST(RestartBudgetTest, TheFifthStartWithinTheIntervalIsTheLast) {
  RestartBudget budget(RestartPolicy{});
  Clock::time_point now = kT0;
  for (int start = 1; start <= 4; ++start) {
    budget.started(now);
    now += 300ms;
    EXPECT_EQ(budget.after_exit(kCrash, StopRequested::kNo, now).action, AfterExit::kRestart) << "start " << start;
    now += 5000ms;
  }
  budget.started(now);
  ExitDecision last = budget.after_exit(kCrash, StopRequested::kNo, now + 300ms);
  EXPECT_EQ(last.action, AfterExit::kGiveUp);
  EXPECT_EQ(last.message, "crashed 5 times within 60 s; not restarting (start it again to retry)");
}

// The interval counts back from the exit and includes its edge: a start exactly 60 s before still counts.
TEST(RestartBudgetTest, StartsOlderThanTheIntervalNoLongerCount) {
  auto four_starts_then_fifth_exit_at = [](Clock::duration exit_after_first) {
    RestartBudget budget(RestartPolicy{});
    for (int start = 0; start < 5; ++start) budget.started(kT0 + start * 1s);
    return budget.after_exit(kCrash, StopRequested::kNo, kT0 + exit_after_first).action;
  };
  EXPECT_EQ(four_starts_then_fifth_exit_at(60s), AfterExit::kGiveUp);
  EXPECT_EQ(four_starts_then_fifth_exit_at(60s + 1ms), AfterExit::kRestart);
}

// Crashing every 20 s never makes 5 starts within 60 s: it is restarted for as long as it takes.
TEST(RestartBudgetTest, CrashesFarApartAreRestartedWithoutEnd) {
  RestartBudget budget(RestartPolicy{});
  Clock::time_point now = kT0;
  for (int start = 1; start <= 50; ++start) {
    budget.started(now);
    now += 15s;
    ASSERT_EQ(budget.after_exit(kCrash, StopRequested::kNo, now).action, AfterExit::kRestart) << "start " << start;
    now += 5s;
  }
}

TEST(RestartBudgetTest, FollowsItsPolicy) {
  RestartBudget budget(RestartPolicy{.delay = 200ms, .burst = 2, .interval = 10s});
  budget.started(kT0);
  EXPECT_EQ(budget.after_exit(kCrash, StopRequested::kNo, kT0 + 1s).message,
            "restarting in 200 ms after killed by SIGSEGV");
  budget.started(kT0 + 1200ms);
  ExitDecision last = budget.after_exit(kCrash, StopRequested::kNo, kT0 + 2s);
  EXPECT_EQ(last.action, AfterExit::kGiveUp);
  EXPECT_EQ(last.message, "crashed 2 times within 10 s; not restarting (start it again to retry)");
}

}  // namespace
}  // namespace left4me::host
