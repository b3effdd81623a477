// Test archives written with libarchive's writer (hostile ones included: traversal, absolute paths, links,
// device files, bombs) and a byte-exact listing of a directory tree to compare before and after. Test code
// only; thread-compatible.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace left4me::test {

enum class ArchiveFormat { kZip, kTar, kTarGz, k7z };
std::string_view format_name(ArchiveFormat format);  // "zip", "tar", "tar_gz", "7z"

// One entry as the writer gets it: the name is written as given, however hostile.
struct ArchiveEntry {
  enum class Content { kText, kZeros, kRandom };
  std::string name;
  mode_t type = 0;  // AE_IFREG, AE_IFDIR, AE_IFLNK, AE_IFCHR, AE_IFIFO ...
  mode_t permissions = 0644;
  std::string text;  // a file's content (kText)
  Content content = Content::kText;
  std::uint64_t size = 0;  // kZeros, kRandom
  std::string link;        // symlink target
  std::string hardlink_target;

  static ArchiveEntry file(std::string name, std::string text, mode_t permissions = 0644);
  static ArchiveEntry zeros(std::string name, std::uint64_t size);
  static ArchiveEntry random(std::string name, std::uint64_t size);
  static ArchiveEntry directory(std::string name);
  static ArchiveEntry symlink(std::string name, std::string target);
  static ArchiveEntry hardlink(std::string name, std::string target);
  static ArchiveEntry special(std::string name, mode_t type);
};

// Writes entries to path in format (compressed for zip, tar.gz and 7z), streaming kZeros/kRandom content.
Status write_test_archive(const std::string& path, ArchiveFormat format, const std::vector<ArchiveEntry>& entries);

// Every entry below root, sorted by path, one per line: "d <mode> <path>", "f <mode> <path> <size> <content>",
// "l <path> <target>", "o <path>" (anything else); modes in octal. "" for a missing or empty root.
std::string snapshot_tree(const std::string& root);

}  // namespace left4me::test
