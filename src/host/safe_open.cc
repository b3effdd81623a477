#include "host/safe_open.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace left4me::host {

Result<UniqueFd> open_no_symlinks(int dirfd, const std::string& path, int flags, std::string_view display) {
  struct open_how how;
  std::memset(&how, 0, sizeof how);
  how.flags = static_cast<unsigned long long>(flags | O_CLOEXEC | O_NOFOLLOW);
  how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  long fd;
  do {
    fd = ::syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    int err = errno;
    // Only ENOTDIR needs to know whether the last component is a symlink (a missing file, what `status` sees for
    // a start that never failed, costs no second system call).
    auto last_is_symlink = [&] {
      struct stat st;
      return ::fstatat(dirfd, path.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
    };
    if (err == ELOOP || (err == ENOTDIR && last_is_symlink())) {
      return Error::invalid(std::string(display) + ": is a symlink or passes through one; refusing");
    }
    if (err == ENOTDIR) return Error::invalid(std::string(display) + ": is not a directory");
    if (err == ENOENT) return Error::not_found(std::string(display) + ": does not exist");
    return Error::from_errno("open " + std::string(display), err);
  }
  return UniqueFd(static_cast<int>(fd));
}

Result<UniqueFd> open_real_directory(int dirfd, const std::string& name, std::string_view display) {
  struct stat st;
  if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return Error::not_found(std::string(display) + ": does not exist");
    return Error::from_errno("stat " + std::string(display), errno);
  }
  if (S_ISLNK(st.st_mode)) return Error::invalid(std::string(display) + " must be a real directory, found a symlink");
  if (!S_ISDIR(st.st_mode)) return Error::invalid(std::string(display) + " must be a real directory, found a file");
  // The check above is for the message; O_NOFOLLOW makes the open itself safe against a swap.
  UniqueFd fd(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ELOOP || errno == ENOTDIR) {
      return Error::invalid(std::string(display) + " must be a real directory (it changed while checked)");
    }
    return Error::from_errno("open " + std::string(display), errno);
  }
  return fd;
}

namespace {

// Reads the directory with getdents64 on its own descriptor: fdopendir would cost a dup, an fstat, two fcntl and
// an lseek per directory, which `list` pays for every instance's writable layer (docs/benchmarks.md, issue 15).
Status walk_into(int dirfd, const std::string& prefix,
                 const std::function<Status(int, const char*, const struct stat&, const std::string&)>& visit,
                 int depth) {
  if (depth > 512) return Error::failed(prefix + ": directory tree deeper than 512 levels");
  constexpr size_t kBufferBytes = 16384;
  std::unique_ptr<char[]> buffer(new char[kBufferBytes]);
  while (true) {
    ssize_t filled = ::getdents64(dirfd, buffer.get(), kBufferBytes);
    if (filled < 0) return Error::from_errno("readdir " + prefix, errno);
    if (filled == 0) return ok_status();
    for (ssize_t offset = 0; offset < filled;) {
      const auto* entry = reinterpret_cast<const struct dirent64*>(buffer.get() + offset);
      offset += entry->d_reclen;
      if (std::strcmp(entry->d_name, ".") == 0 || std::strcmp(entry->d_name, "..") == 0) continue;
      struct stat st;
      std::string relative = prefix.empty() ? entry->d_name : prefix + "/" + entry->d_name;
      if (::fstatat(dirfd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) continue;  // removed meanwhile
        return Error::from_errno("stat " + relative, errno);
      }
      if (Status status = visit(dirfd, entry->d_name, st, relative); !status) return status;
      if (!S_ISDIR(st.st_mode)) continue;
      UniqueFd child(::openat(dirfd, entry->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!child.valid()) return Error::from_errno("open " + relative, errno);
      if (Status status = walk_into(child.get(), relative, visit, depth + 1); !status) return status;
    }
  }
}

}  // namespace

Status walk_tree(int dirfd,
                 const std::function<Status(int, const char*, const struct stat&, const std::string&)>& visit) {
  // From the first entry, wherever an earlier reader left the descriptor's position.
  if (::lseek(dirfd, 0, SEEK_SET) != 0) return Error::from_errno("rewind a directory", errno);
  return walk_into(dirfd, "", visit, 0);
}

Status remove_tree_at(int dirfd, const std::string& name) {
  struct stat st;
  if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return ok_status();
    return Error::from_errno("stat " + name, errno);
  }
  if (!S_ISDIR(st.st_mode)) {
    if (::unlinkat(dirfd, name.c_str(), 0) != 0 && errno != ENOENT) return Error::from_errno("unlink " + name, errno);
    return ok_status();
  }
  {
    UniqueFd child(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!child.valid()) {
      // The kernel creates work/work with mode 000; root can still open it. Others cannot.
      return Error::from_errno("open " + name, errno);
    }
    int copy = ::fcntl(child.get(), F_DUPFD_CLOEXEC, 0);
    if (copy < 0) return Error::from_errno("dup", errno);
    DIR* dir = ::fdopendir(copy);
    if (!dir) {
      int err = errno;
      ::close(copy);
      return Error::from_errno("fdopendir " + name, err);
    }
    std::vector<std::string> names;
    while (struct dirent* entry = ::readdir(dir)) {
      if (std::strcmp(entry->d_name, ".") != 0 && std::strcmp(entry->d_name, "..") != 0)
        names.emplace_back(entry->d_name);
    }
    ::closedir(dir);
    for (const std::string& entry : names) {
      if (Status status = remove_tree_at(child.get(), entry); !status) return status.error().with_context(name);
    }
  }
  if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
    return Error::from_errno("rmdir " + name, errno);
  }
  return ok_status();
}

}  // namespace left4me::host
