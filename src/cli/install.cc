// `l4d2ctl install`: steamcmd progress as a bar on a terminal, or JSON lines for the web app; the game
// builds side by side (--list, --check, --use, --remove).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "base/file.h"
#include "base/unique_fd.h"
#include "cli/commands.h"
#include "cli/context.h"
#include "host/game_builds.h"
#include "host/game_update.h"
#include "host/host_config.h"
#include "host/overlay_mount.h"
#include "host/safe_open.h"
#include "host/steam_client.h"
#include "host/steamcmd.h"
#include "json/parse_json.h"

namespace left4me::cli {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;
void on_interrupt(int) { g_interrupted = 1; }

std::string gigabytes(std::uint64_t bytes) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", static_cast<double>(bytes) / 1e9);
  return buffer;
}

void draw_bar(const host::SteamcmdProgress& progress) {
  constexpr int kWidth = 30;
  int filled = static_cast<int>(progress.percent / 100.0 * kWidth + 0.5);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(kWidth, ' ');
  std::fprintf(stderr, "\r\033[K[%s] %5.1f%% %-18s %s / %s GB", bar.c_str(), progress.percent, progress.phase.c_str(),
               gigabytes(progress.bytes_done).c_str(), gigabytes(progress.bytes_total).c_str());
  if (progress.phase == "done") std::fputc('\n', stderr);
  std::fflush(stderr);
}

Result<host::SteamcmdOptions> steamcmd_options(const host::HostConfig& config) {
  if (config.steamcmd.empty()) {
    return Error::unavailable(
        "LEFT4ME_STEAMCMD is not set: install steamcmd (see docs/deploy.md) and set "
        "LEFT4ME_STEAMCMD=/path/to/steamcmd.sh in /etc/left4me/host.env");
  }
  if (::access(config.steamcmd.c_str(), X_OK) != 0) {
    return Error::unavailable("steamcmd is not an executable file at " + config.steamcmd + " (LEFT4ME_STEAMCMD)");
  }
  host::SteamcmdOptions options;
  options.steamcmd = config.steamcmd;
  options.cancel = &g_interrupted;
  return options;
}

bool is_mounted(const model::Layout& layout, const model::InstanceName& name) {
  auto state = host::instance_mount_state(layout, name);
  return state.ok() && *state == host::MountState::kMounted;
}

constexpr std::size_t kMaxCheckRecordBytes = 64 * 1024;

// Keeps what a check found (or why it failed) for `install --list`: the daily timer's result reaches the panel.
void record_check(const model::Layout& layout, nlohmann::json record) {
  record["at"] = static_cast<std::int64_t>(std::time(nullptr));
  Status made = make_directories(layout.installations());
  Status written = made ? write_file_atomic(layout.installations_last_check(), record.dump() + "\n", 0644) : made;
  if (!written)
    std::cerr << "l4d2ctl: install --check: cannot record the result: " << written.error().message() << "\n";
}

// The last check's record; null when there is none. The service user writes it and root may read it: opened
// without following symlinks, bounded, and parsed with the limited parser.
nlohmann::json last_check(const model::Layout& layout) {
  const std::string path = layout.installations_last_check();
  Result<UniqueFd> fd = host::open_no_symlinks(AT_FDCWD, path, O_RDONLY | O_NONBLOCK, path);
  struct stat st {};
  if (!fd || ::fstat(fd->get(), &st) != 0 || !S_ISREG(st.st_mode)) return nullptr;
  std::string content(kMaxCheckRecordBytes + 1, '\0');
  ssize_t n = ::read(fd->get(), content.data(), content.size());
  if (n <= 0 || static_cast<std::size_t>(n) > kMaxCheckRecordBytes) return nullptr;
  content.resize(static_cast<std::size_t>(n));
  Result<nlohmann::json> parsed = parse_json_limited(content);
  if (!parsed || !parsed->is_object()) return nullptr;
  return *parsed;
}

// The free and total space of the data root's filesystem, for the panel's hosts page; null when statvfs fails.
nlohmann::json disk_json(const model::Layout& layout) {
  Result<host::DiskSpace> space = host::disk_space(layout.root());
  if (!space) return nullptr;
  return {{"path", layout.root()}, {"free_bytes", space->free_bytes}, {"total_bytes", space->total_bytes}};
}

