// How l4d2ctl assembles the host library for one command: configuration, mounter, supervisor.
#pragma once

#include <memory>

#include "base/result.h"
#include "host/instances.h"

namespace left4me::cli {

// Loads the host configuration and picks the mounter (direct as root, else the sudo helper) and the
// supervisor (LEFT4ME_SUPERVISOR, else systemd when it runs and the units are installed, else built-in).
Result<std::unique_ptr<host::Instances>> open_instances();

// `l4d2ctl install [--json]`.
int run_install(bool json);

}  // namespace left4me::cli
