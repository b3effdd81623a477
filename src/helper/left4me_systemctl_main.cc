// left4me-systemctl [--host-env FILE] enable|disable|restart|show|kill <name>: the only way the unprivileged
// service acts on its server units (run through sudo). Validates everything and derives the unit name
// itself; never reads its environment (helper/helper_config.h).
//   enable    writes the unit's per-instance drop-in from instance.env, read and checked here as root
//             (helper/instance_unit.h: port, arguments, the one port it may bind, its own uid), clears a
//             previous "failed", then `systemctl enable --now`: starts now and at boot
//   disable   `systemctl disable --now`: stops now and not at boot, forgets a "failed" state, and
//             removes the drop-in and the identity records
//   restart   as enable, with `systemctl restart`
//   show      the unit's state as KEY=value lines (timestamps as @<unix seconds>)
//   kill      `systemctl kill --signal=SIGKILL`: every process of the unit, so that its Restart=on-failure
//             and StartLimitBurst= apply (the health monitor ends a hung server this way)
// Exit: systemctl's status; 1 when the instance's unit cannot be set up (one line on stderr, e.g. a
// malformed instance.env); 2 usage or invalid name (systemctl is not run); 69 systemctl missing.
#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/strings.h"
#include "helper/helper_config.h"
#include "helper/instance_unit.h"
#include "helper/systemd_tool.h"
#include "model/instance_name.h"

