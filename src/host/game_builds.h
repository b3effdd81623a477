// Game builds side by side: every installed build of the dedicated server in installations/<buildid>/,
// `installation` a symlink naming the current one, and what each mounted instance runs (docs/design.md,
// "Game builds"). Reading what is installed, switching the current build, copying a build as the start of
// an update, removing old builds. Functions without shared state: thread-compatible; changes to the builds
// are serialized by the caller (`l4d2ctl install` holds layout.installations_lock()).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "model/instance_name.h"
#include "model/layout.h"

namespace left4me::host {

// A build id as Steam writes it: 1 to 20 decimal digits (also the name of its directory).
bool is_valid_build_id(std::string_view id);

// `buildid` of the AppState block of an appmanifest_222860.acf text; errors name `source` and what is wrong.
Result<std::string> build_id_from_manifest(std::string_view text, std::string_view source);
// `PatchVersion` of a left4dead2/steam.inf text (`Key=Value` lines), e.g. "2.2.4.3".
Result<std::string> patch_version_from_steam_inf(std::string_view text, std::string_view source);

// What one game tree says it is.
struct BuildInfo {
  std::string id;       // from steamapps/appmanifest_222860.acf
  std::string version;  // PatchVersion from left4dead2/steam.inf; "" when that file is missing or unreadable
};
// Reads the build id (required: an error if the manifest is missing or bad) and the version of the tree at dir.
Result<BuildInfo> read_build_info(const std::string& dir);
// The PatchVersion of the tree at dir; "" when its steam.inf is missing or bad.
std::string read_patch_version(const std::string& dir);

// The space of the filesystem a path is on (statvfs), in bytes: free is what an unprivileged user may still write
// (f_bavail * f_frsize), total its size (f_blocks * f_frsize).
struct DiskSpace {
  std::uint64_t free_bytes = 0;
  std::uint64_t total_bytes = 0;
};
// Fails with statvfs's errno naming the path.
Result<DiskSpace> disk_space(const std::string& path);

// One directory of installations/.
struct InstalledBuild {
  std::string id;                    // the directory's name
  std::string version;               // as BuildInfo; "" if unreadable
  bool current = false;              // `installation` names it
  std::vector<std::string> used_by;  // instances whose mounted game tree comes from it
};

// The build `installation` names (its link's target is installations/<id>), nullopt when it is not such a
// link (missing, or a directory from before builds lived side by side).
std::optional<std::string> current_build_id(const model::Layout& layout);

// What the instance's mounted game tree was mounted from (runtime/<name>/build, written by the mount):
// nullopt when there is no record (not mounted, or mounted before builds lived side by side).
std::optional<std::string> mounted_build_id(const model::Layout& layout, const model::InstanceName& name);

// Every build in installations/, sorted by id as a number, with the instances that use each. An instance
// uses a build while it is mounted from it (its record); instances are read with `is_mounted`.
using MountedCheck = std::function<bool(const model::InstanceName&)>;
Result<std::vector<InstalledBuild>> installed_builds(const model::Layout& layout, const MountedCheck& is_mounted);

// A host from before builds lived side by side has `installation` as a directory: moves it to
// installations/<its build id> and makes `installation` the link to it. A mounted instance keeps its tree
// (a rename changes no file). Nothing to do (success) when `installation` is missing or already a link; an
// empty directory (the package makes one) is removed; an error (nothing changed) when the directory has
// no readable build id.
Status migrate_single_installation(const model::Layout& layout);

// Makes installations/<id> the current build: a new link renamed over `installation` (atomic: a start at
// that moment mounts the old or the new build, never nothing). kNotFound if there is no such build.
Status make_current(const model::Layout& layout, std::string_view id);

// How a build was copied as the start of an update.
enum class CopyMethod {
  kReflink,  // FICLONE: the copy shares every block until steamcmd changes it (btrfs, XFS with reflink=1)
  kCopy,     // a full copy of the data (holes stay holes)
};
std::string_view copy_method_name(CopyMethod method);  // "reflink", "copy"

struct CopyReport {
  CopyMethod method = CopyMethod::kCopy;
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;  // apparent size of the regular files
};
// Copies the tree `from` into the new directory `to` (which must not exist): directories, regular files
// (reflinked when the filesystem can, else copied), symlinks as links; modes and modification times kept.
// Never writes below `from`. On failure `to` is left for the caller to remove.
Result<CopyReport> copy_build_tree(const std::string& from, const std::string& to);

// Why a build cannot be removed, or success after removing installations/<id>. kInvalidArgument for the
// current build or one an instance uses (naming them), kNotFound for no such build.
Status remove_build(const model::Layout& layout, std::string_view id, const MountedCheck& is_mounted);

// Removes the oldest builds beyond the newest `keep` (by id), never the current one nor one in use (and
// none while an instance is mounted without a record). keep 0 removes nothing. Returns the removed ids.
Result<std::vector<std::string>> prune_builds(const model::Layout& layout, int keep, const MountedCheck& is_mounted);

}  // namespace left4me::host