// Every installed build, the current one, and what each mounted instance runs (docs/cli.md).
Result<nlohmann::json> builds_json(const model::Layout& layout) {
  auto mounted = [&](const model::InstanceName& name) { return is_mounted(layout, name); };
  auto builds = host::installed_builds(layout, mounted);
  if (!builds.ok()) return builds.error();
  nlohmann::json list = nlohmann::json::array();
  nlohmann::json instances = nlohmann::json::object();
  nlohmann::json current = nullptr;
  for (const auto& build : *builds) {
    list.push_back(
        {{"id", build.id}, {"version", build.version}, {"current", build.current}, {"used_by", build.used_by}});
    if (build.current) current = {{"id", build.id}, {"version", build.version}};
    for (const auto& name : build.used_by) instances[name] = {{"id", build.id}, {"version", build.version}};
  }
  return nlohmann::json{{"current", current},
                        {"builds", list},
                        {"instances", instances},
                        {"last_check", last_check(layout)},
                        {"disk", disk_json(layout)}};
}

void print_builds_text(const nlohmann::json& builds) {
  if (builds["builds"].empty()) std::cout << "no game build is installed (run l4d2ctl install)\n";
  for (const auto& build : builds["builds"]) {
    std::cout << (build["current"].get<bool>() ? "* " : "  ") << build["id"].get<std::string>();
    if (!build["version"].get<std::string>().empty())
      std::cout << " (version " << build["version"].get<std::string>() << ")";
    if (!build["used_by"].empty()) std::cout << ", used by " << build["used_by"].dump();
    std::cout << "\n";
  }
}

int print_builds(const model::Layout& layout, bool json, const std::string& context) {
  auto builds = builds_json(layout);
  if (!builds.ok()) return report(builds.error(), context);
  if (json) {
    std::cout << builds->dump() << std::endl;
  } else {
    print_builds_text(*builds);
  }
  return kExitOk;
}

int run_check(const host::HostConfig& config, bool json) {
  auto options = steamcmd_options(config);
  if (!options.ok()) return report(options.error(), "install --check");
  auto available = host::public_build_id(config.layout, *options);
  std::optional<std::string> current = host::current_build_id(config.layout);
  nlohmann::json current_json = current ? nlohmann::json(*current) : nlohmann::json(nullptr);
  if (!available.ok()) {
    record_check(config.layout, {{"current", current_json},
                                 {"available", nullptr},
                                 {"update_available", false},
                                 {"error", available.error().message()}});
    return report(available.error(), "install --check");
  }
  bool update = !current || *current != *available;
  record_check(
      config.layout,
      {{"current", current_json}, {"available", *available}, {"update_available", update}, {"error", nullptr}});
  if (json) {
    std::cout << nlohmann::json{{"current", current ? nlohmann::json(*current) : nlohmann::json(nullptr)},
                                {"available", *available},
                                {"update_available", update}}
                     .dump()
              << std::endl;
  } else if (update) {
    std::cout << "build " << *available << " is available (current: " << current.value_or("none")
              << "); run l4d2ctl install to prepare it\n";
  } else {
    std::cout << "the current build " << *current << " is the newest\n";
  }
  return kExitOk;
}

int run_use(const host::HostConfig& config, const std::string& id, bool json) {
  const std::string context = "install --use " + id;
  auto lock = host::lock_builds(config.layout);
  if (!lock.ok()) return report(lock.error(), context);
  if (auto migrated = host::migrate_single_installation(config.layout); !migrated.ok()) {
    return report(migrated.error(), context);
  }
  if (auto made = host::make_current(config.layout, id); !made.ok()) return report(made.error(), context);
  if (!json) std::cout << "build " << id << " is current; each server moves to it at its next start\n";
  return print_builds(config.layout, json, context);
}

int run_remove(const host::HostConfig& config, const std::string& id, bool json) {
  const std::string context = "install --remove " + id;
  auto lock = host::lock_builds(config.layout);
  if (!lock.ok()) return report(lock.error(), context);
  auto mounted = [&](const model::InstanceName& name) { return is_mounted(config.layout, name); };
  if (auto removed = host::remove_build(config.layout, id, mounted); !removed.ok()) {
    return report(removed.error(), context);
  }
  if (!json) std::cout << "build " << id << " removed\n";
  return print_builds(config.layout, json, context);
}

// LEFT4ME_KEEP_BUILDS after an update: the oldest unused builds beyond that many go.
Status prune_old_builds(const host::HostConfig& config) {
  if (config.keep_builds <= 0) return ok_status();
  auto lock = host::lock_builds(config.layout);
  if (!lock.ok()) return lock.error();
  auto mounted = [&](const model::InstanceName& name) { return is_mounted(config.layout, name); };
  auto removed = host::prune_builds(config.layout, config.keep_builds, mounted);
  if (!removed.ok()) return removed.error();
  for (const auto& id : *removed) std::cerr << "install: removed the old build " << id << " (LEFT4ME_KEEP_BUILDS)\n";
  return ok_status();
}

