// File helpers over POSIX calls, reporting failures as Result. Thread-safe (no shared state).
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "base/result.h"

namespace left4me {

Result<std::string> read_file(const std::string& path);
// Writes content to path atomically: a temporary file beside it, fsync, rename.
// On failure the old file (if any) is untouched.
Status write_file_atomic(const std::string& path, std::string_view content, mode_t mode = 0644);
// mkdir -p with the given mode for directories it creates.
Status make_directories(const std::string& path, mode_t mode = 0755);
// rm -rf without following symlinks; missing path is success.
Status remove_tree(const std::string& path);
bool path_exists(const std::string& path);
bool is_directory(const std::string& path);

}  // namespace left4me
