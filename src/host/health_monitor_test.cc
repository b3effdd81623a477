// The monitor's decisions with a clock the test moves: start-up grace, the hang time, map changes seen
// late or early, and a server that answers under load is never unresponsive.
#include "host/health_monitor.h"

#include <gtest/gtest.h>

namespace left4me::host {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const Clock::time_point kT0 = Clock::time_point() + 1000s;

HealthSettings settings() { return {.hang = 10s, .start_grace = 30s, .map_change_grace = 20s, .interval = 1s}; }

TEST(HealthTracker, StartingUntilTheFirstAnswerWithinTheStartGrace) {
  HealthTracker tracker(settings(), kT0);
  EXPECT_EQ(tracker.decide(kT0).state, HealthState::kStarting);
  // Silence counts only after the start grace: 30 s + 10 s.
  EXPECT_EQ(tracker.decide(kT0 + 39s).state, HealthState::kStarting);
  HealthVerdict late = tracker.decide(kT0 + 40s);
  EXPECT_EQ(late.state, HealthState::kUnresponsive);
  EXPECT_EQ(late.reason, "unresponsive: no A2S answer since its start 40 s ago");
}

TEST(HealthTracker, ReadyOnceItAnswers) {
  HealthTracker tracker(settings(), kT0);
  tracker.answered(kT0 + 5s);
  EXPECT_EQ(tracker.decide(kT0 + 5s).state, HealthState::kReady);
  EXPECT_EQ(tracker.decide(kT0 + 14s).state, HealthState::kReady);
}

TEST(HealthTracker, StartingUntilItAnswersWithTheExpectedMapThenReadyOnAnyMap) {
  HealthTracker tracker(settings(), kT0);
  tracker.answered(kT0 + 5s, AnsweredMap::kOther);
  EXPECT_EQ(tracker.decide(kT0 + 6s).state, HealthState::kStarting);
  // Answering at all keeps it alive: never restarted while it answers, whatever the map.
  tracker.answered(kT0 + 14s, AnsweredMap::kOther);
  EXPECT_EQ(tracker.decide(kT0 + 20s).state, HealthState::kStarting);
  tracker.answered(kT0 + 21s, AnsweredMap::kExpected);
  EXPECT_EQ(tracker.decide(kT0 + 22s).state, HealthState::kReady);
  tracker.answered(kT0 + 23s, AnsweredMap::kOther);  // a later map change
  EXPECT_EQ(tracker.decide(kT0 + 24s).state, HealthState::kReady);
  EXPECT_EQ(tracker.decide(kT0 + 33s).state, HealthState::kUnresponsive);
}

TEST(HealthTracker, UnresponsiveAfterTheHangTime) {
  HealthTracker tracker(settings(), kT0);
  tracker.answered(kT0 + 5s);
  EXPECT_EQ(tracker.decide(kT0 + 15s - 1ms).state, HealthState::kReady);
  HealthVerdict verdict = tracker.decide(kT0 + 15s);
  EXPECT_EQ(verdict.state, HealthState::kUnresponsive);
  EXPECT_EQ(verdict.reason, "unresponsive: no A2S answer for 10 s");
}

TEST(HealthTracker, AServerThatKeepsAnsweringIsNeverUnresponsive) {
  HealthTracker tracker(settings(), kT0);
  // Under load, answers come late and irregularly, but each within the hang time of the last.
  Clock::time_point now = kT0;
  for (int i = 0; i < 1000; ++i) {
    now += std::chrono::milliseconds(9999 - (i % 7) * 1000);
    EXPECT_NE(tracker.decide(now).state, HealthState::kUnresponsive) << i;
    tracker.answered(now);
  }
}

TEST(HealthTracker, AMapChangeMovesTheSilenceToTheEndOfItsGrace) {
  HealthTracker tracker(settings(), kT0);
  tracker.answered(kT0 + 5s);
  tracker.map_changed(kT0 + 6s);
  // Silent for far longer than the hang time, but inside the grace (20 s) plus the hang time (10 s).
  EXPECT_EQ(tracker.decide(kT0 + 26s).state, HealthState::kReady);
  EXPECT_EQ(tracker.decide(kT0 + 36s - 1ms).state, HealthState::kReady);
  HealthVerdict verdict = tracker.decide(kT0 + 36s);
  EXPECT_EQ(verdict.state, HealthState::kUnresponsive);
  EXPECT_EQ(verdict.reason, "unresponsive: no A2S answer for 31 s (after a map change)");
}

// An answer that was on its way when the change was recorded must not end the grace: the window is kept.
TEST(HealthTracker, AnAnswerDuringTheMapChangeKeepsItsGrace) {
  HealthTracker tracker(settings(), kT0);
  tracker.answered(kT0 + 5s);
  tracker.map_changed(kT0 + 6s);
  tracker.answered(kT0 + 8s);
  EXPECT_EQ(tracker.decide(kT0 + 35s).state, HealthState::kReady);
  EXPECT_EQ(tracker.decide(kT0 + 36s).state, HealthState::kUnresponsive);
  EXPECT_EQ(tracker.decide(kT0 + 36s).reason, "unresponsive: no A2S answer for 28 s");
}

TEST(HealthTracker, AnOldMapChangeGivesNoGrace) {
  HealthTracker tracker(settings(), kT0);
  tracker.map_changed(kT0 - 100s);  // recorded for an earlier process, or long ago
  tracker.answered(kT0 + 5s);
  EXPECT_EQ(tracker.decide(kT0 + 15s).state, HealthState::kUnresponsive);
}

TEST(HealthTracker, TheLatestMapChangeCounts) {
  HealthTracker tracker(settings(), kT0);
  tracker.answered(kT0 + 5s);
  tracker.map_changed(kT0 + 50s);
  tracker.map_changed(kT0 + 6s);  // seen later, happened earlier: ignored
  EXPECT_EQ(tracker.decide(kT0 + 79s).state, HealthState::kReady);
  EXPECT_EQ(tracker.decide(kT0 + 80s).state, HealthState::kUnresponsive);
}

// srcds prints `---- Host_NewGame ----` for its first map too: that is the start, covered by the start grace.
TEST(HealthTracker, AMapChangeBeforeTheFirstAnswerIsPartOfTheStart) {
  HealthTracker loading(settings(), kT0);
  loading.map_changed(kT0 + 25s);
  EXPECT_EQ(loading.decide(kT0 + 39s).state, HealthState::kStarting);
  EXPECT_EQ(loading.decide(kT0 + 40s).state, HealthState::kUnresponsive);

  HealthTracker answered(settings(), kT0);
  answered.map_changed(kT0 + 1s);
  answered.answered(kT0 + 2s);
  EXPECT_EQ(answered.decide(kT0 + 12s).state, HealthState::kUnresponsive);
}

TEST(HealthTracker, HangZeroNeverRestarts) {
  HealthSettings off = settings();
  off.hang = 0s;
  HealthTracker tracker(off, kT0);
  tracker.answered(kT0);
  EXPECT_EQ(tracker.decide(kT0 + 100000s).state, HealthState::kReady);
}

// Rounds every second: an ask counts once it had 500 ms to be answered, and watches up to the next round's time.
TEST(WatchedSilence, AnAskCountsOnceItHadTimeToBeAnsweredAndWatchesOneInterval) {
  WatchedSilence watched(1s);
  EXPECT_EQ(watched.until(kT0), Clock::time_point());  // nothing asked: nothing watched
  watched.asked(kT0);
  EXPECT_EQ(watched.until(kT0 + 499ms), Clock::time_point());
  EXPECT_EQ(watched.until(kT0 + 500ms), kT0 + 500ms);
  EXPECT_EQ(watched.until(kT0 + 1s), kT0 + 1s);  // a round on time: watched until now
  EXPECT_EQ(watched.until(kT0 + 9s), kT0 + 1s);  // a round 8 s late: the monitor did not watch those 8 s
}

// A round that ran late asks, and its next round comes at once: the fresh ask has not had its time, so the
// previous one counts.
TEST(WatchedSilence, AFreshAskLeavesThePreviousOneCounting) {
  WatchedSilence watched(1s);
  watched.asked(kT0);
  watched.asked(kT0 + 6s);
  EXPECT_EQ(watched.until(kT0 + 6s + 10ms), kT0 + 1s);
  EXPECT_EQ(watched.until(kT0 + 7s), kT0 + 7s);
}

TEST(WatchedSilence, TheAnswersWaitIsHalfAnIntervalAtMost500Ms) {
  EXPECT_EQ(answers_wait(2s), 500ms);
  EXPECT_EQ(answers_wait(1s), 500ms);
  EXPECT_EQ(answers_wait(200ms), 100ms);
}

TEST(WatchedSilence, TheAnswerWaitIsHalfAShortInterval) {
  WatchedSilence watched(200ms);
  watched.asked(kT0);
  EXPECT_EQ(watched.until(kT0 + 99ms), Clock::time_point());
  EXPECT_EQ(watched.until(kT0 + 100ms), kT0 + 100ms);
}

// The monitor judges at the watched time: a server that answered each round the monitor ran is not unresponsive
// after the monitor was stopped for far longer than the hang time; one that stays silent is, once asked again.
TEST(WatchedSilence, AMonitorThatDidNotRunFindsNoSilenceInItsGap) {
  HealthTracker tracker(settings(), kT0);
  WatchedSilence watched(1s);
  for (int second = 1; second <= 5; ++second) {
    watched.asked(kT0 + std::chrono::seconds(second));
    tracker.answered(kT0 + std::chrono::seconds(second) + 5ms);
  }
  // The monitor was stopped from kT0 + 5 s to kT0 + 60 s.
  EXPECT_EQ(tracker.decide(watched.until(kT0 + 60s)).state, HealthState::kReady);
  watched.asked(kT0 + 60s);
  EXPECT_EQ(tracker.decide(watched.until(kT0 + 60s + 1ms)).state, HealthState::kReady);
  // Silent since: asked again and not answered, it is unresponsive at the next round.
  EXPECT_EQ(tracker.decide(watched.until(kT0 + 61s)).state, HealthState::kUnresponsive);
}

TEST(MapChange, Commands) {
  EXPECT_TRUE(is_map_change_command("changelevel c2m1_highway"));
  EXPECT_TRUE(is_map_change_command("  MAP c1m1_hotel versus"));
  EXPECT_TRUE(is_map_change_command("changelevel;say hi"));
  EXPECT_FALSE(is_map_change_command("maps *"));
  EXPECT_FALSE(is_map_change_command("say changelevel"));
  EXPECT_FALSE(is_map_change_command(""));
}

TEST(MapChange, ConsoleLines) {
  EXPECT_TRUE(is_map_change_line("---- Host_Changelevel ----"));
  EXPECT_TRUE(is_map_change_line("---- Host_NewGame ----"));
  EXPECT_FALSE(is_map_change_line("Host_NewGame on map c1m1_hotel"));
  EXPECT_FALSE(is_map_change_line("Server is hibernating"));
}

TEST(HealthRecord, RoundTrips) {
  HealthRecord record{.state = HealthState::kUnresponsive,
                      .since_unix = 1700000000,
                      .last_restart_reason = "unresponsive: no A2S answer for 10 s",
                      .last_restart_unix = 1700000000};
  auto parsed = parse_health_record(health_record_json(record), "health.json");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->state, record.state);
  EXPECT_EQ(parsed->since_unix, record.since_unix);
  EXPECT_EQ(parsed->last_restart_reason, record.last_restart_reason);
  EXPECT_EQ(parsed->last_restart_unix, record.last_restart_unix);
}

