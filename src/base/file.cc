#include "base/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <random>
#include <system_error>

#include "base/unique_fd.h"

namespace left4me {

Result<std::string> read_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return Error::from_errno("open " + path, errno);
  std::string content;
  char buffer[65536];
  while (true) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::from_errno("read " + path, errno);
    }
    if (n == 0) break;
    content.append(buffer, static_cast<size_t>(n));
  }
  return content;
}

Status write_file_atomic(const std::string& path, std::string_view content, mode_t mode) {
  std::random_device random;
  std::string temporary = path + ".tmp." + std::to_string(random());
  UniqueFd fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode));
  if (!fd.valid()) return Error::from_errno("create " + temporary, errno);
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int saved = errno;
      ::unlink(temporary.c_str());
      return Error::from_errno("write " + temporary, saved);
    }
    done += static_cast<size_t>(n);
  }
  if (::fchmod(fd.get(), mode) != 0 || ::fsync(fd.get()) != 0) {
    int saved = errno;
    ::unlink(temporary.c_str());
    return Error::from_errno("sync " + temporary, saved);
  }
  fd.reset();
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    int saved = errno;
    ::unlink(temporary.c_str());
    return Error::from_errno("rename " + temporary, saved);
  }
  return ok_status();
}

Status make_directories(const std::string& path, mode_t mode) {
  std::error_code error;
  std::filesystem::path target(path);
  std::filesystem::path current;
  for (const auto& part : target) {
    current /= part;
    if (::mkdir(current.c_str(), mode) != 0 && errno != EEXIST) {
      return Error::from_errno("mkdir " + current.string(), errno);
    }
  }
  if (!is_directory(path)) return Error::failed("mkdir " + path + ": exists and is not a directory");
  return ok_status();
}

Status remove_tree(const std::string& path) {
  std::error_code error;
  std::filesystem::remove_all(path, error);  // does not follow symlinks
  if (error) return Error::from_errno("remove " + path, error.value());
  return ok_status();
}

bool path_exists(const std::string& path) {
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0;
}

bool is_directory(const std::string& path) {
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

}  // namespace left4me
