#include "host/vpk.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/strings.h"
#include "base/utf8.h"

namespace left4me::host {
namespace {

constexpr std::size_t kHeaderV1Bytes = 12;
constexpr std::size_t kHeaderV2Bytes = 28;
constexpr std::size_t kEntryFixedBytes = 18;  // crc, preload, archive, offset, length, terminator
constexpr std::uint16_t kEntryTerminator = 0xFFFF;

std::uint32_t u32_at(std::string_view bytes, std::size_t at) {
  auto byte = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + i])); };
  return byte(0) | byte(1) << 8 | byte(2) << 16 | byte(3) << 24;
}

std::uint16_t u16_at(std::string_view bytes, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(bytes[at]) | static_cast<unsigned char>(bytes[at + 1])
                                                                                << 8);
}

// A part of a path as we accept it: UTF-8 without control characters or '\', not "." or "..".
bool is_plain_part(std::string_view part) {
  if (part.empty() || part == "." || part == ".." || !is_valid_utf8(part)) return false;
  for (char c : part) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F || c == '\\' || c == '/') return false;
  }
  return true;
}

bool is_plain_directory(std::string_view directory) {
  if (directory.empty()) return true;  // the root
  for (const std::string& part : split(directory, '/')) {
    if (!is_plain_part(part)) return false;
  }
  return true;
}

bool is_plain_path(std::string_view extension, std::string_view directory, std::string_view name) {
  return (extension.empty() || is_plain_part(extension)) && is_plain_directory(directory) && is_plain_part(name);
}

// Walks the tree's bytes; every read is checked against the tree's end.
class TreeParser {
 public:
  TreeParser(std::string_view tree, const VpkDirectory& directory) : tree_(tree), directory_(directory) {}

  // The next NUL-terminated string.
  Result<std::string_view> string() {
    std::size_t limit = std::min(tree_.size(), position_ + kMaxVpkStringBytes + 1);
    std::size_t end = tree_.substr(0, limit).find('\0', position_);
    if (end == std::string_view::npos) {
      if (limit < tree_.size()) return fail("a name longer than " + std::to_string(kMaxVpkStringBytes) + " bytes");
      return fail("a name that does not end inside the tree");
    }
    std::string_view text = tree_.substr(position_, end - position_);
    position_ = end + 1;
    return text;
  }

  // The fixed fields and preload bytes that follow an entry's name.
  Result<VpkEntry> entry(std::string_view extension, std::string_view directory, std::string_view name) {
    VpkEntry entry{.extension = std::string(extension), .directory = std::string(directory), .name = std::string(name)};
    if (tree_.size() - position_ < kEntryFixedBytes) return fail("entry '" + shown(entry) + "' is cut off");
    entry.crc = u32_at(tree_, position_);
    entry.preload_bytes = u16_at(tree_, position_ + 4);
    entry.archive_index = u16_at(tree_, position_ + 6);
    entry.entry_offset = u32_at(tree_, position_ + 8);
    entry.entry_length = u32_at(tree_, position_ + 12);
    if (u16_at(tree_, position_ + 16) != kEntryTerminator) {
      return fail("entry '" + shown(entry) + "' lacks its 0xFFFF terminator");
    }
    position_ += kEntryFixedBytes;
    if (tree_.size() - position_ < entry.preload_bytes) {
      return fail("entry '" + shown(entry) + "' has more preload bytes than the tree holds");
    }
    entry.preload_offset = directory_.data_start - tree_.size() + position_;
    position_ += entry.preload_bytes;
    const std::uint64_t end = directory_.data_start + entry.entry_offset + std::uint64_t{entry.entry_length};
    if (entry.archive_index == kVpkSameFile && end > directory_.file_size) {
      return fail("entry '" + shown(entry) + "' reaches past the end of the file");
    }
    return entry;
  }

 private:
  Error fail(const std::string& what) const {
    return Error::invalid("the directory tree has " + what + " (at byte " + std::to_string(position_) + ")");
  }
  // Cut before making it valid: a cut after could split a U+FFFD.
  static std::string shown(const VpkEntry& entry) {
    return make_valid_utf8(std::string_view(entry.path()).substr(0, 200));
  }

  std::string_view tree_;
  const VpkDirectory& directory_;
  std::size_t position_ = 0;
};

// The tree's " " stands for "no extension" and "the root directory".
std::string_view blank_as_empty(std::string_view text) { return text == " " ? std::string_view() : text; }

Status parse_tree(std::string_view tree, VpkDirectory& directory, const VpkFilter& keep) {
  TreeParser parser(tree, directory);
  while (true) {
    auto extension = parser.string();
    if (!extension.ok()) return extension.error();
    if (extension->empty()) return ok_status();
    while (true) {
      auto path = parser.string();
      if (!path.ok()) return path.error();
      if (path->empty()) break;
      while (true) {
        auto name = parser.string();
        if (!name.ok()) return name.error();
        if (name->empty()) break;
        auto entry = parser.entry(blank_as_empty(*extension), blank_as_empty(*path), *name);
        if (!entry.ok()) return entry.error();
        if (keep && !keep(entry->extension, entry->directory, entry->name)) continue;
        if (!is_plain_path(entry->extension, entry->directory, entry->name)) {
          ++directory.skipped;
          continue;
        }
        if (directory.entries.size() >= kMaxVpkEntries) {
          return Error::invalid("the directory tree has more than " + std::to_string(kMaxVpkEntries) + " entries");
        }
        directory.entries.push_back(std::move(*entry));
      }
    }
  }
}

}  // namespace

