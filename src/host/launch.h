// LaunchPlan: how to start an instance's server, derived from instances/<name>/instance.env
// exactly as the systemd unit derives it. Pure apart from reading that file; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "model/instance_name.h"
#include "model/layout.h"

namespace left4me::host {

struct LaunchPlan {
  std::vector<std::string> argv;  // merged/srcds_run -norestart -game left4dead2 +ip 0.0.0.0 +hostport P ...
  std::string game_root;          // runtime/<name>/merged: the working directory
  std::uint16_t port = 0;
  std::string map;  // the start map (+map), for readiness checks
};

// Fails with kNotFound if the instance was never initialized.
Result<LaunchPlan> read_launch_plan(const model::Layout& layout, const model::InstanceName& name);

}  // namespace left4me::host