TEST(HealthRecord, RejectsWhatIsNotOne) {
  for (std::string_view bad : {"", "[]", "{}", R"({"state":"asleep","since":1})", R"({"state":"ready","since":"x"})",
                               R"({"state":"ready","since":1,"last_restart_reason":3})"}) {
    auto parsed = parse_health_record(bad, "health.json");
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.error().message().find("health.json"), std::string::npos);
  }
}

TEST(JournalMapChange, ReadsTheUnitAndTime) {
  auto change = parse_journal_map_change(
      R"({"__CURSOR":"s=1;i=2","__REALTIME_TIMESTAMP":"1700000000123456","__MONOTONIC_TIMESTAMP":"5",)"
      R"("_BOOT_ID":"b","_SYSTEMD_UNIT":"left4me-server@alpha-2_b.service"})");
  ASSERT_TRUE(change.has_value());
  EXPECT_EQ(change->instance.str(), "alpha-2_b");
  EXPECT_EQ(change->unix_ms, 1700000000123);
}

TEST(JournalMapChange, IgnoresOtherLines) {
  for (std::string_view bad : {
           "",
           "not json",
           R"({"__REALTIME_TIMESTAMP":"1700000000123456"})",
           R"({"__REALTIME_TIMESTAMP":"1700000000123456","_SYSTEMD_UNIT":"left4me-web.service"})",
           R"({"__REALTIME_TIMESTAMP":"1700000000123456","_SYSTEMD_UNIT":"left4me-server@.service"})",
           R"({"__REALTIME_TIMESTAMP":"1700000000123456","_SYSTEMD_UNIT":"left4me-server@A.service"})",
           R"({"__REALTIME_TIMESTAMP":"1700000000123456","_SYSTEMD_UNIT":"left4me-server@a.service.d"})",
           R"({"__REALTIME_TIMESTAMP":1700000000123456,"_SYSTEMD_UNIT":"left4me-server@a.service"})",
           R"({"__REALTIME_TIMESTAMP":"-5","_SYSTEMD_UNIT":"left4me-server@a.service"})",
           R"({"__REALTIME_TIMESTAMP":"17000","_SYSTEMD_UNIT":["left4me-server@a.service"]})",
       }) {
    EXPECT_FALSE(parse_journal_map_change(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace left4me::host