std::string VpkEntry::path() const {
  std::string path = directory.empty() ? name : directory + "/" + name;
  if (!extension.empty()) path += "." + extension;
  return path;
}

ReadAt memory_reader(std::string_view bytes) {
  return [bytes](std::uint64_t offset, std::size_t length) -> Result<std::string> {
    if (offset > bytes.size() || length > bytes.size() - offset) {
      return Error::invalid("bytes " + std::to_string(offset) + "+" + std::to_string(length) + " lie past the end (" +
                            std::to_string(bytes.size()) + " bytes)");
    }
    return std::string(bytes.substr(offset, length));
  };
}

Result<VpkDirectory> read_vpk_directory(std::uint64_t file_size, const ReadAt& read, const VpkFilter& keep) {
  if (file_size < kHeaderV1Bytes) return Error::invalid("is not a VPK: shorter than its header");
  auto header = read(0, file_size >= kHeaderV2Bytes ? kHeaderV2Bytes : kHeaderV1Bytes);
  if (!header.ok()) return header.error();
  if (u32_at(*header, 0) != kVpkSignature) return Error::invalid("is not a VPK: no VPK signature");
  VpkDirectory directory{.version = u32_at(*header, 4), .file_size = file_size};
  const std::uint64_t tree_size = u32_at(*header, 8);
  std::uint64_t header_size = kHeaderV1Bytes;
  std::uint64_t sections = 0;  // version 2: what follows the tree
  if (directory.version == 2) {
    if (header->size() < kHeaderV2Bytes) return Error::invalid("is a VPK version 2 shorter than its header");
    header_size = kHeaderV2Bytes;
    for (std::size_t at : {12, 16, 20, 24}) sections += u32_at(*header, at);
  } else if (directory.version != 1) {
    return Error::invalid("is a VPK of version " + std::to_string(directory.version) + " (1 and 2 are known)");
  }
  if (tree_size > kMaxVpkTreeBytes) {
    return Error::invalid("has a directory tree of " + std::to_string(tree_size) + " bytes (at most " +
                          std::to_string(kMaxVpkTreeBytes) + ")");
  }
  if (header_size + tree_size + sections > file_size) {
    return Error::invalid("claims a directory tree of " + std::to_string(tree_size) + " bytes" +
                          (sections > 0 ? " and sections of " + std::to_string(sections) + " bytes" : "") +
                          " in a file of " + std::to_string(file_size));
  }
  directory.data_start = header_size + tree_size;
  auto tree = read(header_size, static_cast<std::size_t>(tree_size));
  if (!tree.ok()) return tree.error();
  if (auto parsed = parse_tree(*tree, directory, keep); !parsed.ok()) return parsed.error();
  return directory;
}

Result<std::string> read_vpk_entry(const VpkDirectory& directory, const VpkEntry& entry, const ReadAt& read,
                                   std::size_t max_bytes) {
  const std::uint64_t total = std::uint64_t{entry.preload_bytes} + entry.entry_length;
  if (total > max_bytes) {
    return Error::invalid(entry.path() + ": " + std::to_string(total) + " bytes (at most " + std::to_string(max_bytes) +
                          " are read)");
  }
  if (entry.entry_length > 0 && entry.archive_index != kVpkSameFile) {
    return Error::invalid(entry.path() + ": stored in another archive (" + std::to_string(entry.archive_index) + ")");
  }
  if (entry.preload_offset + entry.preload_bytes > directory.data_start ||
      directory.data_start + entry.entry_offset + std::uint64_t{entry.entry_length} > directory.file_size) {
    return Error::invalid(entry.path() + ": lies outside the file");
  }
  auto preload = read(entry.preload_offset, entry.preload_bytes);
  if (!preload.ok()) return preload.error();
  if (entry.entry_length == 0) return preload;
  auto data = read(directory.data_start + entry.entry_offset, entry.entry_length);
  if (!data.ok()) return data.error();
  return *preload + *data;
}

Result<VpkFile> VpkFile::open(int dirfd, const std::string& name, const std::string& display) {
  // O_NOFOLLOW and O_NONBLOCK: a symlink or a FIFO put in a VPK's place is refused, never followed or waited on.
  UniqueFd fd(::openat(dirfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd.valid()) return Error::from_errno("open " + display, errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return Error::from_errno("stat " + display, errno);
  if (!S_ISREG(st.st_mode)) return Error::invalid(display + ": is not a regular file");
  return VpkFile(std::move(fd), static_cast<std::uint64_t>(st.st_size), display);
}

ReadAt VpkFile::reader() const {
  return [fd = fd_.get(), size = size_, path = path_](std::uint64_t offset, std::size_t length) -> Result<std::string> {
    if (offset > size || length > size - offset) return Error::invalid(path + ": read past the end of the file");
    std::string bytes(length, '\0');
    std::size_t done = 0;
    while (done < length) {
      ssize_t n = ::pread(fd, bytes.data() + done, length - done, static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Error::from_errno("read " + path, errno);
      if (n == 0) return Error::failed(path + ": the file ended early (it changed while being read)");
      done += static_cast<std::size_t>(n);
    }
    return bytes;
  };
}

}  // namespace left4me::host
