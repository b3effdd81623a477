// What the status cache notices between two lists: a crash, an automatic restart after a hang, a failed server;
// and what is no event (a new start, an instance listed with an error, one that appeared or went).
#include "web/host_events.h"

#include <gtest/gtest.h>

namespace left4me::web {
namespace {

nlohmann::json status(const std::string& state, int restarts, nlohmann::json health = nullptr) {
  return {{"name", "web-1"},
          {"state", state},
          {"restarts", restarts},
          {"last_exit", {{"description", "signal SIGKILL"}}},
          {"health", health}};
}

nlohmann::json health(nlohmann::json last_restart) {
  return {{"state", "ready"},
          {"last_restart", last_restart},
          {"last_restart_reason", "unresponsive: no A2S answer for 61 s"}};
}

TEST(HostEventsTest, ARestartCountGoingUpIsACrash) {
  StatusMap before{{"web-1", status("running", 0)}};
  StatusMap after{{"web-1", status("running", 1)}};
  EXPECT_EQ(host_events(before, after),
            (std::vector<HostEvent>{{"web-1", ServerEventKind::kCrash, "the server process ended: signal SIGKILL"}}));
  after["web-1"]["restarts"] = 3;
  EXPECT_EQ(host_events(before, after)[0].reason,
            "the server process ended: signal SIGKILL (3 restarts since last seen)");
}

TEST(HostEventsTest, ARestartTheMonitorRecordedIsAnAutomaticRestart) {
  StatusMap before{{"web-1", status("running", 0, health("2026-12-01T00:00:00Z"))}};
  StatusMap after{{"web-1", status("running", 1, health("2026-12-03T10:00:00Z"))}};
  EXPECT_EQ(host_events(before, after),
            (std::vector<HostEvent>{{"web-1", ServerEventKind::kAutoRestart,
                                     "restarted by the health monitor: unresponsive: no A2S answer for 61 s"}}));
  // The monitor's old record with a new crash: a crash.
  after["web-1"]["health"] = health("2026-12-01T00:00:00Z");
  EXPECT_EQ(host_events(before, after)[0].kind, ServerEventKind::kCrash);
}

TEST(HostEventsTest, EndingFailedIsAnEventOnce) {
  StatusMap before{{"web-1", status("running", 4)}};
  StatusMap after{{"web-1", status("failed", 5)}};
  std::vector<HostEvent> events = host_events(before, after);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, ServerEventKind::kCrash);
  EXPECT_EQ(events[1].kind, ServerEventKind::kFailed);
  EXPECT_EQ(events[1].reason, "the supervisor gave up restarting it (last exit: signal SIGKILL)");
  EXPECT_TRUE(host_events(after, after).empty());
}

TEST(HostEventsTest, NewStartsErrorsAndNewInstancesAreNoEvents) {
  StatusMap before{{"web-1", status("running", 3)}, {"web-2", {{"name", "web-2"}, {"error", "damaged"}}}};
  StatusMap after{{"web-1", status("running", 0)}, {"web-2", status("running", 2)}, {"web-3", status("failed", 9)}};
  EXPECT_TRUE(host_events(before, after).empty());
  EXPECT_TRUE(host_events({}, after).empty());
  EXPECT_TRUE(host_events(after, {}).empty());
}

}  // namespace
}  // namespace left4me::web
