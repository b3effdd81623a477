// left4me-journalctl [--host-env FILE] <name> --lines <n> --follow|--no-follow: a
// server's console (message text only) from the journal, streamed, with what the
// health monitor (left4me-monitor.service) wrote about that instance; the
// unprivileged service runs it through sudo. Validates everything and derives
// the unit name itself; never reads its environment (helper/helper_config.h).
// left4me-journalctl [--host-env FILE] --map-changes: follows every server's
// console for the lines that begin a map change, printing only the unit and the
// time of each (JSON lines), never the text: the monitor's grace windows.
// Exit: journalctl's status; 1 unreadable host.env; 2 usage or invalid argument
// (journalctl is not run); 69 journalctl missing.
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "base/strings.h"
#include "helper/helper_config.h"
#include "helper/systemd_tool.h"
#include "model/instance_name.h"
#include "model/systemd_units.h"

namespace {

using left4me::helper::kExitToolMissing;
using left4me::helper::kExitUsage;

constexpr std::string_view kProgram = "left4me-journalctl";
constexpr long long kMaxLines = 1000000;

int usage(std::string_view problem) {
  std::fprintf(stderr,
               "%.*s: %.*s\nusage: %.*s [--host-env FILE] <name> --lines <n> --follow|--no-follow\n"
               "       %.*s [--host-env FILE] --map-changes\n",
               static_cast<int>(kProgram.size()), kProgram.data(), static_cast<int>(problem.size()), problem.data(),
               static_cast<int>(kProgram.size()), kProgram.data(), static_cast<int>(kProgram.size()), kProgram.data());
  return kExitUsage;
}

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// journalctl's matches for one server: what `--unit` matches (the unit's own output, its core dumps, PID 1's
// and other root daemons' messages about it), and the health monitor's lines about the instance, which only
// the monitor's unit can send (journald sets _SYSTEMD_UNIT from the sender's cgroup).
std::vector<std::string> instance_matches(const left4me::model::InstanceName& name) {
  const std::string unit = left4me::helper::server_unit(name);
  return {"_SYSTEMD_UNIT=" + unit,
          "+",
          "MESSAGE_ID=fc2e22bc6ee647b6b90729ab34a250b1",
          "_UID=0",
          "COREDUMP_UNIT=" + unit,
          "+",
          "_PID=1",
          "UNIT=" + unit,
          "+",
          "_UID=0",
          "OBJECT_SYSTEMD_UNIT=" + unit,
          "+",
          "_SYSTEMD_UNIT=" + std::string(left4me::model::kMonitorUnit),
          std::string(left4me::model::kMonitorInstanceField) + "=" + name.str()};
}

// The command for `<name> --lines <n> --follow|--no-follow`, or a usage error.
left4me::Result<std::vector<std::string>> console_command(const std::vector<std::string_view>& args,
                                                          const std::string& journalctl) {
  if (args.size() != 4) return left4me::Error::invalid("expected 4 arguments, got " + std::to_string(args.size()));
  auto name = left4me::model::InstanceName::create(args[0]);
  if (!name.ok()) return name.error();
  if (args[1] != "--lines") return left4me::Error::invalid("expected --lines, got '" + std::string(args[1]) + "'");
  std::optional<long long> lines;
  if (all_digits(args[2])) lines = left4me::parse_int(args[2], 0, kMaxLines);
  if (!lines) {
    return left4me::Error::invalid("--lines: '" + std::string(args[2]) + "' is not a whole number in 0.." +
                                   std::to_string(kMaxLines));
  }
  if (args[3] != "--follow" && args[3] != "--no-follow") {
    return left4me::Error::invalid("expected --follow or --no-follow, got '" + std::string(args[3]) + "'");
  }
  std::vector<std::string> command = {journalctl, "--no-pager", "--quiet", "--output=cat",
                                      "--lines=" + std::to_string(*lines)};
  if (args[3] == "--follow") command.push_back("--follow");
  for (std::string& match : instance_matches(*name)) command.push_back(std::move(match));
  return command;
}

// `--map-changes`: new lines only, from the game servers' slice only, and of each only its unit and time (JSON
// adds __REALTIME_TIMESTAMP and the cursor), never the message. The slice is an exact field match: a glob
// (`--unit=left4me-server@*.service`) is resolved once, against the units already in the journal, so a
// follower started before any server had logged matched nothing (journalctl 252 fails "No data available").
std::vector<std::string> map_changes_command(const std::string& journalctl) {
  return {journalctl,
          "--no-pager",
          "--quiet",
          "--follow",
          "--lines=0",
          "--output=json",
          "--output-fields=_SYSTEMD_UNIT",
          "--grep=---- Host_(Changelevel|NewGame) ----",
          "_SYSTEMD_SLICE=" + std::string(left4me::model::kGameSlice)};
}

int run(std::vector<std::string_view> args) {
  auto host_env = left4me::helper::take_host_env_option(args);
  if (!host_env.ok()) return usage(host_env.error().message());
  bool map_changes = args.size() == 1 && args[0] == "--map-changes";
  // Checked before anything is read: a malformed call runs nothing.
  if (!map_changes) {
    if (auto checked = console_command(args, ""); !checked.ok()) return usage(checked.error().message());
  }

  auto config = left4me::helper::load_helper_config(*host_env);
  if (!config.ok()) {
    std::fprintf(stderr, "%.*s: %s\n", static_cast<int>(kProgram.size()), kProgram.data(),
                 config.error().message().c_str());
    return 1;
  }
  auto journalctl = left4me::helper::locate_tool({"/bin/journalctl", "/usr/bin/journalctl"}, config->journalctl);
  if (!journalctl.ok()) {
    std::fprintf(stderr, "%.*s: journalctl: %s\n", static_cast<int>(kProgram.size()), kProgram.data(),
                 journalctl.error().message().c_str());
    return kExitToolMissing;
  }
  std::vector<std::string> command =
      map_changes ? map_changes_command(*journalctl) : std::move(*console_command(args, *journalctl));
  std::fprintf(stderr, "%.*s: %s\n", static_cast<int>(kProgram.size()), kProgram.data(),
               left4me::helper::exec_tool(command).message().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  return run(args);
}
