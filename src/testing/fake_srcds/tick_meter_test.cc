#include "testing/fake_srcds/tick_meter.h"

#include <gtest/gtest.h>

namespace left4me::fake_srcds {
namespace {

using namespace std::chrono_literals;
using Clock = TickMeter::Clock;

TEST(TickMeterTest, TicksOnTimeAreNeitherLateNorMissed) {
  Clock::time_point start{};
  TickMeter meter(100, start);
  for (int i = 0; i < 100; ++i) meter.tick(meter.next_tick());
  TickReport report = meter.report(start + 1s);
  EXPECT_EQ(report.tickrate, 100);
  EXPECT_EQ(report.ticks, 100u);
  EXPECT_EQ(report.missed, 0u);
  EXPECT_EQ(report.p99, 0us);
  EXPECT_EQ(report.max, 0us);
  EXPECT_DOUBLE_EQ(report.ticks_per_second, 100.0);
  EXPECT_EQ(meter.next_tick(), start + 1s);
}

TEST(TickMeterTest, LatenessIsMeasuredAgainstTheSchedule) {
  Clock::time_point start{};
  TickMeter meter(100, start);                 // a tick every 10 ms
  meter.tick(start + 300us);                   // due at 0
  EXPECT_EQ(meter.next_tick(), start + 10ms);  // the schedule does not drift with the lateness
  meter.tick(start + 10ms + 2ms);
  TickReport report = meter.report(start + 20ms);
  EXPECT_EQ(report.max, 2000us);
  EXPECT_EQ(report.missed, 0u);
}

TEST(TickMeterTest, ATickLateByMoreThanItsIntervalCountsTheSkippedTicksAsMissed) {
  Clock::time_point start{};
  TickMeter meter(100, start);
  meter.tick(start + 35ms);  // due at 0; the ticks due at 10, 20 and 30 ms passed
  TickReport report = meter.report(start + 40ms);
  EXPECT_EQ(report.missed, 3u);
  EXPECT_EQ(report.ticks, 1u);
  EXPECT_EQ(report.max, 35000us);
  EXPECT_EQ(meter.next_tick(), start + 40ms);  // the first tick after now, not the missed ones
}

TEST(TickMeterTest, PercentilesCoverTheRecentTicks) {
  Clock::time_point start{};
  TickMeter meter(10, start);  // 100 ms
  for (int i = 0; i < 100; ++i) {
    auto late = i < 98 ? std::chrono::microseconds(i) : 50ms;  // two slow ticks in a hundred
    meter.tick(meter.next_tick() + late);
  }
  TickReport report = meter.report(start + 10s);
  EXPECT_EQ(report.p50, 50us);
  EXPECT_EQ(report.p99, 50000us);
  EXPECT_EQ(report.max, 50000us);
}

TEST(TickMeterTest, ResetForgetsAndRestartsTheSchedule) {
  Clock::time_point start{};
  TickMeter meter(30, start);
  meter.tick(start + 1s);
  meter.reset(start + 2s);
  TickReport report = meter.report(start + 2s);
  EXPECT_EQ(report.ticks, 0u);
  EXPECT_EQ(report.missed, 0u);
  EXPECT_EQ(report.max, 0us);
  EXPECT_EQ(meter.next_tick(), start + 2s);
}

}  // namespace
}  // namespace left4me::fake_srcds
