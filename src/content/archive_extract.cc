#include "content/archive_extract.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <vector>

#include "base/strings.h"
#include "base/unique_fd.h"
#include "base/utf8.h"

namespace left4me::content {
namespace {

constexpr std::size_t kMaxComponentBytes = 255;
constexpr std::size_t kReadBlock = 64 * 1024;

struct ArchiveDeleter {
  void operator()(struct archive* archive) const { archive_read_free(archive); }
};
using ArchivePtr = std::unique_ptr<struct archive, ArchiveDeleter>;

std::string archive_message(struct archive* archive) {
  const char* text = archive_error_string(archive);
  return text != nullptr ? make_valid_utf8(text) : "unknown error";
}

Status write_all(int fd, const char* data, size_t size, off_t offset, const std::string& display) {
  while (size > 0) {
    ssize_t n = ::pwrite(fd, data, size, offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::from_errno("write " + display, errno);
    }
    data += n;
    size -= static_cast<size_t>(n);
    offset += n;
  }
  return ok_status();
}

// Opens (and creates, mode 0755) the directories parts[0..count) below root, never following a symlink.
Result<UniqueFd> open_directories(int root, const std::vector<std::string>& parts, size_t count,
                                  const std::string& display) {
  UniqueFd current(::fcntl(root, F_DUPFD_CLOEXEC, 0));
  if (!current.valid()) return Error::from_errno("dup", errno);
  for (size_t i = 0; i < count; ++i) {
    const char* name = parts[i].c_str();
    bool made = ::mkdirat(current.get(), name, 0755) == 0;
    if (!made && errno != EEXIST) return Error::from_errno("mkdir " + display, errno);
    UniqueFd next(::openat(current.get(), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next.valid()) {
      if (errno == ENOTDIR || errno == ELOOP) {
        return Error::invalid("entry " + display + ": '" + parts[i] + "' is a file, not a directory");
      }
      return Error::from_errno("open " + display, errno);
    }
    if (made && ::fchmod(next.get(), 0755) != 0) return Error::from_errno("chmod " + display, errno);
    current = std::move(next);
  }
  return current;
}

class Extractor {
 public:
  Extractor(struct archive* archive, int dir_fd, const ExtractLimits& limits)
      : archive_(archive), dir_fd_(dir_fd), limits_(limits) {}

  Result<ExtractReport> run();

 private:
  Status entry(struct archive_entry* entry);
  Status refuse_special(struct archive_entry* entry, const std::string& display);
  Status directory(const std::vector<std::string>& parts, const std::string& display);
  Status file(struct archive_entry* entry, const std::vector<std::string>& parts, const std::string& display);
  Status copy_data(int fd, const std::string& display);
  Status check_bytes(std::uint64_t more, const std::string& display);

  struct archive* archive_;
  int dir_fd_;
  const ExtractLimits& limits_;
  ExtractReport report_;
  std::uint64_t entries_ = 0;
};

Result<ExtractReport> Extractor::run() {
  while (true) {
    struct archive_entry* header = nullptr;
    int status = archive_read_next_header(archive_, &header);
    if (status == ARCHIVE_EOF) break;
    if (status < ARCHIVE_WARN) {
      if (entries_ == 0) {
        return Error::invalid("not a zip, tar or 7z archive, or a damaged one: " + archive_message(archive_));
      }
      return Error::invalid("archive damaged after entry " + std::to_string(entries_) + ": " +
                            archive_message(archive_));
    }
    if (++entries_ > limits_.max_entries) {
      return Error(ErrorCode::kLimitReached,
                   "archive has more than " + std::to_string(limits_.max_entries) + " entries (the limit)");
    }
    if (auto done = entry(header); !done.ok()) return done.error();
  }
  return report_;
}

Status Extractor::entry(struct archive_entry* header) {
  const char* raw = archive_entry_pathname_utf8(header);
  if (raw == nullptr) raw = archive_entry_pathname(header);
  if (raw == nullptr) {
    return Error::invalid("entry " + std::to_string(entries_) + ": has no name, or one that is not valid UTF-8");
  }
  std::string display = quote_name(raw);
  auto path = check_entry_path(raw, limits_.max_path_bytes);
  if (!path.ok()) return path.error().with_context("entry " + display);
  if (auto special = refuse_special(header, display); !special.ok()) return special;
  if (path->empty()) return ok_status();  // "./", the archive's root
  std::vector<std::string> parts = split(*path, '/');
  if (archive_entry_filetype(header) == AE_IFDIR) return directory(parts, display);
  return file(header, parts, display);
}

Status Extractor::refuse_special(struct archive_entry* header, const std::string& display) {
  const char* only = "; an archive may hold only files and directories";
  if (const char* target = archive_entry_hardlink(header)) {
    return Error::invalid("entry " + display + ": is a hard link (to " + quote_name(target) + ")" + only);
  }
  mode_t type = archive_entry_filetype(header);
  if (type == AE_IFLNK) {
    const char* target = archive_entry_symlink(header);
    return Error::invalid("entry " + display + ": is a symlink (to " + quote_name(target ? target : "") + ")" + only);
  }
  if (type != AE_IFREG && type != AE_IFDIR) {
    return Error::invalid("entry " + display + ": is a device file, fifo or socket" + only);
  }
  if (archive_entry_is_encrypted(header)) return Error::invalid("entry " + display + ": is encrypted");
  return ok_status();
}

Status Extractor::directory(const std::vector<std::string>& parts, const std::string& display) {
  auto opened = open_directories(dir_fd_, parts, parts.size(), display);
  if (!opened.ok()) return opened.error();
  ++report_.directories;
  return ok_status();
}

Status Extractor::file(struct archive_entry* header, const std::vector<std::string>& parts,
                       const std::string& display) {
  if (archive_entry_size_is_set(header) && archive_entry_size(header) > 0) {
    if (auto fits = check_bytes(static_cast<std::uint64_t>(archive_entry_size(header)), display); !fits.ok()) {
      return fits;
    }
  }
  auto parent = open_directories(dir_fd_, parts, parts.size() - 1, display);
  if (!parent.ok()) return parent.error();
  const char* leaf = parts.back().c_str();
  // A later entry (or, merging, the archive) replaces a file of the same path; the old inode, which the
  // current tree may share through a hard link, is never written to.
  if (::unlinkat(parent->get(), leaf, 0) != 0 && errno != ENOENT) {
    if (errno == EISDIR) return Error::invalid("entry " + display + ": is a file here and a directory elsewhere");
    return Error::from_errno("unlink " + display, errno);
  }
  UniqueFd fd(::openat(parent->get(), leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!fd.valid()) return Error::from_errno("create " + display, errno);
  mode_t mode = (archive_entry_perm(header) & 0111) != 0 ? 0755 : 0644;
  if (::fchmod(fd.get(), mode) != 0) return Error::from_errno("chmod " + display, errno);
  if (auto copied = copy_data(fd.get(), display); !copied.ok()) return copied;
  ++report_.files;
  return ok_status();
}

Status Extractor::copy_data(int fd, const std::string& display) {
  std::uint64_t end = 0;
  while (true) {
    const void* block = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    int status = archive_read_data_block(archive_, &block, &size, &offset);
    if (status == ARCHIVE_EOF) break;
    if (status < ARCHIVE_WARN) return Error::invalid("entry " + display + ": " + archive_message(archive_));
    if (offset < 0) return Error::invalid("entry " + display + ": data at a negative offset");
    std::uint64_t block_end = static_cast<std::uint64_t>(offset) + size;
    if (block_end > end) {
      // Holes of a sparse entry count: they are bytes a reader of the extracted file gets.
      if (auto fits = check_bytes(block_end - end, display); !fits.ok()) return fits;
      report_.bytes += block_end - end;
      end = block_end;
    }
    if (auto written = write_all(fd, static_cast<const char*>(block), size, offset, display); !written.ok()) {
      return written;
    }
  }
  if (::ftruncate(fd, static_cast<off_t>(end)) != 0) return Error::from_errno("truncate " + display, errno);
  return ok_status();
}

Status Extractor::check_bytes(std::uint64_t more, const std::string& display) {
  if (more > limits_.max_bytes || report_.bytes > limits_.max_bytes - more) {
    return Error(ErrorCode::kLimitReached, "entry " + display + ": the archive holds more than " +
                                               std::to_string(limits_.max_bytes) + " bytes once extracted (the limit)");
  }
  return ok_status();
}

ArchivePtr new_reader() {
  ArchivePtr archive(archive_read_new());
  archive_read_support_format_zip(archive.get());
  archive_read_support_format_tar(archive.get());
  archive_read_support_format_gnutar(archive.get());
  archive_read_support_format_7zip(archive.get());
  archive_read_support_filter_gzip(archive.get());
  archive_read_support_filter_bzip2(archive.get());
  archive_read_support_filter_xz(archive.get());
  archive_read_support_filter_zstd(archive.get());
  return archive;
}

Result<UniqueFd> open_input(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return Error::from_errno("open " + path, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return Error::from_errno("stat " + path, errno);
  if (!S_ISREG(st.st_mode)) return Error::invalid(path + ": is not a regular file");
  return fd;
}

}  // namespace

Result<std::string> check_entry_path(std::string_view name, std::size_t max_bytes) {
  if (name.empty()) return Error::invalid("has an empty name");
  if (name.size() > max_bytes) {
    return Error::invalid("path is longer than " + std::to_string(max_bytes) + " bytes");
  }
  if (name.front() == '/') return Error::invalid("is an absolute path");
  if (!is_valid_utf8(name)) return Error::invalid("path is not valid UTF-8");
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return Error::invalid("path holds a control character");
    if (c == '\\') return Error::invalid("path holds a backslash");
  }
  if (name.back() == '/') name.remove_suffix(1);
  std::string path;
  for (const std::string& part : split(name, '/')) {
    if (part == ".") continue;
    if (part == "..") return Error::invalid("leaves the tree ('..')");
    if (part.empty()) return Error::invalid("path has an empty component ('//')");
    if (part.size() > kMaxComponentBytes) return Error::invalid("path has a component over 255 bytes");
    if (!path.empty()) path += '/';
    path += part;
  }
  return path;
}

Result<ExtractReport> extract_into(int archive_fd, int dir_fd, const ExtractLimits& limits) {
  ArchivePtr archive = new_reader();
  if (archive_read_open_fd(archive.get(), archive_fd, kReadBlock) != ARCHIVE_OK) {
    return Error::invalid("not a zip, tar or 7z archive, or a damaged one: " + archive_message(archive.get()));
  }
  return Extractor(archive.get(), dir_fd, limits).run();
}

Result<ExtractReport> extract_archive(const std::string& archive_path, const std::string& target_dir, ExtractMode mode,
                                      const ExtractLimits& limits, OldTree old) {
  auto input = open_input(archive_path);
  if (!input.ok()) return input.error();
  auto staged = StagedTree::create(target_dir, mode == ExtractMode::kMerge ? StartFrom::kCurrent : StartFrom::kEmpty);
  if (!staged.ok()) return staged.error();
  auto report = extract_into(input->get(), staged->dir_fd(), limits);
  if (!report.ok()) return report.error();
  auto committed = staged->commit(old);
  if (!committed.ok()) return committed.error();
  report->kept_old_tree = *committed;
  return report;
}

Result<ExtractReport> install_file(const std::string& file_path, std::string_view relative_path,
                                   const std::string& target_dir, ExtractMode mode, const ExtractLimits& limits,
                                   OldTree old) {
  auto path = check_entry_path(relative_path, limits.max_path_bytes);
  if (!path.ok()) return path.error().with_context("file name " + quote_name(relative_path));
  if (path->empty()) return Error::invalid("file name " + quote_name(relative_path) + ": names no file");
  auto input = open_input(file_path);
  if (!input.ok()) return input.error();
  auto staged = StagedTree::create(target_dir, mode == ExtractMode::kMerge ? StartFrom::kCurrent : StartFrom::kEmpty);
  if (!staged.ok()) return staged.error();
  std::vector<std::string> parts = split(*path, '/');
  std::string display = quote_name(*path);
  auto parent = open_directories(staged->dir_fd(), parts, parts.size() - 1, display);
  if (!parent.ok()) return parent.error();
  if (::unlinkat(parent->get(), parts.back().c_str(), 0) != 0 && errno != ENOENT) {
    if (errno == EISDIR) return Error::invalid("file " + display + ": is a directory in the tree");
    return Error::from_errno("unlink " + display, errno);
  }
  UniqueFd out(
      ::openat(parent->get(), parts.back().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!out.valid() || ::fchmod(out.get(), 0644) != 0) return Error::from_errno("create " + display, errno);
  ExtractReport report;
  char buffer[kReadBlock];
  while (true) {
    ssize_t n = ::read(input->get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("read " + file_path, errno);
    if (n == 0) break;
    if (report.bytes + static_cast<std::uint64_t>(n) > limits.max_single_file) {
      return Error(ErrorCode::kLimitReached, "file " + display + ": larger than " +
                                                 std::to_string(limits.max_single_file) + " bytes (the limit)");
    }
    if (auto written = write_all(out.get(), buffer, static_cast<size_t>(n), static_cast<off_t>(report.bytes), display);
        !written.ok()) {
      return written.error();
    }
    report.bytes += static_cast<std::uint64_t>(n);
  }
  report.files = 1;
  out.reset();
  auto committed = staged->commit(old);
  if (!committed.ok()) return committed.error();
  report.kept_old_tree = *committed;
  return report;
}

}  // namespace left4me::content
