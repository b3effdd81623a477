// Updating the game beside running servers: the new build is prepared in installations/.staging from a
// copy of the current build, steamcmd updates that copy, and the result becomes installations/<buildid>
// and the current build. No byte of a build any instance has mounted is written (docs/design.md,
// "Game builds"). Not thread-safe: one update at a time per host (it takes layout.installations_lock()).
#pragma once

#include <chrono>
#include <csignal>
#include <optional>
#include <string>

#include "base/result.h"
#include "base/unique_fd.h"
#include "host/game_builds.h"
#include "host/steamcmd.h"
#include "model/layout.h"

namespace left4me::host {

// Holds installations/.lock (flock) for its lifetime: the builds change under one holder at a time.
// kFailed naming the lock when another install holds it.
Result<UniqueFd> lock_builds(const model::Layout& layout);

struct UpdateReport {
  std::optional<std::string> previous;  // the current build before, if any
  BuildInfo build;                      // the current build after
  bool changed = false;                 // the current build changed
  bool up_to_date = false;              // steamcmd had nothing to download (no new build)
  bool platform_workaround = false;
  std::optional<CopyReport> copy;  // how the staging build was started (none for a first install)
  std::chrono::milliseconds copy_time{0};
  std::chrono::milliseconds total_time{0};
  std::uint64_t disk_added = 0;  // free space the update used on the data filesystem (approximate)
};

// Installs (no build yet) or updates the game, holding the lock: migrates a single `installation/`
// directory first, removes a staging build left by an interrupted run, asks Steam for the public build
// (public_build_id) and stops there, up to date, when it is the current one; else copies the current build into
// installations/.staging, runs steamcmd there (install_server), then keeps the result as
// installations/<its buildid> and makes it current. Up to date (the same build id): the staging copy is
// removed, nothing changes. On any failure, or when *options.cancel becomes non-zero (checked between steps
// and while steamcmd runs), the staging build is removed and the current build is as it was.
Result<UpdateReport> update_game(const model::Layout& layout, const SteamcmdOptions& options,
                                 const SteamcmdProgressCallback& on_progress);

}  // namespace left4me::host
