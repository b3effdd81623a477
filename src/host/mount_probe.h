// What is mounted at one path, asked of the kernel without reading the whole mount table: statx() names
// the mount the path resolves to, statmount() (Linux 6.8+) gives that mount's mount point, filesystem type
// and parent, and the parents are followed while they sit at the same path (stacked mounts). The mount
// point is compared, never st_dev (which misses same-filesystem bind mounts).
//
// Used for `l4d2ctl status` (instance_mount_state), which runs for every instance on every dashboard
// refresh and so should not load libmount. Everything that decides to mount, unmount or remove reads the
// mount table (mount_table.h). Thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace left4me::host {

struct MountsAt {
  std::size_t count = 0;   // mounts stacked at exactly this path; 0: nothing is mounted there
  std::string top_fstype;  // the topmost one's filesystem type ("overlay", "tmpfs", ...)
};

// `path` is absolute and canonical; a symlink there is not followed (and is not a mount point), and a path
// that does not exist has nothing mounted on it. nullopt when the kernel cannot answer this way (no
// statmount before 6.8) or the path cannot be examined (no permission, an answer that does not fit
// together): the caller reads the mount table then.
std::optional<MountsAt> probe_mounts_at(const std::string& path);

}  // namespace left4me::host
