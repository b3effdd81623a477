// l4d2web: the web app's entry point; a table of subcommands (serve is the default).
#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "base/env_file.h"
#include "web/commands.h"
#include "web/config.h"

namespace {

struct Command {
  std::string_view name;
  std::string_view summary;
  int (*run)(const std::vector<std::string>& args);
};

constexpr Command kCommands[] = {
    {"serve", "run the web app (default)", left4me::web::command_serve},
    {"migrate", "apply database migrations and exit", left4me::web::command_migrate},
    {"backup", "backup <file>: copy the database online", left4me::web::command_backup},
    {"integrity-check", "check the database's integrity", left4me::web::command_integrity_check},
    {"create-user", "create-user <name> [--admin]: add a user (password prompted or LEFT4ME_ADMIN_PASSWORD)",
     left4me::web::command_create_user},
    {"workshop-refresh", "queue the refresh of every Workshop overlay (unless one is queued or running)",
     left4me::web::command_workshop_refresh},
    {"seed-script-overlays", "seed-script-overlays <dir>: a global script overlay per example script <dir>/*.sh",
     left4me::web::command_seed_script_overlays},
};

void usage(std::FILE* out) {
  fmt::print(out, "usage: l4d2web [command] [args]\n\ncommands:\n");
  for (const Command& command : kCommands) fmt::print(out, "  {:<16} {}\n", command.name, command.summary);
  fmt::print(out, "\nl4d2web --help-config lists the configuration keys (web.env or the environment).\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string name = "serve";
  if (!args.empty()) {
    if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      usage(stdout);
      return 0;
    }
    // Every web.env key, as docs/deploy.md lists them (a test compares the two).
    if (args[0] == "--help-config" && args.size() == 1) {
      fmt::print("{}", left4me::env_keys_markdown(left4me::web::web_env_keys()));
      return 0;
    }
    name = args[0];
    args.erase(args.begin());
  }
  for (const Command& command : kCommands) {
    if (command.name == name) return command.run(args);
  }
  fmt::print(stderr, "l4d2web: unknown command '{}'\n", name);
  usage(stderr);
  return 2;
}
