#include "cli/context.h"

#include <unistd.h>

#include <climits>

#include "host/builtin_supervisor.h"
#include "host/rendered_files.h"
#include "host/systemd_supervisor.h"

namespace left4me::cli {
namespace {

std::unique_ptr<host::Mounter> make_mounter(const host::HostConfig& config) {
  if (::geteuid() == 0) return host::make_direct_mounter(config.layout, config.uid_range);
  return host::make_helper_mounter(config.layout, config.overlay_helper);
}

std::unique_ptr<host::Supervisor> make_supervisor(const host::HostConfig& config) {
  if (!uses_systemd(config))
    return std::make_unique<host::BuiltinSupervisor>(config.layout, make_mounter(config), self_exe());
  auto options = host::systemd_supervisor_options(config.helper_dir);
  // The unit mounts in ExecStartPre; the rendered files go into the writable layer before that.
  options.prepare = [layout = config.layout](const model::InstanceName& name) {
    return host::place_rendered_files(layout, name);
  };
  return std::make_unique<host::SystemdSupervisor>(std::move(options));
}

}  // namespace

bool uses_systemd(const host::HostConfig& config) {
  return config.supervisor == host::SupervisorKind::kSystemd ||
         (config.supervisor == host::SupervisorKind::kAuto && host::systemd_available(config.layout));
}

std::string self_exe() {
  char buffer[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  if (n <= 0) return "l4d2ctl";
  return std::string(buffer, static_cast<size_t>(n));
}

Result<std::unique_ptr<host::Instances>> open_instances() {
  auto config = host::load_host_config();
  if (!config.ok()) return config.error();
  auto supervisor = make_supervisor(*config);
  auto mounter = make_mounter(*config);
  return std::make_unique<host::Instances>(std::move(*config), std::move(supervisor), std::move(mounter));
}

Result<std::unique_ptr<host::Instances>> open_instances_for_monitor() {
  auto config = host::load_host_config();
  if (!config.ok()) return config.error();
  auto supervisor = std::make_unique<host::BuiltinSupervisor>(config->layout, make_mounter(*config), self_exe());
  auto mounter = make_mounter(*config);
  auto never_ask = [](std::uint16_t, std::chrono::milliseconds) { return std::optional<host::LiveData>(); };
  auto no_players = [](std::uint16_t, std::chrono::milliseconds) -> Result<std::vector<host::LivePlayer>> {
    return Error::failed("the monitor asks for no players");
  };
  return std::make_unique<host::Instances>(std::move(*config), std::move(supervisor), std::move(mounter), never_ask,
                                           no_players);
}

}  // namespace left4me::cli