void print_update_text(const host::UpdateReport& update, const std::string& installation) {
  std::cout << (update.up_to_date ? "the game is up to date" : "the game is installed") << ": build "
            << update.build.id;
  if (!update.build.version.empty()) std::cout << " (version " << update.build.version << ")";
  std::cout << " in " << installation;
  if (update.platform_workaround) std::cout << " (with the Windows-then-Linux platform workaround)";
  std::cout << "\n";
  if (update.copy) {
    std::cout << "prepared from build " << update.previous.value_or("") << " by "
              << host::copy_method_name(update.copy->method) << " of " << update.copy->files << " files ("
              << gigabytes(update.copy->bytes) << " GB) in " << update.copy_time.count() << " ms\n";
  }
  std::cout << "took " << update.total_time.count() << " ms; disk used: about " << gigabytes(update.disk_added)
            << " GB\n";
  if (update.changed && update.previous)
    std::cout << "running servers stay on build " << *update.previous << " until their next start\n";
}

int run_update(const host::HostConfig& config, bool json) {
  auto options = steamcmd_options(config);
  if (!options.ok()) return report(options.error(), "install");
  for (const std::string& dir : {config.layout.steam(), config.layout.tmp()}) {
    if (auto made = make_directories(dir); !made.ok()) return report(made.error(), "install");
  }
  bool terminal = ::isatty(STDERR_FILENO) != 0;
  std::string last_phase;
  nlohmann::json done;  // the last line, printed with the builds once they are in place
  auto on_progress = [&](const host::SteamcmdProgress& progress) {
    if (json) {
      nlohmann::json line = {{"phase", progress.phase},
                             {"step", std::string(host::step_name(progress.step))},
                             {"percent", progress.percent},
                             {"bytes_done", progress.bytes_done},
                             {"bytes_total", progress.bytes_total}};
      if (progress.phase == "done") {
        done = std::move(line);
      } else {
        std::cout << line.dump() << std::endl;
      }
    } else if (terminal) {
      draw_bar(progress);
    } else if (progress.phase != last_phase) {
      std::cerr << "install: " << progress.phase << " (" << static_cast<int>(progress.percent) << "%)\n";
    }
    last_phase = progress.phase;
  };
  if (json) {
    std::cout << nlohmann::json(
                     {{"phase", "starting"}, {"step", "update"}, {"percent", 0}, {"bytes_done", 0}, {"bytes_total", 0}})
                     .dump()
              << std::endl;
  }
  auto updated = host::update_game(config.layout, *options, on_progress);
  if (!updated.ok()) {
    if (terminal && !json) std::fputc('\n', stderr);
    return report(updated.error(), "install");
  }
  if (auto pruned = prune_old_builds(config); !pruned.ok()) return report(pruned.error(), "install");
  // steamcmd may have updated its Steam client library (it updates itself): the servers get a fresh copy.
  if (auto library = host::install_steam_client(config.layout, options->steamcmd); !library.ok()) {
    return report(library.error(), "install");
  }
  if (!json) {
    print_update_text(*updated, config.layout.installation());
    return kExitOk;
  }
  auto builds = builds_json(config.layout);
  if (!builds.ok()) return report(builds.error(), "install");
  done.update(*builds);
  done["up_to_date"] = updated->up_to_date;
  done["previous"] = updated->previous ? nlohmann::json(*updated->previous) : nlohmann::json(nullptr);
  done["copy"] = updated->copy ? nlohmann::json{{"method", host::copy_method_name(updated->copy->method)},
                                                {"files", updated->copy->files},
                                                {"bytes", updated->copy->bytes},
                                                {"ms", updated->copy_time.count()}}
                               : nlohmann::json(nullptr);
  done["disk_added"] = updated->disk_added;
  done["ms"] = updated->total_time.count();
  std::cout << done.dump() << std::endl;
  return kExitOk;
}

}  // namespace

void add_install_options(CLI::App& app, InstallOptions& options) {
  auto* list = app.add_flag("--list", options.list, "show the installed builds and what each server runs; no download");
  auto* check = app.add_flag("--check", options.check, "ask Steam for the newest build id; no download");
  auto* use = app.add_option("--use", options.use, "make an installed build current again (rollback)");
  auto* remove = app.add_option("--remove", options.remove, "remove an installed build no server uses");
  list->excludes(check)->excludes(use)->excludes(remove);
  check->excludes(use)->excludes(remove);
  use->excludes(remove);
}

int run_install(const InstallOptions& install) {
  auto config = host::load_host_config();
  if (!config.ok()) return report(config.error(), "install");
  if (install.list) return print_builds(config->layout, install.json, "install --list");
  if (install.check) return run_check(*config, install.json);
  if (!install.use.empty()) return run_use(*config, install.use, install.json);
  if (!install.remove.empty()) return run_remove(*config, install.remove, install.json);
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  return run_update(*config, install.json);
}

}  // namespace left4me::cli
