// MountTable: the kernel's mount table of this process's mount namespace, read from
// /proc/self/mountinfo with libmount. Whether a path is mounted is decided only here, by the
// mount point field, never by comparing st_dev with the parent (which misses same-filesystem
// bind mounts). A snapshot; thread-compatible (read() itself is thread-safe).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace left4me::host {

struct MountEntry {
  int id = 0;          // field 1: mount id (statx STATX_MNT_ID reports the same number)
  int parent_id = 0;   // field 2
  std::string root;    // field 4: the directory of the filesystem that is mounted
  std::string target;  // field 5: the mount point, unescaped
  std::string fstype;  // e.g. "overlay", "ext4"
  std::string source;
  std::string options;  // per-mount and superblock options, as libmount reports them
};

class MountTable {
 public:
  // Reads /proc/self/mountinfo (or another mountinfo file, for tests and /proc/<pid>/mountinfo).
  static Result<MountTable> read(const std::string& mountinfo = "/proc/self/mountinfo");

  const std::vector<MountEntry>& entries() const { return entries_; }
  // How many mounts sit at exactly `path` (more than one means stacked mounts).
  std::size_t count_at(std::string_view path) const;
  bool is_mountpoint(std::string_view path) const { return count_at(path) > 0; }
  // The topmost (last mounted) mount at `path`, or nullptr.
  const MountEntry* top_at(std::string_view path) const;
  // Mounts at `prefix` or anywhere below it ("/a/b" is under "/a", "/ab" is not), in table order.
  std::vector<MountEntry> under(std::string_view prefix) const;

 private:
  std::vector<MountEntry> entries_;
};

// One-shot convenience: is `path` (absolute, canonical) a mount point in this namespace?
Result<bool> is_mountpoint(const std::string& path);

}  // namespace left4me::host
