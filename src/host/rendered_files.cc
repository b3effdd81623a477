#include "host/rendered_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "base/file.h"
#include "base/strings.h"
#include "host/safe_open.h"

namespace left4me::host {
namespace {

// Writes content as `name` inside dirfd (temporary file + rename, never following a symlink).
Status write_at(int dirfd, const std::string& name, const std::string& content, const struct stat& owner,
                const std::string& display) {
  std::string temporary = "." + name + ".left4me-new";
  ::unlinkat(dirfd, temporary.c_str(), 0);
  UniqueFd fd(::openat(dirfd, temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640));
  if (!fd.valid()) return Error::from_errno("create " + display, errno);
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("write " + display, errno);
    done += static_cast<size_t>(n);
  }
  if (::geteuid() == 0 && ::fchown(fd.get(), owner.st_uid, owner.st_gid) != 0) {
    return Error::from_errno("chown " + display, errno);
  }
  if (::renameat(dirfd, temporary.c_str(), dirfd, name.c_str()) != 0) {
    int saved = errno;
    ::unlinkat(dirfd, temporary.c_str(), 0);
    return Error::from_errno("rename " + display, saved);
  }
  return ok_status();
}

}  // namespace

Status place_rendered_files(const model::Layout& layout, const model::InstanceName& name) {
  namespace fs = std::filesystem;
  std::string source = layout.rendered_dir(name);
  std::string target = layout.upper(name);
  if (!is_directory(source)) return ok_status();
  // upper/ belongs to the server's identity: a symlink planted anywhere in it must not redirect
  // these writes (we may be root), so every directory is opened without following symlinks.
  auto upper = open_no_symlinks(AT_FDCWD, target, O_RDONLY | O_DIRECTORY, target);
  if (!upper.ok()) return upper.error();
  struct stat owner {};
  if (::fstat(upper->get(), &owner) != 0) return Error::from_errno("stat " + target, errno);
  std::error_code error;
  for (auto it = fs::recursive_directory_iterator(source, error); !error && it != fs::end(it); it.increment(error)) {
    if (it->is_symlink(error) || !it->is_regular_file(error)) continue;
    auto parts = split(fs::relative(it->path(), source, error).string(), '/');
    UniqueFd dir(::fcntl(upper->get(), F_DUPFD_CLOEXEC, 0));
    std::string display = target;
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      display += "/" + parts[i];
      if (::mkdirat(dir.get(), parts[i].c_str(), 0755) == 0) {
        if (::geteuid() == 0) ::fchownat(dir.get(), parts[i].c_str(), owner.st_uid, owner.st_gid, AT_SYMLINK_NOFOLLOW);
      } else if (errno != EEXIST) {
        return Error::from_errno("mkdir " + display, errno);
      }
      auto next = open_real_directory(dir.get(), parts[i], display);
      if (!next.ok()) return next.error();
      dir = std::move(*next);
    }
    auto content = read_file(it->path().string());
    if (!content.ok()) return content.error();
    if (auto written = write_at(dir.get(), parts.back(), *content, owner, display + "/" + parts.back());
        !written.ok()) {
      return written;
    }
  }
  if (error) return Error::from_errno("copy rendered files from " + source, error.value());
  return ok_status();
}

}  // namespace left4me::host
