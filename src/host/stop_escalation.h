// StopEscalation: how the built-in supervisor's `stop` brings down an instance's recorded processes.
// SIGTERM to a live supervisor (which sends SIGINT to the server's group), or SIGINT to the server's
// group when no supervisor lives; SIGKILL to the group once the timeout passes; a supervisor still
// alive 5 s after the server is gone gets SIGKILL (and 2 s more to go). Pure: liveness and time come in
// with each call, so the escalation tests without processes or waiting. Value type; not synchronized.
#pragma once

#include <chrono>

#include "host/supervisor_state.h"

namespace left4me::host {

class StopEscalation {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kKilledServerWait{5};
  static constexpr std::chrono::seconds kSupervisorWait{5};
  static constexpr std::chrono::seconds kKilledSupervisorWait{2};

  enum class Target { kSupervisor, kServerGroup };
  struct Step {
    enum class Kind { kSignal, kWait, kDone } kind;
    Target target = Target::kSupervisor;  // for kSignal
    int signal = 0;                       // for kSignal
  };

  // `alive`: which recorded processes live when the stop begins.
  StopEscalation(Liveness alive, std::chrono::seconds timeout) : initially_(alive), timeout_(timeout) {}

  // The next step at `now`, given which processes live now: send a signal, wait a little and ask
  // again, or done.
  Step next(Liveness alive, Clock::time_point now);

 private:
  enum class Phase { kBegin, kAwaitServer, kAwaitKilledServer, kAwaitSupervisor, kAwaitKilledSupervisor, kDone };
  // After the server: wait for a supervisor that lived at the beginning, else done.
  void await_supervisor(Clock::time_point now);

  Liveness initially_;
  std::chrono::seconds timeout_;
  Phase phase_ = Phase::kBegin;
  Clock::time_point deadline_{};
};

}  // namespace left4me::host
