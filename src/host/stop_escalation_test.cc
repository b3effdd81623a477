// How `stop` escalates on the built-in supervisor, step by step, with liveness and time given by the
// test: SIGTERM to the supervisor (SIGINT to the server's group without one), SIGKILL to the group at
// the timeout, SIGKILL to a supervisor that outlives its server by 5 s.
#include "host/stop_escalation.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <string>

namespace left4me::host {
namespace {

using namespace std::chrono_literals;
using Clock = StopEscalation::Clock;
using Kind = StopEscalation::Step::Kind;

const Clock::time_point kT0 = Clock::time_point{} + 1000s;
constexpr Liveness kBoth{.supervisor = true, .game = true};
constexpr Liveness kSupervisorOnly{.supervisor = true, .game = false};
constexpr Liveness kServerOnly{.supervisor = false, .game = true};
constexpr Liveness kNone{};

std::string show(StopEscalation::Step step) {
  if (step.kind == Kind::kWait) return "wait";
  if (step.kind == Kind::kDone) return "done";
  std::string target = step.target == StopEscalation::Target::kSupervisor ? "supervisor" : "server group";
  return std::string("SIG") + sigabbrev_np(step.signal) + " " + target;
}

TEST(StopEscalationTest, AServerThatQuitsOnSigintIsNeverKilled) {
  StopEscalation stop(kBoth, 15s);
  EXPECT_EQ(show(stop.next(kBoth, kT0)), "SIGTERM supervisor");  // it sends SIGINT to the server
  EXPECT_EQ(show(stop.next(kBoth, kT0 + 1s)), "wait");
  EXPECT_EQ(show(stop.next(kSupervisorOnly, kT0 + 1500ms)), "wait");  // the supervisor records the stop
  EXPECT_EQ(show(stop.next(kNone, kT0 + 1600ms)), "done");
}

TEST(StopEscalationTest, AServerStillRunningAtTheTimeoutIsKilledWithItsGroup) {
  StopEscalation stop(kBoth, 2s);
  EXPECT_EQ(show(stop.next(kBoth, kT0)), "SIGTERM supervisor");
  EXPECT_EQ(show(stop.next(kBoth, kT0 + 1999ms)), "wait");
  EXPECT_EQ(show(stop.next(kBoth, kT0 + 2s)), "SIGKILL server group");
  EXPECT_EQ(show(stop.next(kBoth, kT0 + 2020ms)), "wait");
  EXPECT_EQ(show(stop.next(kSupervisorOnly, kT0 + 2040ms)), "wait");
  EXPECT_EQ(show(stop.next(kNone, kT0 + 2060ms)), "done");
}

TEST(StopEscalationTest, AKilledServerGetsFiveSecondsToGo) {
  StopEscalation stop(kServerOnly, 0s);
  EXPECT_EQ(show(stop.next(kServerOnly, kT0)), "SIGINT server group");
  EXPECT_EQ(show(stop.next(kServerOnly, kT0)), "SIGKILL server group");
  EXPECT_EQ(show(stop.next(kServerOnly, kT0 + 4999ms)), "wait");
  EXPECT_EQ(show(stop.next(kServerOnly, kT0 + 5s)), "done");  // nothing more to send: stop goes on
}

// kill -9 of the supervisor leaves its server to die with it (PR_SET_PDEATHSIG); one that somehow
// lives is sent SIGINT directly.
TEST(StopEscalationTest, WithoutASupervisorTheServerGroupGetsSigint) {
  StopEscalation stop(kServerOnly, 15s);
  EXPECT_EQ(show(stop.next(kServerOnly, kT0)), "SIGINT server group");
  EXPECT_EQ(show(stop.next(kServerOnly, kT0 + 14s)), "wait");
  EXPECT_EQ(show(stop.next(kNone, kT0 + 14s + 20ms)), "done");
}

TEST(StopEscalationTest, ASupervisorThatOutlivesItsServerIsKilledFiveSecondsLater) {
  StopEscalation stop(kBoth, 15s);
  EXPECT_EQ(show(stop.next(kBoth, kT0)), "SIGTERM supervisor");
  EXPECT_EQ(show(stop.next(kSupervisorOnly, kT0 + 1s)), "wait");
  EXPECT_EQ(show(stop.next(kSupervisorOnly, kT0 + 5999ms)), "wait");
  EXPECT_EQ(show(stop.next(kSupervisorOnly, kT0 + 6s)), "SIGKILL supervisor");
  EXPECT_EQ(show(stop.next(kSupervisorOnly, kT0 + 7999ms)), "wait");
  EXPECT_EQ(show(stop.next(kSupervisorOnly, kT0 + 8s)), "done");  // 2 s more, then stop goes on
}

// Between two starts (the restart delay) only the supervisor lives: it gets SIGTERM and no server is
// signalled.
TEST(StopEscalationTest, ASupervisorWaitingToRestartIsTerminated) {
  StopEscalation stop(kSupervisorOnly, 15s);
  EXPECT_EQ(show(stop.next(kSupervisorOnly, kT0)), "SIGTERM supervisor");
  EXPECT_EQ(show(stop.next(kSupervisorOnly, kT0 + 100ms)), "wait");
  EXPECT_EQ(show(stop.next(kNone, kT0 + 200ms)), "done");
}

TEST(StopEscalationTest, NothingAliveIsNothingToSignal) {
  StopEscalation stop(kNone, 15s);
  EXPECT_EQ(show(stop.next(kNone, kT0)), "done");
  EXPECT_EQ(show(stop.next(kNone, kT0 + 1s)), "done");
}

}  // namespace
}  // namespace left4me::host
