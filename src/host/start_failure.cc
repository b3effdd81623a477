#include "host/start_failure.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/file.h"
#include "base/utf8.h"
#include "host/safe_open.h"

namespace left4me::host {

Status record_start_failure(const model::Layout& layout, const model::InstanceName& name, std::string_view reason) {
  std::string line = make_valid_utf8(reason);
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  if (line.size() > kMaxStartFailureBytes) {
    // Cut before the character that crosses the bound: the line stays valid UTF-8.
    std::size_t cut = kMaxStartFailureBytes;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    line.resize(cut);
  }
  return write_file_atomic(layout.last_start_error(name), line + "\n", 0644);
}

Status clear_start_failure(const model::Layout& layout, const model::InstanceName& name) {
  const std::string path = layout.last_start_error(name);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Error::from_errno("remove " + path, errno);
  return ok_status();
}

Result<std::optional<std::string>> read_start_failure(const model::Layout& layout, const model::InstanceName& name) {
  const std::string path = layout.last_start_error(name);
  // O_NONBLOCK: a FIFO planted in its place must not block `status`.
  Result<UniqueFd> fd = open_no_symlinks(AT_FDCWD, path, O_RDONLY | O_NONBLOCK, path);
  if (!fd) {
    if (fd.error().code() == ErrorCode::kNotFound) return std::optional<std::string>();
    return fd.error();
  }
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0) return Error::from_errno("stat " + path, errno);
  if (!S_ISREG(st.st_mode)) return Error::failed(path + ": is not a regular file");
  // The bound plus the newline; one byte more tells a file that is too large.
  std::string content(kMaxStartFailureBytes + 2, '\0');
  std::size_t filled = 0;
  while (filled < content.size()) {
    ssize_t n = ::read(fd->get(), content.data() + filled, content.size() - filled);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("read " + path, errno);
    if (n == 0) break;
    filled += static_cast<std::size_t>(n);
  }
  if (filled > kMaxStartFailureBytes + 1) {
    return Error::failed(path + ": is larger than " + std::to_string(kMaxStartFailureBytes + 1) + " bytes");
  }
  content.resize(filled);
  while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) content.pop_back();
  if (content.empty()) return std::optional<std::string>();
  return std::optional<std::string>(make_valid_utf8(content));
}

}  // namespace left4me::host
