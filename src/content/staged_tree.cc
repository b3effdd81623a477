#include "content/staged_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <random>
#include <vector>

#include "base/file.h"

namespace left4me::content {
namespace {

struct SplitPath {
  std::string parent;
  std::string name;
};

SplitPath split_target(const std::string& target) {
  std::string trimmed = target;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  size_t slash = trimmed.rfind('/');
  if (slash == std::string::npos) return {".", trimmed};
  return {slash == 0 ? "/" : trimmed.substr(0, slash), trimmed.substr(slash + 1)};
}

std::string random_suffix() {
  std::random_device random;
  char text[17];
  std::snprintf(text, sizeof text, "%08x%08x", random(), random());
  return text;
}

std::string sibling(const std::string& target, std::string_view kind) {
  SplitPath split = split_target(target);
  return (split.parent == "/" ? "" : split.parent) + "/." + split.name + "." + std::string(kind) + "-" +
         random_suffix();
}

Status link_copy(int from_dir, int to_dir, const std::string& display, int depth);

Status link_copy_entry(int from_dir, int to_dir, const char* name, const std::string& display, int depth) {
  struct stat st;
  if (::fstatat(from_dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return Error::from_errno("stat " + display, errno);
  if (S_ISREG(st.st_mode)) {
    if (::linkat(from_dir, name, to_dir, name, 0) != 0) return Error::from_errno("link " + display, errno);
    return ok_status();
  }
  if (!S_ISDIR(st.st_mode)) {
    return Error::invalid(display + ": is " + (S_ISLNK(st.st_mode) ? "a symlink" : "a device file, fifo or socket") +
                          "; the tree may hold only files and directories");
  }
  if (::mkdirat(to_dir, name, 0755) != 0) return Error::from_errno("mkdir " + display, errno);
  UniqueFd from(::openat(from_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  UniqueFd to(::openat(to_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!from.valid() || !to.valid()) return Error::from_errno("open " + display, errno);
  if (::fchmod(to.get(), st.st_mode & 07777) != 0) return Error::from_errno("chmod " + display, errno);
  return link_copy(from.get(), to.get(), display, depth + 1);
}

// Recreates the directories below from_dir in to_dir and hard-links its files; refuses anything else.
Status link_copy(int from_dir, int to_dir, const std::string& display, int depth) {
  if (depth > 256) return Error::invalid(display + ": nested deeper than 256 directories");
  int copy = ::fcntl(from_dir, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return Error::from_errno("dup " + display, errno);
  DIR* listing = ::fdopendir(copy);
  if (listing == nullptr) {
    ::close(copy);
    return Error::from_errno("opendir " + display, errno);
  }
  Status status;
  while (status.ok()) {
    errno = 0;
    struct dirent* entry = ::readdir(listing);
    if (entry == nullptr) {
      if (errno != 0) status = Error::from_errno("readdir " + display, errno);
      break;
    }
    std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    status = link_copy_entry(from_dir, to_dir, entry->d_name, display + "/" + std::string(name), depth);
  }
  ::closedir(listing);
  return status;
}

}  // namespace

bool is_staged_name(std::string_view name, std::string_view kind) {
  std::string marker = "." + std::string(kind) + "-";
  if (name.size() < 2 + marker.size() + 16 || name.front() != '.') return false;
  std::string_view suffix = name.substr(name.size() - 16);
  if (name.substr(name.size() - 16 - marker.size(), marker.size()) != marker) return false;
  return std::all_of(suffix.begin(), suffix.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

Result<int> remove_staging_leftovers(const std::string& parent_dir) {
  DIR* listing = ::opendir(parent_dir.c_str());
  if (listing == nullptr) return Error::from_errno("opendir " + parent_dir, errno);
  std::vector<std::string> leftovers;
  while (struct dirent* entry = ::readdir(listing)) {
    if (is_staged_name(entry->d_name, "staging")) leftovers.emplace_back(entry->d_name);
  }
  ::closedir(listing);
  for (const auto& name : leftovers) {
    if (auto removed = remove_tree(parent_dir + "/" + name); !removed.ok()) return removed.error();
  }
  return static_cast<int>(leftovers.size());
}

Result<StagedTree> StagedTree::create(const std::string& target, StartFrom start) {
  struct stat st;
  bool exists = ::lstat(target.c_str(), &st) == 0;
  if (!exists && errno != ENOENT) return Error::from_errno("stat " + target, errno);
  if (exists && !S_ISDIR(st.st_mode)) {
    return Error::invalid(target + ": must be a real directory, found " +
                          (S_ISLNK(st.st_mode) ? "a symlink" : "something else"));
  }
  std::string staging = sibling(target, "staging");
  if (::mkdir(staging.c_str(), 0755) != 0) return Error::from_errno("mkdir " + staging, errno);
  UniqueFd dir(::open(staging.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir.valid() || ::fchmod(dir.get(), 0755) != 0) {
    int err = errno;
    (void)remove_tree(staging);
    return Error::from_errno("open " + staging, err);
  }
  StagedTree tree(target, staging, std::move(dir));
  if (start == StartFrom::kCurrent && exists) {
    UniqueFd current(::open(target.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!current.valid()) return Error::from_errno("open " + target, errno);
    if (auto copied = link_copy(current.get(), tree.dir_fd(), target, 0); !copied.ok()) return copied.error();
  }
  return tree;
}

StagedTree::StagedTree(StagedTree&& other) noexcept
    : target_(std::move(other.target_)), staging_(std::exchange(other.staging_, "")), dir_(std::move(other.dir_)) {}

StagedTree::~StagedTree() {
  dir_.reset();
  if (!staging_.empty()) (void)remove_tree(staging_);
}

Result<std::string> StagedTree::commit(OldTree old) {
  if (staging_.empty()) return Error::failed(target_ + ": staging directory already committed");
  if (::fsync(dir_.get()) != 0) return Error::from_errno("sync " + staging_, errno);
  if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE) != 0) {
    if (errno != ENOENT) return Error::from_errno("exchange " + staging_ + " with " + target_, errno);
    if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, target_.c_str(), RENAME_NOREPLACE) != 0) {
      return Error::from_errno("rename " + staging_ + " to " + target_, errno);
    }
    staging_.clear();
    dir_.reset();
    return std::string();
  }
  // staging_ now names the old tree.
  std::string previous = std::exchange(staging_, "");
  dir_.reset();
  if (old == OldTree::kRemove) {
    // The new tree is in place whatever happens here; a leftover keeps the staging prefix for a later sweep.
    (void)remove_tree(previous);
    return std::string();
  }
  std::string kept = sibling(target_, "old");
  if (::rename(previous.c_str(), kept.c_str()) != 0) return Error::from_errno("rename " + previous, errno);
  return kept;
}

}  // namespace left4me::content
