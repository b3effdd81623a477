// Reading Valve's VPK packages (versions 1 and 2) as addons ship them: the directory tree (extension, then
// directory, then file name, each list ended by an empty string; protocols.md §4.5) and the data of an entry
// stored in the same file. Every byte is hostile: each length and offset is checked against the file's size
// and the limits below before anything is read or allocated, strings must end inside the tree, and an entry
// whose path is not a plain relative UTF-8 path (no "..", ".", empty part, '\' or control character) is
// skipped, never returned. Data in another archive (pak01_000.vpk) is not followed. Thread-safe (no shared
// state); the reading itself goes through a ReadAt the caller supplies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"

namespace left4me::host {

inline constexpr std::uint32_t kVpkSignature = 0x55AA1234;
// Addon trees are kilobytes; the game's own pak01_dir.vpk tree is a few megabytes.
inline constexpr std::size_t kMaxVpkTreeBytes = 32 * 1024 * 1024;
inline constexpr std::size_t kMaxVpkEntries = 65536;  // entries kept (after the filter)
inline constexpr std::size_t kMaxVpkStringBytes = 1024;

// Reads exactly `length` bytes at `offset`, or fails.
using ReadAt = std::function<Result<std::string>(std::uint64_t offset, std::size_t length)>;
// Reads from bytes in memory (tests, fuzzing).
ReadAt memory_reader(std::string_view bytes);

struct VpkEntry {
  std::string extension;  // "bsp"; empty for none (the tree's " ")
  std::string directory;  // "maps"; empty for the root (the tree's " ")
  std::string name;       // "c1m1_hotel"
  std::uint32_t crc = 0;
  std::uint16_t archive_index = 0;   // kVpkSameFile: the data follows the tree in this file
  std::uint64_t preload_offset = 0;  // where its preload bytes are, in this file
  std::uint16_t preload_bytes = 0;
  std::uint32_t entry_offset = 0;  // from the end of the tree (same file), or in the archive
  std::uint32_t entry_length = 0;  // bytes beyond the preload bytes
  std::string path() const;        // "maps/c1m1_hotel.bsp"
};
inline constexpr std::uint16_t kVpkSameFile = 0x7FFF;

struct VpkDirectory {
  std::uint32_t version = 0;
  std::uint64_t data_start = 0;  // the end of the tree: where same-file data starts
  std::uint64_t file_size = 0;
  std::vector<VpkEntry> entries;  // those the filter kept, in tree order
  std::size_t skipped = 0;        // entries the filter wanted, dropped because their path is not plain
};

// Which entries to keep: (extension, directory, name) as the tree has them (" " already made empty).
using VpkFilter = std::function<bool(std::string_view extension, std::string_view directory, std::string_view name)>;

// Reads the header and the tree of a VPK of `file_size` bytes. Errors (kInvalidArgument) say what is wrong:
// not a VPK (signature), an unknown version, a tree that does not fit the file or the limit, a string that
// does not end inside the tree, an entry that lies about its sizes, too many entries.
Result<VpkDirectory> read_vpk_directory(std::uint64_t file_size, const ReadAt& read, const VpkFilter& keep);

// The whole content of an entry: its preload bytes, then its data in this file. Refused (kInvalidArgument)
// when larger than max_bytes, stored in another archive, or reaching past the end of the file.
Result<std::string> read_vpk_entry(const VpkDirectory& directory, const VpkEntry& entry, const ReadAt& read,
                                   std::size_t max_bytes);

// A VPK file on disk, opened as a file someone else owns must be: without following a symlink, never blocking
// on a FIFO, only a regular file. Reads with pread. Move-only.
class VpkFile {
 public:
  // `name` in the directory dirfd (or a path with AT_FDCWD); errors name `display`.
  static Result<VpkFile> open(int dirfd, const std::string& name, const std::string& display);

  std::uint64_t size() const { return size_; }
  // Valid while this VpkFile lives. Errors name the file.
  ReadAt reader() const;

 private:
  VpkFile(UniqueFd fd, std::uint64_t size, std::string path)
      : fd_(std::move(fd)), size_(size), path_(std::move(path)) {}
  UniqueFd fd_;
  std::uint64_t size_ = 0;
  std::string path_;
};

}  // namespace left4me::host
