// left4me-bindguard [--host-env FILE] <name>: run by left4me-server@<name>.service as ExecStartPre=+ (root,
// in the unit's cgroup), it lets the unit's processes bind the instance's own game port only
// (host/bind_guard.h). The port comes from instances/<name>/instance.env, read by the strict parser and
// checked against host.env's range; the guard goes only onto the cgroup of that instance's own unit.
// Never reads its environment (helper/helper_config.h).
// Exit status: 0 attached; 1 failure, one line "left4me-bindguard: <message>"; 2 usage error.
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "helper/helper_config.h"
#include "helper/systemd_tool.h"
#include "host/bind_guard.h"
#include "host/instance_env_file.h"
#include "model/instance_name.h"

namespace {

int fail(const std::string& message) {
  std::fprintf(stderr, "left4me-bindguard: %s\n", message.c_str());
  return 1;
}

int usage(const std::string& problem) {
  std::fprintf(stderr, "left4me-bindguard: %s\nusage: left4me-bindguard [--host-env FILE] <name>\n", problem.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  auto host_env = left4me::helper::take_host_env_option(args);
  if (!host_env.ok()) return usage(host_env.error().message());
  if (args.size() != 1) return usage("expected one instance name");
  auto name = left4me::model::InstanceName::create(args[0]);
  if (!name.ok()) return usage(name.error().message());
  auto config = left4me::helper::load_helper_config(*host_env);
  if (!config.ok()) return fail(config.error().message());
  auto env = left4me::host::read_instance_env(config->host.layout, *name);
  if (!env.ok()) return fail(env.error().message());
  const auto& ports = config->host.ports;
  if (!ports.contains(env->port)) {
    return fail(config->host.layout.instance_env(*name) + ": L4D2_PORT " + std::to_string(env->port) +
                " is outside the port range " + std::to_string(ports.start) + ".." + std::to_string(ports.end) +
                " of host.env");
  }
  auto cgroup = left4me::host::own_cgroup_dir();
  if (!cgroup.ok()) return fail(cgroup.error().message());
  const std::string unit = "/" + left4me::helper::server_unit(*name);
  if (!cgroup->ends_with(unit)) {
    return fail("not running in " + unit.substr(1) + "'s cgroup (" + *cgroup + "); run only from its ExecStartPre=+");
  }
  auto attached = left4me::host::attach_bind_guard(*cgroup, static_cast<std::uint16_t>(env->port));
  if (!attached.ok()) return fail(name->str() + ": " + attached.error().message());
  return 0;
}
