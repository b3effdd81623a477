// Opening files and directories as the privileged helper must: never following a symlink the
// service user could have planted (openat2 RESOLVE_NO_SYMLINKS, O_NOFOLLOW). Thread-safe.
#pragma once

#include <sys/stat.h>

#include <functional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/unique_fd.h"

namespace left4me::host {

// Opens `path` (absolute, or relative to dirfd) without following any symlink in any component.
// `flags` are open(2) flags (O_CLOEXEC is added). A symlink anywhere fails with ELOOP, reported as
// "<display>: is a symlink or passes through one".
Result<UniqueFd> open_no_symlinks(int dirfd, const std::string& path, int flags, std::string_view display);

// Opens `name` (one component) in dirfd as a directory without following a symlink; fails with a
// message saying what was found instead ("<display> must be a real directory, found a symlink").
Result<UniqueFd> open_real_directory(int dirfd, const std::string& name, std::string_view display);

// Visits every entry below the directory dirfd (not following symlinks, not crossing into other
// mounts is NOT checked), calling visit(parent_fd, name, stat, relative_path). Stops at the first error.
Status walk_tree(int dirfd,
                 const std::function<Status(int, const char*, const struct stat&, const std::string&)>& visit);

// Removes `name` in dirfd and everything below it without following symlinks. Missing is success.
Status remove_tree_at(int dirfd, const std::string& name);

}  // namespace left4me::host
