// `l4d2ctl install`: steamcmd progress as a bar on a terminal, or JSON lines for the web app.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "base/file.h"
#include "cli/commands.h"
#include "cli/context.h"
#include "host/host_config.h"
#include "host/steamcmd.h"

namespace left4me::cli {
namespace {

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

}  // namespace

int run_install(bool json) {
  auto config = host::load_host_config();
  if (!config.ok()) return report(config.error(), "install");
  if (config->steamcmd.empty()) {
    return report(Error::unavailable("LEFT4ME_STEAMCMD is not set: install steamcmd (see docs/deploy.md) and set "
                                     "LEFT4ME_STEAMCMD=/path/to/steamcmd.sh in /etc/left4me/host.env"),
                  "install");
  }
  if (::access(config->steamcmd.c_str(), X_OK) != 0) {
    return report(
        Error::unavailable("steamcmd is not an executable file at " + config->steamcmd + " (LEFT4ME_STEAMCMD)"),
        "install");
  }
  for (const std::string& dir : {config->layout.installation(), config->layout.steam(), config->layout.tmp()}) {
    if (auto made = make_directories(dir); !made.ok()) return report(made.error(), "install");
  }
  bool terminal = ::isatty(STDERR_FILENO) != 0;
  std::string last_phase;
  auto on_progress = [&](const host::SteamcmdProgress& progress) {
    if (json) {
      nlohmann::json line = {{"phase", progress.phase},
                             {"step", std::string(host::step_name(progress.step))},
                             {"percent", progress.percent},
                             {"bytes_done", progress.bytes_done},
                             {"bytes_total", progress.bytes_total}};
      std::cout << line.dump() << std::endl;
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
  host::SteamcmdOptions options;
  options.steamcmd = config->steamcmd;
  auto installed = host::install_server(config->layout, options, on_progress);
  if (!installed.ok()) {
    if (terminal && !json) std::fputc('\n', stderr);
    return report(installed.error(), "install");
  }
  if (!json) {
    std::cout << (installed->up_to_date ? "the game is up to date" : "the game is installed") << " in "
              << config->layout.installation();
    if (installed->platform_workaround) std::cout << " (with the Windows-then-Linux platform workaround)";
    std::cout << "\n";
  }
  return kExitOk;
}

}  // namespace left4me::cli
