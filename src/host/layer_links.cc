#include "host/layer_links.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "base/strings.h"
#include "base/unique_fd.h"

namespace left4me::host {

namespace {

constexpr int kMaxDepth = 512;

Status check_link(int parent, const char* name, const std::string& relative) {
  char target[PATH_MAX];
  ssize_t n = ::readlinkat(parent, name, target, sizeof target);
  if (n < 0) {
    if (errno == ENOENT) return ok_status();  // removed meanwhile
    return Error::from_errno("readlink " + relative, errno);
  }
  // Linux keeps a link's target below PATH_MAX bytes, so the buffer always holds all of it.
  std::string_view text(target, static_cast<size_t>(n));
  std::optional<std::string> why = symlink_leads_out(relative, text);
  if (!why) return ok_status();
  return Error::invalid("symlink '" + relative + "' -> '" + std::string(text) + "' leads out of the game tree (" +
                        *why + ")");
}

Status check_directory(int dirfd, const std::string& prefix, int depth) {
  if (depth > kMaxDepth) return Error::invalid("'" + prefix + "': directory tree deeper than 512 levels");
  int copy = ::fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return Error::from_errno("dup", errno);
  DIR* dir = ::fdopendir(copy);
  if (!dir) {
    int err = errno;
    ::close(copy);
    return Error::from_errno("fdopendir " + (prefix.empty() ? std::string(".") : prefix), err);
  }
  Status status;
  while (status) {
    errno = 0;
    struct dirent* entry = ::readdir(dir);
    if (!entry) {
      if (errno != 0) status = Error::from_errno("readdir " + prefix, errno);
      break;
    }
    if (std::strcmp(entry->d_name, ".") == 0 || std::strcmp(entry->d_name, "..") == 0) continue;
    unsigned char type = entry->d_type;
    if (type != DT_DIR && type != DT_LNK && type != DT_UNKNOWN) continue;  // files: nothing to check
    std::string relative = prefix.empty() ? entry->d_name : prefix + "/" + entry->d_name;
    if (type == DT_UNKNOWN) {
      struct stat st;
      if (::fstatat(dirfd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno != ENOENT) status = Error::from_errno("stat " + relative, errno);
        continue;
      }
      type = S_ISLNK(st.st_mode) ? DT_LNK : S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
    }
    if (type == DT_LNK) {
      status = check_link(dirfd, entry->d_name, relative);
    } else if (type == DT_DIR) {
      // O_NOFOLLOW: a directory swapped for a symlink since readdir is refused here, never followed.
      UniqueFd child(::openat(dirfd, entry->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!child.valid()) {
        status = errno == ELOOP || errno == ENOTDIR
                     ? Error::invalid("'" + relative + "' changed while checked; refusing")
                     : Error::from_errno("open " + relative, errno);
      } else {
        status = check_directory(child.get(), relative, depth + 1);
      }
    }
  }
  ::closedir(dir);
  return status;
}

}  // namespace

std::optional<std::string> symlink_leads_out(std::string_view relative, std::string_view target) {
  if (target.empty()) return "empty target";
  if (target.front() == '/') return "absolute";
  long depth = 0;  // of the link's directory, counted from the layer's root
  for (char c : relative) depth += c == '/' ? 1 : 0;
  bool named = false;
  for (const std::string& part : split(target, '/')) {
    if (part.empty() || part == ".") continue;
    if (part != "..") {
      named = true;
    } else if (named) {
      return "'..' after a named component: a symlinked directory there would climb from its own target";
    } else if (--depth < 0) {
      return "climbs above the layer";
    }
  }
  return std::nullopt;
}

Status refuse_links_out(int layer_fd) { return check_directory(layer_fd, "", 0); }

}  // namespace left4me::host
