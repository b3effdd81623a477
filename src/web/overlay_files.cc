#include "web/overlay_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <memory>

#include "base/file.h"
#include "base/strings.h"
#include "base/utf8.h"
#include "content/archive_extract.h"
#include "content/staged_tree.h"

namespace left4me::web {
namespace {

constexpr std::size_t kMaxPathBytes = 1024;
constexpr std::size_t kCopyBlock = 64 * 1024;

// The path's components; none for "" (the overlay's top).
std::vector<std::string> components(const std::string& path) {
  return path.empty() ? std::vector<std::string>() : split(path, '/');
}

enum class Create { kNo, kYes };

// Opens the directories parts[0..count) below root, never following a symlink; with Create::kYes the missing
// ones are made (0755).
Result<UniqueFd> open_directories(int root, const std::vector<std::string>& parts, std::size_t count, Create create,
                                  const std::string& path) {
  UniqueFd current(::fcntl(root, F_DUPFD_CLOEXEC, 0));
  if (!current.valid()) return Error::from_errno("dup", errno);
  for (std::size_t i = 0; i < count; ++i) {
    const char* name = parts[i].c_str();
    if (create == Create::kYes && ::mkdirat(current.get(), name, 0755) != 0 && errno != EEXIST) {
      return Error::from_errno("mkdir " + quote_name(path), errno);
    }
    UniqueFd next(::openat(current.get(), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next.valid()) {
      if (errno == ENOENT) return Error::not_found(quote_name(path) + " not found");
      if (errno == ENOTDIR || errno == ELOOP) {
        return Error::invalid(quote_name(path) + ": '" + parts[i] + "' is not a directory");
      }
      return Error::from_errno("open " + quote_name(path), errno);
    }
    current = std::move(next);
  }
  return current;
}

// The overlay's own directory, or an invalid fd when it does not exist yet.
Result<UniqueFd> open_root(const std::string& overlay_dir) {
  UniqueFd root(::open(overlay_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!root.valid() && errno != ENOENT) return Error::from_errno("open " + overlay_dir, errno);
  return root;
}

struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};
using DirPtr = std::unique_ptr<DIR, DirCloser>;

// Reads the directory fd (a duplicate; fd stays open) entry by entry, without "." and "..".
template <typename Visit>
Status each_entry(int fd, Visit visit) {
  int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return Error::from_errno("dup", errno);
  DirPtr dir(::fdopendir(copy));
  if (!dir) {
    ::close(copy);
    return Error::from_errno("opendir", errno);
  }
  ::rewinddir(dir.get());
  while (struct dirent* entry = ::readdir(dir.get())) {
    std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    if (Status status = visit(std::string(name)); !status) return status;
  }
  return ok_status();
}

Result<std::int64_t> bytes_below(int dir_fd) {
  std::int64_t total = 0;
  Status walked = each_entry(dir_fd, [&](const std::string& name) -> Status {
    struct stat info {};
    if (::fstatat(dir_fd, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0)
      return Error::from_errno("stat " + name, errno);
    if (S_ISREG(info.st_mode)) total += info.st_size;
    if (!S_ISDIR(info.st_mode)) return ok_status();
    UniqueFd child(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!child.valid()) return Error::from_errno("open " + name, errno);
    Result<std::int64_t> below = bytes_below(child.get());
    if (!below) return below.error();
    total += *below;
    return ok_status();
  });
  if (!walked) return walked.error();
  return total;
}

// Removes parent_fd's entry name, a directory with everything in it, never following a symlink.
Status remove_entry(int parent_fd, const std::string& name) {
  struct stat info {};
  if (::fstatat(parent_fd, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0)
    return Error::from_errno("stat " + name, errno);
  if (S_ISDIR(info.st_mode)) {
    UniqueFd dir(::openat(parent_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dir.valid()) return Error::from_errno("open " + name, errno);
    std::vector<std::string> children;
    Status listed = each_entry(dir.get(), [&](const std::string& child) -> Status {
      children.push_back(child);
      return ok_status();
    });
    if (!listed) return listed;
    for (const std::string& child : children) {
      if (Status status = remove_entry(dir.get(), child); !status) return status;
    }
  }
  if (::unlinkat(parent_fd, name.c_str(), S_ISDIR(info.st_mode) ? AT_REMOVEDIR : 0) != 0) {
    return Error::from_errno("remove " + name, errno);
  }
  return ok_status();
}

// A staged copy of the overlay (hard links to its files), its parent directory made when missing.
Result<content::StagedTree> stage(const std::string& overlay_dir) {
  std::string parent = overlay_dir.substr(0, overlay_dir.rfind('/'));
  if (Status made = make_directories(parent, 0755); !made) return made.error();
  return content::StagedTree::create(overlay_dir, content::StartFrom::kCurrent);
}

// Commits the staged tree once it fits max_tree_bytes; its size.
Result<std::int64_t> commit_within(content::StagedTree& staged, std::optional<std::int64_t> max_tree_bytes) {
  Result<std::int64_t> bytes = bytes_below(staged.dir_fd());
  if (!bytes) return bytes.error();
  if (max_tree_bytes && *bytes > *max_tree_bytes) {
    return Error(ErrorCode::kLimitReached, "the overlay would hold " + std::to_string(*bytes) +
                                               " bytes, over the owner's quota (" + std::to_string(*max_tree_bytes) +
                                               " bytes left for this overlay)");
  }
  if (Result<std::string> committed = staged.commit(content::OldTree::kRemove); !committed) return committed.error();
  return *bytes;
}

// Creates the file name in dir_fd anew (an old one, maybe a hard link into the live tree, unlinked first).
Result<UniqueFd> create_file(int dir_fd, const std::string& name, const std::string& path) {
  if (::unlinkat(dir_fd, name.c_str(), 0) != 0 && errno != ENOENT) {
    if (errno == EISDIR) return Error::invalid(quote_name(path) + " is a directory");
    return Error::from_errno("unlink " + quote_name(path), errno);
  }
  UniqueFd out(::openat(dir_fd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!out.valid()) return Error::from_errno("create " + quote_name(path), errno);
  return out;
}

Status write_all(int fd, const char* data, std::size_t size, const std::string& path) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("write " + quote_name(path), errno);
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return ok_status();
}

Status copy_file(int in, int out, const std::string& path) {
  std::vector<char> buffer(kCopyBlock);
  while (true) {
    ssize_t n = ::read(in, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("read the upload", errno);
    if (n == 0) return ok_status();
    if (Status status = write_all(out, buffer.data(), static_cast<std::size_t>(n), path); !status) return status;
  }
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

Result<std::string> check_overlay_path(std::string_view path) {
  if (path.empty() || path == "/") return std::string();  // the root, as the browser shows it
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  Result<std::string> checked = content::check_entry_path(path, kMaxPathBytes);
  if (!checked) return Error::invalid("path " + quote_name(make_valid_utf8(path)) + ": " + checked.error().message());
  return *checked;
}

Result<std::vector<OverlayEntry>> list_overlay_directory(const std::string& overlay_dir, const std::string& path) {
  Result<UniqueFd> root = open_root(overlay_dir);
  if (!root) return root.error();
  std::vector<OverlayEntry> entries;
  if (!root->valid()) {
    if (path.empty()) return entries;
    return Error::not_found(quote_name(path) + " not found");
  }
  std::vector<std::string> parts = components(path);
  Result<UniqueFd> dir = open_directories(root->get(), parts, parts.size(), Create::kNo, path);
  if (!dir) return dir.error();
  Status listed = each_entry(dir->get(), [&](const std::string& name) -> Status {
    struct stat info {};
    if (::fstatat(dir->get(), name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) return ok_status();
    if (!S_ISDIR(info.st_mode) && !S_ISREG(info.st_mode)) return ok_status();  // never let in; not shown
    entries.push_back({name, S_ISDIR(info.st_mode), S_ISREG(info.st_mode) ? info.st_size : 0});
    return ok_status();
  });
  if (!listed) return listed.error();
  std::sort(entries.begin(), entries.end(), [](const OverlayEntry& a, const OverlayEntry& b) {
    return a.directory != b.directory ? a.directory : a.name < b.name;
  });
  return entries;
}

Result<OverlayFile> open_overlay_file(const std::string& overlay_dir, const std::string& path) {
  if (path.empty()) return Error::invalid("the root is a directory");
  Result<UniqueFd> root = open_root(overlay_dir);
  if (!root) return root.error();
  if (!root->valid()) return Error::not_found(quote_name(path) + " not found");
  std::vector<std::string> parts = components(path);
  Result<UniqueFd> dir = open_directories(root->get(), parts, parts.size() - 1, Create::kNo, path);
  if (!dir) return dir.error();
  UniqueFd file(::openat(dir->get(), parts.back().c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!file.valid()) {
    if (errno == ENOENT) return Error::not_found(quote_name(path) + " not found");
    if (errno == ELOOP) return Error::invalid(quote_name(path) + " is not a file");
    return Error::from_errno("open " + quote_name(path), errno);
  }
  struct stat info {};
  if (::fstat(file.get(), &info) != 0) return Error::from_errno("stat " + quote_name(path), errno);
  if (!S_ISREG(info.st_mode)) return Error::invalid(quote_name(path) + " is not a file");
  return OverlayFile{std::move(file), info.st_size, parts.back()};
}

Status remove_overlay_path(const std::string& overlay_dir, const std::string& path) {
  if (path.empty()) return Error::invalid("the overlay's root cannot be removed (delete the overlay instead)");
  Result<UniqueFd> root = open_root(overlay_dir);
  if (!root) return root.error();
  if (!root->valid()) return Error::not_found(quote_name(path) + " not found");
  Result<content::StagedTree> staged = stage(overlay_dir);
  if (!staged) return staged.error();
  std::vector<std::string> parts = components(path);
  Result<UniqueFd> dir = open_directories(staged->dir_fd(), parts, parts.size() - 1, Create::kNo, path);
  if (!dir) return dir.error();
  struct stat info {};
  if (::fstatat(dir->get(), parts.back().c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return Error::not_found(quote_name(path) + " not found");
    return Error::from_errno("stat " + quote_name(path), errno);
  }
  if (Status removed = remove_entry(dir->get(), parts.back()); !removed) return removed;
  Result<std::int64_t> committed = commit_within(*staged, std::nullopt);
  if (!committed) return committed.error();
  return ok_status();
}

bool is_editable_path(std::string_view path) {
  constexpr std::array<std::string_view, 2> kRoots = {"left4dead2/cfg/", "left4dead2/addons/sourcemod/configs/"};
  return std::any_of(kRoots.begin(), kRoots.end(), [path](std::string_view root) {
    return path.size() > root.size() && path.substr(0, root.size()) == root;
  });
}

Result<std::optional<std::string>> read_overlay_text(const std::string& overlay_dir, const std::string& path) {
  if (!is_editable_path(path)) {
    return Error::invalid(
        quote_name(path) +
        ": only files below left4dead2/cfg/ and left4dead2/addons/sourcemod/configs/ are edited here");
  }
  Result<OverlayFile> file = open_overlay_file(overlay_dir, path);
  if (!file && file.error().code() == ErrorCode::kNotFound) return std::optional<std::string>();
  if (!file) return file.error();
  if (file->size > static_cast<std::int64_t>(kMaxEditableBytes)) {
    return Error::invalid(quote_name(path) + ": larger than the editor's " + std::to_string(kMaxEditableBytes) +
                          " bytes");
  }
  std::string text(static_cast<std::size_t>(file->size), '\0');
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::pread(file->fd.get(), text.data() + done, text.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("read " + quote_name(path), errno);
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  text.resize(done);
  if (!is_valid_utf8(text)) return Error::invalid(quote_name(path) + ": not UTF-8 text");
  return std::optional<std::string>(std::move(text));
}

Status write_overlay_text(const std::string& overlay_dir, const std::string& path, std::string_view text,
                          std::optional<std::int64_t> max_tree_bytes) {
  if (!is_editable_path(path)) {
    return Error::invalid(
        quote_name(path) +
        ": only files below left4dead2/cfg/ and left4dead2/addons/sourcemod/configs/ are edited here");
  }
  if (text.size() > kMaxEditableBytes) {
    return Error::invalid(quote_name(path) + ": " + std::to_string(text.size()) + " bytes, more than the editor's " +
                          std::to_string(kMaxEditableBytes));
  }
  if (!is_valid_utf8(text) || text.find('\0') != std::string_view::npos) {
    return Error::invalid(quote_name(path) + ": the text is not UTF-8 (or holds a NUL byte)");
  }
  Result<content::StagedTree> staged = stage(overlay_dir);
  if (!staged) return staged.error();
  std::vector<std::string> parts = components(path);
  Result<UniqueFd> dir = open_directories(staged->dir_fd(), parts, parts.size() - 1, Create::kYes, path);
  if (!dir) return dir.error();
  Result<UniqueFd> out = create_file(dir->get(), parts.back(), path);
  if (!out) return out.error();
  if (Status written = write_all(out->get(), text.data(), text.size(), path); !written) return written;
  Result<std::int64_t> committed = commit_within(*staged, max_tree_bytes);
  if (!committed) return committed.error();
  return ok_status();
}

bool is_archive_name(std::string_view name) {
  constexpr std::array<std::string_view, 8> kSuffixes = {".zip",     ".tar",    ".tar.gz",  ".tgz",
                                                         ".tar.bz2", ".tar.xz", ".tar.zst", ".7z"};
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return std::any_of(kSuffixes.begin(), kSuffixes.end(),
                     [&lower](std::string_view suffix) { return ends_with(lower, suffix); });
}

Result<PlacedUpload> place_upload(const std::string& upload_file, std::string_view name, const std::string& overlay_dir,
                                  const std::string& path, std::optional<std::int64_t> max_tree_bytes,
                                  std::uint64_t max_entries) {
  UniqueFd input(::open(upload_file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!input.valid()) return Error::from_errno("open the upload", errno);
  Result<content::StagedTree> staged = stage(overlay_dir);
  if (!staged) return staged.error();
  std::vector<std::string> parts = components(path);
  Result<UniqueFd> dir = open_directories(staged->dir_fd(), parts, parts.size(), Create::kYes, path);
  if (!dir) return dir.error();
  PlacedUpload placed;
  if (is_archive_name(name)) {
    content::ExtractLimits limits;
    limits.max_entries = max_entries;
    if (max_tree_bytes)
      limits.max_bytes = std::min<std::uint64_t>(limits.max_bytes, std::max<std::int64_t>(0, *max_tree_bytes));
    Result<content::ExtractReport> report = content::extract_into(input.get(), dir->get(), limits);
    if (!report) return report.error().with_context(quote_name(name));
    placed.files = report->files;
  } else {
    std::string target = path.empty() ? std::string(name) : path + "/" + std::string(name);
    Result<UniqueFd> out = create_file(dir->get(), std::string(name), target);
    if (!out) return out.error();
    if (Status copied = copy_file(input.get(), out->get(), target); !copied) return copied.error();
    placed.files = 1;
  }
  Result<std::int64_t> committed = commit_within(*staged, max_tree_bytes);
  if (!committed) return committed.error();
  placed.tree_bytes = *committed;
  return placed;
}

Result<std::int64_t> overlay_tree_bytes(const std::string& overlay_dir) {
  Result<UniqueFd> root = open_root(overlay_dir);
  if (!root) return root.error();
  if (!root->valid()) return std::int64_t{0};
  return bytes_below(root->get());
}

}  // namespace left4me::web
