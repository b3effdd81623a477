#include "host/stop_escalation.h"

#include <signal.h>

namespace left4me::host {
namespace {

using Step = StopEscalation::Step;
using Target = StopEscalation::Target;

Step signal_step(Target target, int signal) { return {Step::Kind::kSignal, target, signal}; }
Step wait_step() { return {Step::Kind::kWait}; }
Step done_step() { return {Step::Kind::kDone}; }

}  // namespace

void StopEscalation::await_supervisor(Clock::time_point now) {
  phase_ = initially_.supervisor ? Phase::kAwaitSupervisor : Phase::kDone;
  deadline_ = now + kSupervisorWait;
}

StopEscalation::Step StopEscalation::next(Liveness alive, Clock::time_point now) {
  while (true) {
    switch (phase_) {
      case Phase::kBegin:
        phase_ = Phase::kAwaitServer;
        deadline_ = now + timeout_;
        if (!initially_.game) await_supervisor(now);
        if (initially_.supervisor) return signal_step(Target::kSupervisor, SIGTERM);  // it forwards SIGINT
        if (initially_.game) return signal_step(Target::kServerGroup, SIGINT);
        break;
      case Phase::kAwaitServer:
        if (!alive.game) {
          await_supervisor(now);
          break;
        }
        if (now < deadline_) return wait_step();
        phase_ = Phase::kAwaitKilledServer;
        deadline_ = now + kKilledServerWait;
        return signal_step(Target::kServerGroup, SIGKILL);
      case Phase::kAwaitKilledServer:
        if (alive.game && now < deadline_) return wait_step();
        await_supervisor(now);
        break;
      case Phase::kAwaitSupervisor:
        if (!alive.supervisor) return done_step();
        if (now < deadline_) return wait_step();
        phase_ = Phase::kAwaitKilledSupervisor;
        deadline_ = now + kKilledSupervisorWait;
        return signal_step(Target::kSupervisor, SIGKILL);
      case Phase::kAwaitKilledSupervisor:
        if (alive.supervisor && now < deadline_) return wait_step();
        phase_ = Phase::kDone;
        break;
      case Phase::kDone:
        return done_step();
    }
  }
}

}  // namespace left4me::host
