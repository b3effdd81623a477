#include "cli/commands.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iterator>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

#include "base/log.h"
#include "base/strings.h"
#include "cli/context.h"
#include "host/builtin_supervisor.h"
#include "host/instances.h"
#include "host/map_catalog.h"
#include "host/overlay_script.h"
#include "host/monitor_loop.h"

namespace left4me::cli {
namespace {

struct Options {
  std::string name;
  std::string spec_path;
  bool json = false;
  bool players = false;
  bool wait = false;
  bool keep_on_failure = false;
  int timeout = -1;
  int lines = 100;
  bool follow = false;
  bool no_follow = false;
  bool yes = false;
  int lock_fd = -1;
  bool monitor_systemd = false;  // __monitor --systemd
  std::vector<std::string> words;
  std::vector<std::string> overlays;
  std::string overlay_id;  // build-overlay
  std::string script;      // build-overlay
  InstallOptions install;
};

using Handler = int (*)(const Options&);

struct Command {
  const char* name;
  const char* help;
  void (*add_options)(CLI::App&, Options&);
  Handler handler;
};

Result<model::InstanceName> instance_name(const Options& options) { return model::InstanceName::create(options.name); }

void add_name(CLI::App& app, Options& options) { app.add_option("name", options.name, "instance name")->required(); }

int do_initialize(const Options& options) {
  std::string context = "initialize '" + options.name + "'";
  auto name = instance_name(options);
  if (!name.ok()) return report(name.error(), context);
  auto instances = open_instances();
  if (!instances.ok()) return report(instances.error(), context);
  if (auto status = (*instances)->initialize(*name, options.spec_path); !status.ok())
    return report(status.error(), context);
  std::cout << "initialized '" << name->str() << "'; changes apply on the next start\n";
  return kExitOk;
}

int do_start(const Options& options) {
  std::string context = "start '" + options.name + "'";
  auto name = instance_name(options);
  if (!name.ok()) return report(name.error(), context);
  auto instances = open_instances();
  if (!instances.ok()) return report(instances.error(), context);
  std::optional<std::chrono::seconds> wait;
  if (options.wait) wait = std::chrono::seconds(options.timeout > 0 ? options.timeout : 60);
  auto on_failure = options.keep_on_failure ? host::OnStartFailure::kKeepRunning : host::OnStartFailure::kStop;
  if (auto status = (*instances)->start(*name, wait, on_failure); !status.ok()) return report(status.error(), context);
  return kExitOk;
}

int do_stop(const Options& options) {
  std::string context = "stop '" + options.name + "'";
  auto name = instance_name(options);
  if (!name.ok()) return report(name.error(), context);
  auto instances = open_instances();
  if (!instances.ok()) return report(instances.error(), context);
  auto timeout = std::chrono::seconds(options.timeout >= 0 ? options.timeout : 15);
  if (auto status = (*instances)->stop(*name, timeout); !status.ok()) return report(status.error(), context);
  return kExitOk;
}

int do_restart(const Options& options) {
  Options stop_options;
  stop_options.name = options.name;
  int stopped = do_stop(stop_options);
  if (stopped != kExitOk) return stopped;
  return do_start(options);
}

bool confirm(const std::string& question) {
  std::cerr << question << " [y/N] " << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  answer = std::string(trim(answer));
  return answer == "y" || answer == "Y" || answer == "yes";
}

int do_delete(const Options& options) {
  std::string context = "delete '" + options.name + "'";
  auto name = instance_name(options);
  if (!name.ok()) return report(name.error(), context);
  auto instances = open_instances();
  if (!instances.ok()) return report(instances.error(), context);
  if (!options.yes && ::isatty(STDIN_FILENO) && (*instances)->exists(*name) &&
      !confirm("Delete instance '" + name->str() + "', its configuration and its writable layer?")) {
    std::cerr << "l4d2ctl: delete '" << name->str() << "': not confirmed; nothing was deleted\n";
    return kExitFailure;
  }
  if (auto status = (*instances)->remove(*name); !status.ok()) return report(status.error(), context);
  return kExitOk;
}

std::string human_status(const host::InstanceStatus& status) {
  std::string text = status.name + ": " + std::string(host::to_string(status.process.state));
  if (status.process.pid) text += " (pid " + std::to_string(*status.process.pid) + ")";
  text += ", port " + std::to_string(status.port);
  if (status.connect) text += ", connect " + *status.connect;
  if (status.live) {
    text += ", map " + status.live->map + ", players " + std::to_string(status.live->players) + "/" +
            std::to_string(status.live->max_players);
  }
  if (status.process.restarts > 0) text += ", " + std::to_string(status.process.restarts) + " restarts";
  if (status.process.last_exit) text += ", last exit: " + status.process.last_exit->describe();
  if (status.last_error) text += ", last start failed: " + *status.last_error;
  bool runs = status.process.state == host::RunState::kRunning || status.process.state == host::RunState::kStarting;
  if (status.health && runs) text += ", health " + std::string(host::to_string(status.health->state));
  if (status.health && !status.health->last_restart_reason.empty()) {
    text += ", last restarted by the monitor: " + status.health->last_restart_reason;
  }
  if (status.live && status.players_asked == host::Players::kInclude) {
    if (!status.player_list) text += "\n  players: did not answer";
    for (const host::LivePlayer& player : status.player_list.value_or(std::vector<host::LivePlayer>{})) {
      text += "\n  player " + player.name + ", score " + std::to_string(player.score) + ", " +
              std::to_string(player.seconds) + " s";
    }
  }
  return text;
}

host::Players players_option(const Options& options) {
  return options.players ? host::Players::kInclude : host::Players::kOmit;
}

int do_status(const Options& options) {
  std::string context = "status '" + options.name + "'";
  auto name = instance_name(options);
  if (!name.ok()) return report(name.error(), context);
  auto instances = open_instances();
  if (!instances.ok()) return report(instances.error(), context);
  auto status = (*instances)->status(*name, players_option(options));
  if (!status.ok()) return report(status.error(), context);
  if (options.json) {
    auto text = host::status_json(*status);
    if (!text.ok()) return report(text.error(), context);
    std::cout << *text << "\n";
  } else {
    std::cout << human_status(*status) << "\n";
  }
  return kExitOk;
}

int do_list(const Options& options) {
  auto instances = open_instances();
  if (!instances.ok()) return report(instances.error(), "list");
  if (options.json) {
    std::cout << (*instances)->list_json(players_option(options)) << "\n";
    return kExitOk;
  }
  auto listed = (*instances)->list(players_option(options));
  if (!listed.ok()) return report(listed.error(), "list");
  if (listed->empty()) {
    std::cout << "no instances\n";
  } else {
    for (const auto& instance : *listed) {
      if (instance.status.ok()) {
        std::cout << human_status(*instance.status) << "\n";
      } else {
        std::cout << instance.name << ": error: " << instance.status.error().message() << "\n";
      }
    }
  }
  return kExitOk;
}

int do_logs(const Options& options) {
  std::string context = "logs '" + options.name + "'";
  auto name = instance_name(options);
  if (!name.ok()) return report(name.error(), context);
  if (options.follow && options.no_follow) {
    return report(Error::invalid("--follow and --no-follow exclude each other"), context);
  }
  auto instances = open_instances();
  if (!instances.ok()) return report(instances.error(), context);
  host::install_follow_stop_handlers();
  auto status = (*instances)
                    ->supervisor()
                    .logs(*name, options.lines, options.follow ? host::Follow::kYes : host::Follow::kNo,
                          [](std::string_view line) {
                            std::fwrite(line.data(), 1, line.size(), stdout);
                            std::fputc('\n', stdout);
                            std::fflush(stdout);
                            return !std::ferror(stdout);
                          });
  if (!status.ok()) return report(status.error(), context);
  return kExitOk;
}

int do_rcon(const Options& options) {
  std::string context = "rcon '" + options.name + "'";
  auto name = instance_name(options);
  if (!name.ok()) return report(name.error(), context);
  auto instances = open_instances();
  if (!instances.ok()) return report(instances.error(), context);
  auto reply = (*instances)->rcon(*name, join(options.words, " "));
  if (!reply.ok()) return report(reply.error(), context);
  std::cout << *reply;
  if (!reply->empty() && reply->back() != '\n') std::cout << "\n";
  return kExitOk;
}

int do_maps(const Options& options) {
  auto config = host::load_host_config();
  if (!config.ok()) return report(config.error(), "maps");
  auto sources = host::map_sources(config->layout, options.overlays);
  if (!sources.ok()) return report(sources.error(), "maps");
  model::MapCatalog catalog = host::build_map_catalog(*sources);
  std::cout << (options.json ? host::map_catalog_json(catalog) + "\n" : host::map_catalog_text(catalog));
  return kExitOk;
}

// Exits with the script's status; its output (and the sandbox's notes) on stdout, line by line as it comes.
int do_build_overlay(const Options& options) {
  const std::string context = "build-overlay '" + options.overlay_id + "'";
  auto config = host::load_host_config();
  if (!config.ok()) return report(config.error(), context);
  host::ScriptRunOptions run;
  run.runner = uses_systemd(*config) ? host::ScriptRunner::kSystemd : host::ScriptRunner::kBubblewrap;
  run.limits = config->script;
  run.helper = config->helper_dir + "/left4me-script-sandbox";
  auto code =
      host::run_overlay_script(config->layout, options.overlay_id, options.script, run, [](std::string_view line) {
        std::fwrite(line.data(), 1, line.size(), stdout);
        std::fputc('\n', stdout);
        std::fflush(stdout);
      });
  if (!code.ok()) return report(code.error(), context);
  return *code;
}

int do_install(const Options& options) {
  InstallOptions install = options.install;
  install.json = options.json;
  return run_install(install);
}

int do_supervise(const Options& options) {
  auto name = instance_name(options);
  if (!name.ok() || options.lock_fd < 0) return kExitUsage;
  auto config = host::load_host_config();
  if (!config.ok()) return kExitFailure;
  std::string monitor_exe = config->health.hang.count() > 0 ? self_exe() : std::string();
  return host::run_supervisor(
      config->layout, *name, config->uid_range, options.lock_fd, config->restart,
      [](std::uint16_t port) { return host::query_live(port, std::chrono::milliseconds(200)).has_value(); },
      monitor_exe);
}

int do_monitor(const Options& options) {
  if ((options.lock_fd < 0) != options.monitor_systemd) return kExitUsage;  // exactly one of the two
  auto config = host::load_host_config();
  if (!config.ok()) return kExitFailure;
  if (options.monitor_systemd) return host::run_systemd_monitor(config->layout, config->health, config->helper_dir);
  // Without the instances, the monitor still watches; list then reads every instance itself.
  auto instances = open_instances_for_monitor();
  host::ListEntriesReader list_entries;
  if (instances.ok()) {
    list_entries = [&instances](const std::vector<model::InstanceName>& names, const host::LiveSnapshot& live) {
      return (*instances)->list_snapshot_for(names, live);
    };
  }
  return host::run_monitor(config->layout, config->health, options.lock_fd, list_entries);
}

const Command kCommands[] = {
    {"install", "Install or update the L4D2 dedicated server with steamcmd",
     [](CLI::App& app, Options& o) {
       app.add_flag("--json", o.json, "progress as JSON lines");
       add_install_options(app, o.install);
     },
     do_install},
    {"initialize", "Write an instance from a spec file (changes apply on the next start)",
     [](CLI::App& app, Options& o) {
       add_name(app, o);
       app.add_option("-f,--file", o.spec_path, "the instance spec (YAML, see docs/spec.md)")->required();
     },
     do_initialize},
    {"start", "Start an instance's server",
     [](CLI::App& app, Options& o) {
       add_name(app, o);
       app.add_flag("--wait", o.wait, "return once the server answers queries with its map");
       app.add_option("--timeout", o.timeout, "seconds to wait with --wait (default 60)")->check(CLI::Range(1, 3600));
       app.add_flag("--keep-on-failure", o.keep_on_failure,
                    "leave the server running when the start fails (default: stop it again)");
     },
     do_start},
    {"stop", "Stop an instance's server (SIGINT, then SIGKILL after the timeout)",
     [](CLI::App& app, Options& o) {
       add_name(app, o);
       app.add_option("--timeout", o.timeout, "seconds before SIGKILL (default 15)")->check(CLI::Range(0, 3600));
     },
     do_stop},
    {"restart", "Stop, then start an instance's server",
     [](CLI::App& app, Options& o) {
       add_name(app, o);
       app.add_flag("--wait", o.wait, "return once the server answers queries with its map");
       app.add_option("--timeout", o.timeout, "seconds to wait with --wait (default 60)")->check(CLI::Range(1, 3600));
       app.add_flag("--keep-on-failure", o.keep_on_failure,
                    "leave the server running when the start fails (default: stop it again)");
     },
     do_restart},
    {"delete", "Stop an instance and remove it (a missing instance is success)",
     [](CLI::App& app, Options& o) {
       add_name(app, o);
       app.add_flag("-y,--yes", o.yes, "do not ask for confirmation on a terminal");
     },
     do_delete},
    {"status", "Show an instance's state",
     [](CLI::App& app, Options& o) {
       add_name(app, o);
       app.add_flag("--json", o.json, "the stable JSON object of docs/cli.md");
       app.add_flag("--players", o.players, "also ask the server for its players (A2S_PLAYER)");
     },
     do_status},
    {"list", "Show every instance's state",
     [](CLI::App& app, Options& o) {
       app.add_flag("--json", o.json, "a JSON array of status objects");
       app.add_flag("--players", o.players, "also ask each server for its players (A2S_PLAYER)");
     },
     do_list},
    {"logs", "Show an instance's console output",
     [](CLI::App& app, Options& o) {
       add_name(app, o);
       app.add_option("-n,--lines", o.lines, "how many recent lines (default 100)")->check(CLI::Range(0, 1000000));
       app.add_flag("-f,--follow", o.follow, "keep printing new lines until interrupted");
       app.add_flag("--no-follow", o.no_follow, "print and exit (the default)");
     },
     do_logs},
    {"maps", "List the maps a server can start on, by campaign (official, installed, in overlays)",
     [](CLI::App& app, Options& o) {
       app.add_flag("--json", o.json, "the JSON object of docs/cli.md");
       app.add_option("--overlay", o.overlays, "also search this overlay (an id or path under overlays/; repeatable)")
           ->allow_extra_args(false);
     },
     do_maps},
    {"build-overlay", "Run a script overlay's build script in the sandbox (exits with the script's status)",
     [](CLI::App& app, Options& o) {
       app.add_option("overlay-id", o.overlay_id, "the overlay's id (overlays/<id>)")->required();
       app.add_option("script", o.script, "the bash script; copied to scripts/<id>.sh and run from there")->required();
     },
     do_build_overlay},
    {"rcon", "Run a console command over RCON",
     [](CLI::App& app, Options& o) {
       add_name(app, o);
       app.add_option("command", o.words, "the console command")->required();
     },
     do_rcon},
};

}  // namespace

int report(const Error& error, const std::string& context) {
  std::string message = error.message();
  std::cerr << "l4d2ctl: " << context << ": " << message << "\n";
  switch (error.code()) {
    case ErrorCode::kInvalidArgument:
      return kExitUsage;
    case ErrorCode::kNotFound:
      return kExitNoInstance;
    default:
      return kExitFailure;
  }
}

int run(int argc, char** argv) {
  log::init("l4d2ctl");
  // Every host.env key, as docs/deploy.md lists them (a test compares the two).
  if (argc == 2 && std::string_view(argv[1]) == "--help-config") {
    std::cout << env_keys_markdown(host::host_env_keys());
    return kExitOk;
  }
  CLI::App app{
      "l4d2ctl: install the Left 4 Dead 2 dedicated server and run named instances of it.\n"
      "See docs/cli.md for every command, exit code and JSON shape; --help-config lists host.env's keys."};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "help for every command");
  app.set_version_flag("--version", LEFT4ME_VERSION);
  // Building every subcommand's parser costs more than running `status`: when argv names a command,
  // only that one is built (all of them otherwise, for help and errors).
  std::string_view wanted = argc > 1 ? argv[1] : "";
  bool known = std::any_of(std::begin(kCommands), std::end(kCommands),
                           [&](const Command& command) { return wanted == command.name; });
  if (!wanted.empty() && wanted[0] != '-' && !known && wanted != "__supervise" && wanted != "__monitor") {
    std::string names;
    for (const auto& command : kCommands) names += std::string(names.empty() ? "" : ", ") + command.name;
    std::cerr << "l4d2ctl: unknown command '" << wanted << "' (commands: " << names << ")\n";
    return kExitUsage;
  }
  Options options;
  Handler chosen = nullptr;
  for (const auto& command : kCommands) {
    if (known && wanted != command.name) continue;
    CLI::App* sub = app.add_subcommand(command.name, command.help);
    command.add_options(*sub, options);
    sub->callback([&chosen, handler = command.handler] { chosen = handler; });
  }
  CLI::App* supervise = app.add_subcommand("__supervise", "")->group("");  // internal: the built-in supervisor
  supervise->add_option("name", options.name)->required();
  supervise->add_option("--lock-fd", options.lock_fd)->required();
  supervise->callback([&chosen] { chosen = do_supervise; });
  // internal: the health monitor, of the built-in supervisor (--lock-fd) or of systemd's units
  // (--systemd: left4me-monitor.service)
  CLI::App* monitor = app.add_subcommand("__monitor", "")->group("");
  monitor->add_option("--lock-fd", options.lock_fd);
  monitor->add_flag("--systemd", options.monitor_systemd);
  monitor->callback([&chosen] { chosen = do_monitor; });
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "l4d2ctl: " << e.what() << "\n";
    std::cerr << "Run 'l4d2ctl --help' for usage.\n";
    return kExitUsage;
  }
  return chosen != nullptr ? chosen(options) : kExitUsage;
}

}  // namespace left4me::cli
