// How l4d2ctl assembles the host library for one command: configuration, mounter, supervisor.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "host/host_config.h"
#include "host/instances.h"

namespace CLI {
class App;
}

namespace left4me::cli {

// Loads the host configuration and picks the mounter (direct as root, else the sudo helper) and the
// supervisor (LEFT4ME_SUPERVISOR, else systemd when it runs and the units are installed, else built-in).
Result<std::unique_ptr<host::Instances>> open_instances();
// For the built-in health monitor's list snapshot (Instances::list_snapshot_for): the built-in supervisor, and a
// status that never asks a server itself (the monitor gives its own answers).
Result<std::unique_ptr<host::Instances>> open_instances_for_monitor();
// The one rule for systemd or not: LEFT4ME_SUPERVISOR, else systemd when it runs and the units are
// installed. Servers and script overlay builds (systemd unit or bubblewrap) follow it.
bool uses_systemd(const host::HostConfig& config);
// The running l4d2ctl binary (/proc/self/exe), which runs `__supervise` and `__monitor`.
std::string self_exe();

// `l4d2ctl install [--json] [--list | --check | --use <buildid> | --remove <buildid>]` (docs/cli.md).
struct InstallOptions {
  bool json = false;
  bool list = false;
  bool check = false;
  std::string use;     // a build id, or empty
  std::string remove;  // a build id, or empty
};
int run_install(const InstallOptions& options);
// Adds install's flags beyond --json to its subcommand.
void add_install_options(CLI::App& app, InstallOptions& options);

}  // namespace left4me::cli
