// left4me-systemctl enable|disable|restart|show <name>: the only way the
// unprivileged service acts on its server units (run through sudo). Validates
// everything and derives the unit name itself.
//   enable   start now and at boot (systemctl enable --now), clearing a
//   previous "failed" first disable  stop now and not at boot (systemctl
//   disable --now), then forget a "failed" state restart  systemctl restart,
//   clearing a previous "failed" first show     the unit's state as KEY=value
//   lines (timestamps as @<unix seconds>)
// Exit: systemctl's status; 2 usage or invalid name (systemctl is not run); 69
// systemctl missing.
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "helper/systemd_tool.h"
#include "model/instance_name.h"

namespace {

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
  std::fprintf(stderr, "%.*s: %.*s\nusage: %.*s enable|disable|restart|show <name>\n",
               static_cast<int>(kProgram.size()), kProgram.data(), static_cast<int>(problem.size()), problem.data(),
               static_cast<int>(kProgram.size()), kProgram.data());
  return kExitUsage;
}

int fail(const std::string& message, int code) {
  std::fprintf(stderr, "%.*s: %s\n", static_cast<int>(kProgram.size()), kProgram.data(), message.c_str());
  return code;
}

// Clears a "failed" unit (and its start-rate counter) so the next start is not
// refused. Only when failed: on a running unit reset-failed would also zero
// NRestarts.
void reset_if_failed(const std::string& systemctl, const std::string& unit) {
  auto failed = left4me::helper::run_tool({systemctl, "is-failed", "--quiet", unit});
  if (failed.ok() && *failed == 0) {
    (void)left4me::helper::run_tool({systemctl, "reset-failed", unit});
  }
}

int run(const std::vector<std::string_view>& args) {
  if (args.size() != 2) return usage("expected 2 arguments, got " + std::to_string(args.size()));
  std::string_view verb = args[0];
  if (verb != "enable" && verb != "disable" && verb != "restart" && verb != "show") {
    return usage("unknown verb '" + std::string(verb) + "'");
  }
  auto name = left4me::model::InstanceName::create(args[1]);
  if (!name.ok()) return usage(name.error().message());
  const std::string unit = left4me::helper::server_unit(*name);

  auto systemctl = left4me::helper::locate_tool({"/bin/systemctl", "/usr/bin/systemctl"}, "LEFT4ME_SYSTEMCTL");
  if (!systemctl.ok()) return fail("systemctl: " + systemctl.error().message(), kExitToolMissing);

  std::vector<std::string> command;
  if (verb == "enable") {
    reset_if_failed(*systemctl, unit);
    command = {*systemctl, "--no-ask-password", "enable", "--now", unit};
  } else if (verb == "restart") {
    reset_if_failed(*systemctl, unit);
    command = {*systemctl, "--no-ask-password", "restart", unit};
  } else if (verb == "show") {
    command = {*systemctl, "show", "--timestamp=unix", "--property=" + std::string(kShowProperties), unit};
  } else {
    auto disabled = left4me::helper::run_tool({*systemctl, "--no-ask-password", "disable", "--now", unit});
    if (!disabled.ok()) return fail(disabled.error().message(), 1);
    reset_if_failed(*systemctl, unit);
    return *disabled;
  }
  return fail(left4me::helper::exec_tool(command).message(), 1);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  return run(args);
}
