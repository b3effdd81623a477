// HostEvent: what the status cache notices between two of the host's status lists (`l4d2ctl list --json`): a
// server that crashed (its supervisor restarted it), one the health monitor restarted after a hang, one that ended
// failed. Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "web/ctl.h"
#include "web/states.h"

namespace left4me::web {

struct HostEvent {
  std::string instance;
  ServerEventKind kind = ServerEventKind::kCrash;  // kCrash, kAutoRestart or kFailed
  std::string reason;                              // for people: "exit code 139 (SIGSEGV)", the monitor's reason

  bool operator==(const HostEvent&) const = default;
};

// What changed from before to after, instance by instance (both lists as StatusCache keeps them). An instance only
// in one of them, or listed with an error, says nothing. The restart count going up is an automatic restart after a
// hang when the monitor's health record names a new restart (health.last_restart changed), else a crash; the
// restart count going down is a new start (a user's job), not an event. State changing to failed is kFailed.
std::vector<HostEvent> host_events(const StatusMap& before, const StatusMap& after);

}  // namespace left4me::web
