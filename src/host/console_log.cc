#include "host/console_log.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <deque>

#include "base/file.h"
#include "base/strings.h"

namespace left4me::host {

Result<ConsoleLogWriter> ConsoleLogWriter::open(std::string path, std::uint64_t max_bytes) {
  ConsoleLogWriter writer(std::move(path), max_bytes);
  if (auto status = writer.reopen(); !status.ok()) return status.error();
  return writer;
}

Status ConsoleLogWriter::reopen() {
  fd_.reset(::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640));
  if (!fd_.valid()) return Error::from_errno("open " + path_, errno);
  struct stat info {};
  if (::fstat(fd_.get(), &info) != 0) return Error::from_errno("stat " + path_, errno);
  size_ = static_cast<std::uint64_t>(info.st_size);
  return ok_status();
}

Status ConsoleLogWriter::write_line(std::string_view line) {
  if (size_ >= max_bytes_) {
    if (::rename(path_.c_str(), (path_ + ".1").c_str()) != 0) return Error::from_errno("rotate " + path_, errno);
    if (auto status = reopen(); !status.ok()) return status;
  }
  std::string buffer(line);
  buffer += '\n';
  size_t done = 0;
  while (done < buffer.size()) {
    ssize_t n = ::write(fd_.get(), buffer.data() + done, buffer.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::from_errno("write " + path_, errno);
    }
    done += static_cast<size_t>(n);
  }
  size_ += buffer.size();
  return ok_status();
}

namespace {

void append_lines(const std::string& content, std::deque<std::string>& out, size_t keep) {
  auto parts = split(content, '\n');
  if (!parts.empty() && parts.back().empty()) parts.pop_back();
  for (auto& part : parts) {
    out.push_back(std::move(part));
    if (out.size() > keep) out.pop_front();
  }
}

}  // namespace

Result<std::vector<std::string>> tail_console_log(const std::string& path, int lines) {
  std::deque<std::string> kept;
  if (lines <= 0) return std::vector<std::string>();
  size_t keep = static_cast<size_t>(lines);
  auto current = read_file(path);
  if (!current.ok() && current.error().code() != ErrorCode::kNotFound) return current.error();
  std::deque<std::string> recent;
  if (current.ok()) append_lines(*current, recent, keep);
  if (recent.size() < keep) {
    auto rotated = read_file(path + ".1");
    if (rotated.ok()) append_lines(*rotated, kept, keep - recent.size());
  }
  for (auto& line : recent) kept.push_back(std::move(line));
  return std::vector<std::string>(kept.begin(), kept.end());
}

Status follow_console_log(const std::string& path, int lines, const std::function<bool(std::string_view)>& on_line,
                          const std::atomic<bool>* stop) {
  auto stopped = [&] { return stop != nullptr && stop->load(); };
  // Open first, then tail: a line written in between is read twice at worst, never lost.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  off_t offset = 0;
  if (fd.valid()) offset = ::lseek(fd.get(), 0, SEEK_END);
  auto initial = tail_console_log(path, lines);
  if (!initial.ok()) return initial.error();
  for (const auto& line : *initial) {
    if (!on_line(line)) return ok_status();
  }

  std::string directory = path.substr(0, path.rfind('/'));
  UniqueFd watch(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
  if (!watch.valid()) return Error::from_errno("inotify_init1", errno);
  if (::inotify_add_watch(watch.get(), directory.c_str(), IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM) < 0) {
    return Error::from_errno("inotify_add_watch " + directory, errno);
  }
  std::string pending;
  auto drain = [&]() -> bool {  // false once on_line asked to stop
    if (!fd.valid()) return true;
    char buffer[65536];
    while (true) {
      ssize_t n = ::pread(fd.get(), buffer, sizeof buffer, offset);
      if (n <= 0) break;
      offset += n;
      pending.append(buffer, static_cast<size_t>(n));
    }
    size_t start = 0;
    while (true) {
      size_t end = pending.find('\n', start);
      if (end == std::string::npos) break;
      if (!on_line(std::string_view(pending).substr(start, end - start))) return false;
      start = end + 1;
    }
    pending.erase(0, start);
    return true;
  };
  while (!stopped()) {
    if (!drain()) return ok_status();
    // Rotated or recreated: finish the old file, then continue with the new one from its start.
    struct stat by_path {
    }, by_fd{};
    bool path_exists_now = ::stat(path.c_str(), &by_path) == 0;
    bool same = fd.valid() && ::fstat(fd.get(), &by_fd) == 0 && path_exists_now && by_path.st_ino == by_fd.st_ino &&
                by_path.st_dev == by_fd.st_dev;
    if (path_exists_now && !same) {
      if (!drain()) return ok_status();
      // If the log rotated more than once since the last read, the file in between is now the
      // rotated one: read it before the new current file. (Older ones are gone.)
      UniqueFd rotated(::open((path + ".1").c_str(), O_RDONLY | O_CLOEXEC));
      struct stat rotated_info {};
      bool had_file = fd.valid();
      if (rotated.valid() && ::fstat(rotated.get(), &rotated_info) == 0 && had_file &&
          !(rotated_info.st_ino == by_fd.st_ino && rotated_info.st_dev == by_fd.st_dev)) {
        fd = std::move(rotated);
        offset = 0;
        if (!drain()) return ok_status();
      }
      fd.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
      offset = 0;
      continue;
    }
    if (same && by_fd.st_size < offset) offset = 0;  // truncated
    struct pollfd poll_fd {
      watch.get(), POLLIN, 0
    };
    int ready = ::poll(&poll_fd, 1, 200);
    if (ready > 0) {
      char events[4096];
      while (::read(watch.get(), events, sizeof events) > 0) {
      }
    }
  }
  return ok_status();
}

}  // namespace left4me::host
