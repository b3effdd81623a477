// The stand-in game's tick schedule and how well it keeps it: each tick is due at start + n / tickrate;
// how late it started against that schedule (its lateness) is recorded, and a tick whose whole interval
// passed before the game got to it is missed (the schedule moves on, as srcds's does, instead of
// running the late ticks back to back). fake-srcds's `stats` reports it (docs/fakes.md).
// Single-threaded.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

namespace left4me::fake_srcds {

struct TickReport {
  int tickrate = 0;
  std::uint64_t ticks = 0;   // ticks run since the start or the last reset
  std::uint64_t missed = 0;  // ticks skipped because their interval had passed
  // Lateness of the ticks run, over the last kTickWindow of them.
  std::chrono::microseconds p50{0}, p99{0}, max{0};
  double ticks_per_second = 0;  // ticks run per second of wall time since the start or the reset
};

// How many recent ticks the percentiles cover (11 minutes at 100 tick).
inline constexpr std::size_t kTickWindow = 65536;

class TickMeter {
 public:
  using Clock = std::chrono::steady_clock;

  // tickrate in 1..1000 (the caller checks it).
  TickMeter(int tickrate, Clock::time_point start);

  int tickrate() const { return tickrate_; }
  Clock::time_point next_tick() const { return next_; }
  // Runs the tick due at next_tick() at `now` (>= next_tick()): records its lateness, counts the ticks
  // whose interval passed meanwhile as missed, and moves the schedule to the first tick after now.
  void tick(Clock::time_point now);
  TickReport report(Clock::time_point now) const;
  // Forgets what was measured; the schedule starts again at now.
  void reset(Clock::time_point now);

 private:
  int tickrate_;
  Clock::duration interval_;
  Clock::time_point since_;
  Clock::time_point next_;
  std::uint64_t ticks_ = 0;
  std::uint64_t missed_ = 0;
  std::chrono::microseconds max_{0};
  std::vector<std::int64_t> lateness_us_;  // a ring of the last kTickWindow lateness values
  std::size_t ring_next_ = 0;
};

}  // namespace left4me::fake_srcds
