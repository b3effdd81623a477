#include "testing/fake_srcds/tick_meter.h"

#include <algorithm>

namespace left4me::fake_srcds {
namespace {

std::chrono::microseconds percentile(std::vector<std::int64_t> values, double fraction) {
  if (values.empty()) return std::chrono::microseconds(0);
  auto rank = static_cast<std::size_t>(fraction * static_cast<double>(values.size() - 1) + 0.5);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(rank), values.end());
  return std::chrono::microseconds(values[rank]);
}

}  // namespace

TickMeter::TickMeter(int tickrate, Clock::time_point start)
    : tickrate_(tickrate),
      interval_(std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(1'000'000'000 / tickrate))),
      since_(start),
      next_(start) {}

void TickMeter::tick(Clock::time_point now) {
  auto late = std::chrono::duration_cast<std::chrono::microseconds>(now - next_);
  if (late.count() < 0) late = std::chrono::microseconds(0);
  std::uint64_t skipped = static_cast<std::uint64_t>((now - next_) / interval_);
  missed_ += skipped;
  ++ticks_;
  max_ = std::max(max_, late);
  if (lateness_us_.size() < kTickWindow) {
    lateness_us_.push_back(late.count());
  } else {
    lateness_us_[ring_next_] = late.count();
    ring_next_ = (ring_next_ + 1) % kTickWindow;
  }
  next_ += interval_ * static_cast<Clock::rep>(skipped + 1);
}

TickReport TickMeter::report(Clock::time_point now) const {
  TickReport report;
  report.tickrate = tickrate_;
  report.ticks = ticks_;
  report.missed = missed_;
  report.p50 = percentile(lateness_us_, 0.50);
  report.p99 = percentile(lateness_us_, 0.99);
  report.max = max_;
  double seconds = std::chrono::duration<double>(now - since_).count();
  report.ticks_per_second = seconds > 0 ? static_cast<double>(ticks_) / seconds : 0;
  return report;
}

void TickMeter::reset(Clock::time_point now) {
  since_ = now;
  next_ = now;
  ticks_ = 0;
  missed_ = 0;
  max_ = std::chrono::microseconds(0);
  lateness_us_.clear();
  ring_next_ = 0;
}

}  // namespace left4me::fake_srcds
