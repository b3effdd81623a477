// The files fake-steamcmd writes: an L4D2 dedicated-server tree (app 222860) whose file count and
// size are configurable, its app manifest, and workshop items. Not synchronized (one process).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace left4me::fake_steamcmd {

enum class Platform { kLinux, kWindows };

// The shape of the content, from FAKE_STEAMCMD_FILES / FAKE_STEAMCMD_BYTES.
struct TreeShape {
  int content_files = 64;                // maps first (c1m1_hotel first), then pak01_NNN.vpk chunks
  std::uint64_t total_bytes = 64 << 20;  // content + platform binaries, as sparse files
  std::string build_id = "16034045";
  std::string patch_version = "2.2.4.3";  // left4dead2/steam.inf's PatchVersion (FAKE_STEAMCMD_VERSION)
  std::string fake_srcds;                 // absolute path written into srcds_run / srcds_linux
};

// One file the depot holds. Data files are sparse: `size` bytes long, a few header bytes real.
struct DepotFile {
  std::string relative_path;
  std::uint64_t size = 0;
  std::string content;  // full content for small text files; header bytes for data files
  bool executable = false;
  bool sparse = false;
};

// Every file of an install for the given platform, in download order.
std::vector<DepotFile> depot_files(const TreeShape& shape, Platform platform);
// Files of the other platform that switching to `platform` removes.
std::vector<std::string> foreign_files(Platform platform);

// Writes one file. An existing file is rewritten in place (same inode, O_TRUNC): whether real steamcmd
// does so or replaces files by rename is unknown (game-updates.md), and in place is the case that would
// break a build sharing its files by hard links. A data file is sparse (its header bytes, then a hole) unless
// `dense`, which fills it with real bytes (a benchmark of disk use needs them).
Status write_depot_file(const std::string& root, const DepotFile& file, bool dense = false);
// True if the file exists with the expected size (what `validate` checks).
bool depot_file_intact(const std::string& root, const DepotFile& file);

// What the install's steamapps/appmanifest_222860.acf says; nullopt when there is no install.
struct Manifest {
  std::string build_id;
  Platform platform = Platform::kLinux;
};
std::optional<Manifest> read_manifest(const std::string& root);
Status write_manifest(const std::string& root, const Manifest& manifest, std::uint64_t size_on_disk);
std::string manifest_path(const std::string& root);

// Workshop items under <root>/steamapps/workshop/.
std::string workshop_item_dir(const std::string& root, const std::string& item_id);
bool workshop_item_recorded(const std::string& root, const std::string& item_id);
// Writes <item dir>/fake_addon_<id>.vpk (real bytes) and records it in appworkshop_550.acf.
Status write_workshop_item(const std::string& root, const std::string& item_id, std::uint64_t bytes);

}  // namespace left4me::fake_steamcmd
