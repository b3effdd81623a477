// RestartPolicy and RestartBudget: when the built-in supervisor restarts a server that exited, as the
// upstream unit does (Restart=on-failure, RestartSec=5, StartLimitBurst=5 in StartLimitIntervalSec=60).
// Pure: time comes in as time points, so the decisions test without waiting. Value types; not
// synchronized.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>

#include "base/subprocess.h"

namespace left4me::host {

// Policy knobs; the defaults are the upstream unit's.
struct RestartPolicy {
  std::chrono::milliseconds delay{5000};   // RestartSec=5
  int burst = 5;                           // StartLimitBurst=5
  std::chrono::seconds interval{60};       // StartLimitIntervalSec=60s
  std::uint64_t log_max_bytes = 8u << 20;  // console.log rotation size
};

enum class StopRequested { kNo, kYes };

enum class AfterExit {
  kStop,     // asked to stop, or the server quit by itself (exit code 0): record stopped
  kRestart,  // start it again after the policy's delay
  kGiveUp,   // the start limit is reached: record failed
};

struct ExitDecision {
  AfterExit action;
  std::string message;  // for state.json and the console log: why, or what happens next
};

// The starts of one supervisor process within the policy's interval, and what an exit leads to.
class RestartBudget {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RestartBudget(RestartPolicy policy) : policy_(policy) {}

  // The server was started at `now`.
  void started(Clock::time_point now);
  // What to do after the server exited with `exit` at `now`. A failure restarts unless it ends the
  // burst-th start within the interval (starts older than the interval no longer count).
  ExitDecision after_exit(const ExitStatus& exit, StopRequested stop, Clock::time_point now);

  const RestartPolicy& policy() const { return policy_; }

 private:
  RestartPolicy policy_;
  std::deque<Clock::time_point> starts_;
};

}  // namespace left4me::host
