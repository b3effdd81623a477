#include "host/instance_env_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "host/safe_open.h"

namespace left4me::host {

Result<model::InstanceEnv> read_instance_env(const model::Layout& layout, const model::InstanceName& name) {
  const std::string path = layout.instance_env(name);
  // O_NONBLOCK: a FIFO planted in its place must not block the reader.
  Result<UniqueFd> fd = open_no_symlinks(AT_FDCWD, path, O_RDONLY | O_NONBLOCK, path);
  if (!fd) {
    if (fd.error().code() == ErrorCode::kNotFound) {
      return Error::not_found("no such instance '" + name.str() + "' (run l4d2ctl initialize first)");
    }
    return fd.error();
  }
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0) return Error::from_errno("stat " + path, errno);
  if (!S_ISREG(st.st_mode)) return Error::invalid(path + ": is not a regular file");
  if (static_cast<std::size_t>(st.st_size) > kMaxInstanceEnvBytes) {
    return Error::invalid(path + ": is larger than " + std::to_string(kMaxInstanceEnvBytes) + " bytes");
  }
  std::string content;
  char buffer[16384];
  for (;;) {
    ssize_t n = ::read(fd->get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("read " + path, errno);
    if (n == 0) break;
    content.append(buffer, static_cast<std::size_t>(n));
    if (content.size() > kMaxInstanceEnvBytes) {
      return Error::invalid(path + ": is larger than " + std::to_string(kMaxInstanceEnvBytes) + " bytes");
    }
  }
  return model::parse_instance_env(content, path);
}

}  // namespace left4me::host
