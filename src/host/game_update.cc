#include "host/game_update.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

#include "base/file.h"
#include "base/log.h"

namespace left4me::host {
namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

std::uint64_t free_bytes(const std::string& path) {
  Result<DiskSpace> space = disk_space(path);
  return space ? space->free_bytes : 0;
}

bool cancelled(const SteamcmdOptions& options) { return options.cancel != nullptr && *options.cancel != 0; }

// Keeps the prepared build: installations/<id> and current. A build of that id already kept (an older
// build fetched again after a rollback) is used as it is: it may be mounted, so it is never replaced.
Status keep_build(const model::Layout& layout, const std::string& id) {
  const std::string staging = layout.installation_staging();
  const std::string target = layout.installation_build(id);
  if (is_directory(target)) {
    if (auto removed = remove_tree(staging); !removed.ok()) return removed;
  } else if (::rename(staging.c_str(), target.c_str()) != 0) {
    return Error::from_errno("keep the new build as " + target, errno);
  }
  return make_current(layout, id);
}

// Whether Steam's public branch is at build `id` (app_info_print); false when it is not or steamcmd cannot
// say (the update then runs and finds out itself).
bool public_build_is(const model::Layout& layout, const SteamcmdOptions& options, const std::string& id) {
  Result<std::string> available = public_build_id(layout, options);
  if (!available) {
    log::warning("could not ask Steam for the newest build ({}); updating a copy to find out",
                 available.error().message());
    return false;
  }
  return *available == id;
}

// The steps after the lock; the caller removes the staging build when this fails.
Result<UpdateReport> update_locked(const model::Layout& layout, const SteamcmdOptions& options,
                                   const SteamcmdProgressCallback& on_progress) {
  const auto start = Clock::now();
  UpdateReport report;
  if (auto migrated = migrate_single_installation(layout); !migrated.ok()) return migrated.error();
  const std::string staging = layout.installation_staging();
  // A staging build left by an interrupted run is half-made: start again.
  if (auto removed = remove_tree(staging); !removed.ok()) return removed.error();
  const std::uint64_t free_before = free_bytes(layout.installations());
  report.previous = current_build_id(layout);
  if (report.previous && public_build_is(layout, options, *report.previous)) {
    // Nothing new on Steam: no copy (a full one costs the game's size in time and disk on ext4).
    Result<BuildInfo> build = read_build_info(layout.installation_build(*report.previous));
    if (!build) return build.error();
    report.build = *build;
    report.up_to_date = true;
    if (on_progress) on_progress(SteamcmdProgress{SteamcmdStep::kUpdate, "done", 0, 100, 0, 0});
    report.total_time = since(start);
    return report;
  }
  if (report.previous) {
    auto copy_start = Clock::now();
    Result<CopyReport> copied = copy_build_tree(layout.installation_build(*report.previous), staging);
    if (!copied) return copied.error().with_context("copy the current build");
    report.copy = *copied;
    report.copy_time = since(copy_start);
    log::info("copied build {} ({} files) by {} in {} ms", *report.previous, copied->files,
              copy_method_name(copied->method), report.copy_time.count());
  } else if (auto made = make_directories(staging); !made.ok()) {
    return made.error();
  }
  if (cancelled(options)) return Error::failed("interrupted");
  Result<InstallReport> installed = install_server(layout, staging, options, on_progress);
  if (!installed) return installed.error();
  report.platform_workaround = installed->platform_workaround;
  Result<BuildInfo> build = read_build_info(staging);
  if (!build) return build.error().with_context("the build steamcmd made");
  report.build = *build;
  if (report.previous && *report.previous == build->id) {
    report.up_to_date = true;
    if (auto removed = remove_tree(staging); !removed.ok()) return removed.error();
  } else {
    if (auto kept = keep_build(layout, build->id); !kept.ok()) return kept.error();
    report.changed = true;
  }
  const std::uint64_t free_after = free_bytes(layout.installations());
  report.disk_added = free_before > free_after ? free_before - free_after : 0;
  report.total_time = since(start);
  return report;
}

}  // namespace

Result<UniqueFd> lock_builds(const model::Layout& layout) {
  if (auto made = make_directories(layout.installations()); !made.ok()) return made.error();
  const std::string path = layout.installations_lock();
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!fd.valid()) return Error::from_errno("open " + path, errno);
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK)
      return Error::failed("another `l4d2ctl install` is changing the game builds; try again later");
    return Error::from_errno("lock " + path, errno);
  }
  return fd;
}

Result<UpdateReport> update_game(const model::Layout& layout, const SteamcmdOptions& options,
                                 const SteamcmdProgressCallback& on_progress) {
  Result<UniqueFd> lock = lock_builds(layout);
  if (!lock) return lock.error();
  Result<UpdateReport> report = update_locked(layout, options, on_progress);
  if (!report) {
    if (auto removed = remove_tree(layout.installation_staging()); !removed.ok()) {
      log::warning("could not remove the half-made build {}: {}", layout.installation_staging(),
                   removed.error().message());
    }
  }
  return report;
}

}  // namespace left4me::host
