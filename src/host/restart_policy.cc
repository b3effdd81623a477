#include "host/restart_policy.h"

namespace left4me::host {

void RestartBudget::started(Clock::time_point now) { starts_.push_back(now); }

ExitDecision RestartBudget::after_exit(const ExitStatus& exit, StopRequested stop, Clock::time_point now) {
  if (stop == StopRequested::kYes) return {AfterExit::kStop, "stopped"};
  if (exit.success()) return {AfterExit::kStop, "the server quit by itself"};
  while (!starts_.empty() && now - starts_.front() > policy_.interval) starts_.pop_front();
  if (static_cast<int>(starts_.size()) >= policy_.burst) {
    return {AfterExit::kGiveUp, "crashed " + std::to_string(starts_.size()) + " times within " +
                                    std::to_string(policy_.interval.count()) +
                                    " s; not restarting (start it again to retry)"};
  }
  return {AfterExit::kRestart,
          "restarting in " + std::to_string(policy_.delay.count()) + " ms after " + exit.describe()};
}

}  // namespace left4me::host
