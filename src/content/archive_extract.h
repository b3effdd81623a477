// Extracting uploaded archives (zip, tar with or without gzip/bzip2/xz/zstd, 7z) and single files into a
// directory tree, safely: everything is written below a fresh staging directory with *at() calls that never
// follow a symlink, and swapped in only when the whole archive was good (staged_tree.h). Refused, with the
// target left as it was: paths that leave the tree or are not valid, symlinks, hard links, device files and
// fifos, more entries or more bytes than the limits. The archive is read as a stream, never whole. Free
// functions without shared state: thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "content/staged_tree.h"

namespace left4me::content {

struct ExtractLimits {
  std::uint64_t max_entries = 100000;          // entries of any kind (directories count)
  std::uint64_t max_bytes = 8ull << 30;        // bytes of all files once extracted (what a zip bomb inflates to)
  std::size_t max_path_bytes = 1024;           // one entry's path
  std::uint64_t max_single_file = 8ull << 30;  // a single uploaded file (install_file)
};

// How the new tree relates to the current one.
enum class ExtractMode {
  kReplace,  // the target becomes exactly the archive's contents
  kMerge,    // the archive's files are added to the target's current ones, replacing files of the same path
};

struct ExtractReport {
  std::uint64_t files = 0;
  std::uint64_t directories = 0;
  std::uint64_t bytes = 0;    // of the files written
  std::string kept_old_tree;  // with OldTree::kKeep: where the replaced tree now is
};

// Extracts the archive at archive_path into target_dir (created if missing; its parent must exist).
// Errors name the entry: kInvalidArgument for an entry refused or an archive that is not one of the formats
// (or is damaged), kLimitReached for a limit passed, kFailed for I/O. On any error target_dir is unchanged.
Result<ExtractReport> extract_archive(const std::string& archive_path, const std::string& target_dir, ExtractMode mode,
                                      const ExtractLimits& limits, OldTree old = OldTree::kRemove);

// Places the regular file at file_path into target_dir as relative_path (e.g. "left4dead2/addons/x.vpk"),
// copied as a stream, by the same staging and rules as extract_archive.
Result<ExtractReport> install_file(const std::string& file_path, std::string_view relative_path,
                                   const std::string& target_dir, ExtractMode mode, const ExtractLimits& limits,
                                   OldTree old = OldTree::kRemove);

// The extractor itself: reads the archive from archive_fd (at its current offset) and writes its entries
// below the directory dir_fd, which it assumes holds no symlinks. On error dir_fd may hold part of the
// archive; extract_archive throws that staging directory away.
Result<ExtractReport> extract_into(int archive_fd, int dir_fd, const ExtractLimits& limits);

// The path an entry named `name` is written to (components without "." ones, no trailing '/'), or
// kInvalidArgument saying why it is refused: empty, absolute, "..", a backslash, an empty component, a
// control character, not UTF-8, a component over 255 bytes, longer than max_bytes.
Result<std::string> check_entry_path(std::string_view name, std::size_t max_bytes);

}  // namespace left4me::content
