// The daily restart's settings, when it is due (the clock given as Unix seconds: the seam every caller passes), and
// the rule its job follows at each look at the server.
#include "web/restart_schedule.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace left4me::web {
namespace {

// 2026-12-03 00:00:00 UTC.
constexpr std::int64_t kDay = 1796256000;
constexpr std::int64_t kHour = 3600;

RestartScheduleParse parse(std::string time, std::string wait = "30", std::string message = "") {
  return parse_restart_schedule({true, std::move(time), std::move(wait), std::move(message)});
}

RestartSchedule at(int hour, int minute, int wait_minutes = 30) {
  return RestartSchedule{true, hour * 60 + minute, wait_minutes, ""};
}

TEST(RestartScheduleTest, TakesATimeOfDayAWaitAndAMessage) {
  RestartScheduleParse parsed = parse(" 04:30 ", " 45 ", "  Restart soon, finish your round!  ");
  ASSERT_TRUE(parsed.schedule) << parsed.problem->message;
  EXPECT_EQ(*parsed.schedule, (RestartSchedule{true, 4 * 60 + 30, 45, "Restart soon, finish your round!"}));
  EXPECT_EQ(parse("4:05").schedule->minute_of_day, 4 * 60 + 5);
  EXPECT_EQ(parse("00:00").schedule->minute_of_day, 0);
  EXPECT_EQ(parse("23:59").schedule->minute_of_day, 23 * 60 + 59);
  EXPECT_EQ(parse("04:00", "0").schedule->max_wait_minutes, 0);
  EXPECT_EQ(parse("04:00", "720").schedule->max_wait_minutes, 720);
  EXPECT_EQ(parse("04:00", "30", "Zo\xc3\xab sagt: gleich geht's neu los").schedule->message,
            "Zo\xc3\xab sagt: gleich geht's neu los");
  EXPECT_EQ(format_time_of_day(4 * 60 + 5), "04:05");
  // Turned off, the settings are kept as they are: they are checked all the same.
  RestartScheduleParse off = parse_restart_schedule({false, "05:00", "10", ""});
  ASSERT_TRUE(off.schedule);
  EXPECT_FALSE(off.schedule->enabled);
  EXPECT_FALSE(parse_restart_schedule({false, "25:00", "10", ""}).schedule);
}

TEST(RestartScheduleTest, RefusesABadTime) {
  for (std::string time : {"", "24:00", "23:60", "4", "04:5", "04-30", "004:30", "04:300", "-1:30", "+4:30", "ab:cd",
                           "04:30 UTC", "4 :30", "\xff:00"}) {
    RestartScheduleParse parsed = parse(time);
    ASSERT_TRUE(parsed.problem) << time;
    EXPECT_FALSE(parsed.schedule);
    EXPECT_EQ(parsed.problem->field, "time") << time;
    EXPECT_NE(parsed.problem->message.find("is not a time of day HH:MM from 00:00 to 23:59 (UTC)"), std::string::npos)
        << parsed.problem->message;
  }
  EXPECT_EQ(parse("25:00").problem->message, "time: '25:00' is not a time of day HH:MM from 00:00 to 23:59 (UTC)");
}

TEST(RestartScheduleTest, RefusesANegativeHugeOrNonNumberWait) {
  for (std::string wait : {"-1", "721", "100000000000000000000", "1.5", "", "ten", "0x10", "1e3"}) {
    RestartScheduleParse parsed = parse("04:00", wait);
    ASSERT_TRUE(parsed.problem) << wait;
    EXPECT_EQ(parsed.problem->field, "max_wait_minutes") << wait;
  }
  EXPECT_EQ(parse("04:00", "-5").problem->message,
            "max_wait_minutes: '-5' is not a whole number of minutes from 0 to 720");
}

TEST(RestartScheduleTest, RefusesALongMessageControlCharactersAndCommandBreaks) {
  struct Case {
    std::string message;
    std::string why;
  };
  for (const Case& bad :
       {Case{std::string(201, 'a'), "message: at most 200 bytes (this one has 201)"},
        Case{"first\nsecond", "message: one line without control characters"},
        Case{"tab\there", "message: one line without control characters"},
        Case{std::string("nul\0x", 5), "message: one line without control characters"},
        Case{"del\x7f", "message: one line without control characters"},
        Case{"bye; quit", "message: without '\"' or ';'"}, Case{"say \"hi\"", "message: without '\"' or ';'"},
        Case{"caf\xc3", "message: not valid UTF-8"}}) {
    RestartScheduleParse parsed = parse("04:00", "30", bad.message);
    ASSERT_TRUE(parsed.problem) << bad.message;
    EXPECT_EQ(parsed.problem->field, "message");
    EXPECT_EQ(parsed.problem->message, bad.why);
  }
  EXPECT_TRUE(parse("04:00", "30", std::string(200, 'a')).schedule);
}

TEST(RestartScheduleTest, LatestTimeIsTodayOnceItPassedElseYesterday) {
  EXPECT_EQ(latest_restart_time(4 * 60, kDay + 4 * kHour), kDay + 4 * kHour);  // exactly at the time
  EXPECT_EQ(latest_restart_time(4 * 60, kDay + 4 * kHour + 59), kDay + 4 * kHour);
  EXPECT_EQ(latest_restart_time(4 * 60, kDay + 4 * kHour - 1), kDay - 86400 + 4 * kHour);
  EXPECT_EQ(latest_restart_time(0, kDay), kDay);
  EXPECT_EQ(latest_restart_time(23 * 60 + 59, kDay + 10), kDay - 60);
  // UTC has no daylight saving time: every day is 86400 s, also across the dates other zones change clocks.
  constexpr std::int64_t kMarch29 = 1774742400;  // 2026-03-29 00:00 UTC, Europe's change to summer time
  EXPECT_EQ(latest_restart_time(2 * 60 + 30, kMarch29 + 3 * kHour), kMarch29 + 2 * kHour + 30 * 60);
}

TEST(RestartScheduleTest, DueOncePerDayWithinTheWindow) {
  RestartSchedule schedule = at(4, 0, 30);
  const std::int64_t due = kDay + 4 * kHour;
  // Before its time: yesterday's was done, today's not yet come.
  EXPECT_EQ(check_restart_schedule(schedule, due - 86400, due - 60).check, ScheduleCheck::kNotDue);
  ScheduleDecision now = check_restart_schedule(schedule, due - 86400, due + 5);
  EXPECT_EQ(now.check, ScheduleCheck::kDue);
  EXPECT_EQ(now.due_at, due);
  // Queued (claimed): not again that day, whatever the time.
  EXPECT_EQ(check_restart_schedule(schedule, due, due + 10).check, ScheduleCheck::kNotDue);
  EXPECT_EQ(check_restart_schedule(schedule, due, due + 20 * kHour).check, ScheduleCheck::kNotDue);
  // The next day it is due again.
  EXPECT_EQ(check_restart_schedule(schedule, due, due + 86400).check, ScheduleCheck::kDue);
  EXPECT_EQ(check_restart_schedule(schedule, due, due + 86400).due_at, due + 86400);
  // Never run before: due too.
  EXPECT_EQ(check_restart_schedule(schedule, std::nullopt, due + 60).check, ScheduleCheck::kDue);
  // Turned off: never.
  schedule.enabled = false;
  EXPECT_EQ(check_restart_schedule(schedule, std::nullopt, due + 60).check, ScheduleCheck::kNotDue);
}

TEST(RestartScheduleTest, AMissedTimeRunsWithinItsMaximumWaitElseTheNextDay) {
  const std::int64_t due = kDay + 4 * kHour;
  // The panel was down at 04:00 and back at 04:25: within the 30 minutes, the restart runs.
  EXPECT_EQ(check_restart_schedule(at(4, 0, 30), due - 86400, due + 25 * 60).check, ScheduleCheck::kDue);
  EXPECT_EQ(check_restart_schedule(at(4, 0, 30), due - 86400, due + 30 * 60).check, ScheduleCheck::kDue);
  // Back at 04:31: skipped to the next day.
  ScheduleDecision missed = check_restart_schedule(at(4, 0, 30), due - 86400, due + 31 * 60);
  EXPECT_EQ(missed.check, ScheduleCheck::kMissed);
  EXPECT_EQ(next_restart_time(at(4, 0, 30), due - 86400, due + 31 * 60), due + 86400);
  // A short wait still leaves kRestartLateStartSeconds to start.
  EXPECT_EQ(check_restart_schedule(at(4, 0, 0), due - 86400, due + 14 * 60).check, ScheduleCheck::kDue);
  EXPECT_EQ(check_restart_schedule(at(4, 0, 0), due - 86400, due + 16 * 60).check, ScheduleCheck::kMissed);
  // A long wait: still due hours later.
  EXPECT_EQ(check_restart_schedule(at(4, 0, 720), due - 86400, due + 11 * kHour).check, ScheduleCheck::kDue);
}

TEST(RestartScheduleTest, NextRestartTime) {
  const std::int64_t due = kDay + 4 * kHour;
  EXPECT_EQ(next_restart_time(at(4, 0), due - 86400, due - 60), due);
  EXPECT_EQ(next_restart_time(at(4, 0), due - 86400, due + 60), due);  // due now: it is the next one
  EXPECT_EQ(next_restart_time(at(4, 0), due, due + 60), due + 86400);  // done today
  RestartSchedule off = at(4, 0);
  off.enabled = false;
  EXPECT_EQ(next_restart_time(off, std::nullopt, due), std::nullopt);
}

nlohmann::json running(std::optional<int> players) {
  nlohmann::json status = {{"name", "web-1"}, {"state", "running"}};
  if (players) {
    status["live"] = {{"players", *players}, {"player_list", nlohmann::json::array()}};
    for (int i = 0; i < *players; ++i) status["live"]["player_list"].push_back({{"name", i == 0 ? "Nick" : "Ellis"}});
  }
  return status;
}

TEST(RestartScheduleTest, JobWaitsWhilePlayersAreOnAndRestartsWhenEmpty) {
  using std::chrono::seconds;
  RestartDecision wait = decide_scheduled_restart(running(2), seconds(10), seconds(60));
  EXPECT_EQ(wait.step, RestartStep::kWait);
  EXPECT_EQ(wait.players, 2);
  EXPECT_EQ(wait.reason, "2 player(s) on it (Nick, Ellis): waiting until it is empty");
  RestartDecision empty = decide_scheduled_restart(running(0), seconds(42), seconds(60));
  EXPECT_EQ(empty.step, RestartStep::kRestart);
  EXPECT_EQ(empty.reason, "nobody plays on it (after waiting 42 s): restarting it");
  RestartDecision unknown = decide_scheduled_restart(running(std::nullopt), seconds(1), seconds(60));
  EXPECT_EQ(unknown.step, RestartStep::kWait);
  EXPECT_EQ(unknown.players, std::nullopt);
}

TEST(RestartScheduleTest, JobRestartsAtTheMaximumWaitAndLeavesAStoppedServerAlone) {
  using std::chrono::seconds;
  RestartDecision late = decide_scheduled_restart(running(1), seconds(60), seconds(60));
  EXPECT_EQ(late.step, RestartStep::kRestart);
  EXPECT_EQ(late.reason, "1 player(s) on it (Nick) after waiting 60 s, the maximum: restarting it anyway");
  EXPECT_EQ(decide_scheduled_restart(running(3), seconds(0), seconds(0)).step, RestartStep::kRestart);
  for (const char* state : {"stopped", "failed"}) {
    RestartDecision stopped = decide_scheduled_restart({{"state", state}}, seconds(5), seconds(60));
    EXPECT_EQ(stopped.step, RestartStep::kNothing);
    EXPECT_EQ(stopped.reason, fmt::format("the server is not running ({}): nothing to restart", state));
  }
  EXPECT_EQ(decide_scheduled_restart(nlohmann::json("garbage"), seconds(5), seconds(60)).step, RestartStep::kNothing);
}

}  // namespace
}  // namespace left4me::web