namespace {

using left4me::Error;
using left4me::Status;
using left4me::helper::kExitToolMissing;
using left4me::helper::kExitUsage;

constexpr std::string_view kProgram = "left4me-systemctl";
constexpr std::string_view kShowProperties =
    "LoadState,ActiveState,SubState,Result,MainPID,NRestarts,"
    "ExecMainStartTimestamp,ExecMainExitTimestamp,"
    "ExecMainCode,ExecMainStatus,ActiveEnterTimestamp,InactiveEnterTimestamp,"
    "StateChangeTimestamp,"
    "UnitFileState";

int usage(std::string_view problem) {
  std::fprintf(stderr, "%.*s: %.*s\nusage: %.*s [--host-env FILE] enable|disable|restart|show|kill <name>\n",
               static_cast<int>(kProgram.size()), kProgram.data(), static_cast<int>(problem.size()), problem.data(),
               static_cast<int>(kProgram.size()), kProgram.data());
  return kExitUsage;
}

int fail(const std::string& message, int code) {
  std::fprintf(stderr, "%.*s: %s\n", static_cast<int>(kProgram.size()), kProgram.data(), message.c_str());
  return code;
}

// Clears a "failed" unit (and its start-rate counter) so the next start is not refused. Only
// when failed: on a running unit reset-failed would also zero NRestarts.
void reset_if_failed(const std::string& systemctl, const std::string& unit) {
  auto failed = left4me::helper::run_tool({systemctl, "is-failed", "--quiet", unit});
  if (failed.ok() && *failed == 0) {
    (void)left4me::helper::run_tool({systemctl, "reset-failed", unit});
  }
}

left4me::Result<std::map<std::string, std::string>> unit_properties(const std::string& systemctl,
                                                                    const std::string& unit) {
  auto shown = left4me::helper::capture_tool(
      {systemctl, "show", "--property=LoadState,NeedDaemonReload,User,Group,Environment", unit});
  if (!shown.ok()) return shown.error();
  if (!shown->status.success()) {
    return Error::failed("systemctl show " + unit + ": " + std::string(left4me::trim(shown->err)));
  }
  std::map<std::string, std::string> properties;
  for (const std::string& line : left4me::split(shown->out, '\n')) {
    size_t equals = line.find('=');
    if (equals != std::string::npos) properties[line.substr(0, equals)] = line.substr(equals + 1);
  }
  return properties;
}

// Makes systemd see the instance drop-in: an unloaded unit reads it when it is loaded; a loaded one
// needs a daemon-reload (only then, it costs a few hundred milliseconds). Refuses to go on if systemd
// would still run the server as someone else or on another port.
Status apply_instance_unit(const std::string& systemctl, const std::string& unit,
                           const left4me::helper::InstanceUnit& instance) {
  const std::string expected_uid = instance.uid ? std::to_string(*instance.uid) : std::string();
  const std::string expected_port = "L4D2_PORT=" + std::to_string(instance.env.port);
  auto value = [](const std::map<std::string, std::string>& properties, const std::string& key) {
    auto found = properties.find(key);
    return found == properties.end() ? std::string() : found->second;
  };
  auto matches = [&](const std::map<std::string, std::string>& properties) {
    if (value(properties, "NeedDaemonReload") != "no") return false;
    std::vector<std::string> environment = left4me::split(value(properties, "Environment"), ' ');
    if (std::find(environment.begin(), environment.end(), expected_port) == environment.end()) return false;
    return !instance.uid || (value(properties, "User") == expected_uid && value(properties, "Group") == expected_uid);
  };
  auto properties = unit_properties(systemctl, unit);
  if (!properties.ok()) return properties.error();
  if (matches(*properties)) return left4me::ok_status();
  auto reloaded = left4me::helper::run_tool({systemctl, "--no-ask-password", "daemon-reload"});
  if (!reloaded.ok()) return reloaded.error();
  if (*reloaded != 0) return Error::failed("systemctl daemon-reload exited " + std::to_string(*reloaded));
  properties = unit_properties(systemctl, unit);
  if (!properties.ok()) return properties.error();
  if (std::string load = value(*properties, "LoadState"); !load.empty() && load != "loaded") {
    return Error::unavailable(unit + ": LoadState=" + load + " (is the left4me package installed?)");
  }
  if (!matches(*properties)) {
    return Error::failed(unit + " would run as '" + value(*properties, "User") + "' with '" +
                         value(*properties, "Environment") + "' after daemon-reload, not as '" + expected_uid +
                         "' with " + expected_port);
  }
  return left4me::ok_status();
}

// The configuration part of enable and restart.
Status prepare_instance_unit(const std::string& systemctl, const left4me::helper::UnitSettings& settings,
                             const left4me::model::InstanceName& name, const std::string& unit) {
  auto instance = left4me::helper::read_instance_unit(settings, name);
  if (!instance.ok()) return instance.error();
  if (auto placed = left4me::helper::install_instance_unit(settings, name, *instance); !placed.ok()) return placed;
  return apply_instance_unit(systemctl, unit, *instance);
}

int run(std::vector<std::string_view> args) {
  auto host_env = left4me::helper::take_host_env_option(args);
  if (!host_env.ok()) return usage(host_env.error().message());
  if (args.size() != 2) return usage("expected 2 arguments, got " + std::to_string(args.size()));
  std::string_view verb = args[0];
  if (verb != "enable" && verb != "disable" && verb != "restart" && verb != "show" && verb != "kill") {
    return usage("unknown verb '" + std::string(verb) + "'");
  }
  auto name = left4me::model::InstanceName::create(args[1]);
  if (!name.ok()) return usage(name.error().message());
  const std::string unit = left4me::helper::server_unit(*name);
  // What enable, restart and disable write (the drop-in, the userdb records) is the host's, wherever the
  // caller runs: the web unit's sandbox has a read-only /etc.
  if (verb != "show" && verb != "kill") {
    if (auto entered = left4me::helper::enter_host_mount_namespace(); !entered.ok()) {
      return fail(std::string(verb) + " '" + name->str() + "': " + entered.error().message(), 1);
    }
  }

  auto config = left4me::helper::load_helper_config(*host_env);
  if (!config.ok()) return fail(config.error().message(), 1);
  const auto settings = left4me::helper::UnitSettings::from(*config);
  auto systemctl = left4me::helper::locate_tool({"/bin/systemctl", "/usr/bin/systemctl"}, config->systemctl);
  if (!systemctl.ok()) return fail("systemctl: " + systemctl.error().message(), kExitToolMissing);
  const std::string what = std::string(verb) + " '" + name->str() + "': ";

  std::vector<std::string> command;
  if (verb == "enable" || verb == "restart") {
    if (auto prepared = prepare_instance_unit(*systemctl, settings, *name, unit); !prepared.ok()) {
      return fail(what + prepared.error().message(), 1);
    }
    reset_if_failed(*systemctl, unit);
    command = verb == "enable" ? std::vector<std::string>{*systemctl, "--no-ask-password", "enable", "--now", unit}
                               : std::vector<std::string>{*systemctl, "--no-ask-password", "restart", unit};
  } else if (verb == "show") {
    command = {*systemctl, "show", "--timestamp=unix", "--property=" + std::string(kShowProperties), unit};
  } else if (verb == "kill") {
    command = {*systemctl, "--no-ask-password", "kill", "--signal=SIGKILL", unit};
  } else {
    auto disabled = left4me::helper::run_tool({*systemctl, "--no-ask-password", "disable", "--now", unit});
    if (!disabled.ok()) return fail(disabled.error().message(), 1);
    reset_if_failed(*systemctl, unit);
    if (*disabled != 0) return *disabled;  // maybe still running: it keeps its configuration
    if (auto removed = left4me::helper::remove_instance_unit(settings, *name); !removed.ok()) {
      return fail(what + removed.error().message(), 1);
    }
    return 0;
  }
  return fail(left4me::helper::exec_tool(command).message(), 1);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  return run(args);
}
