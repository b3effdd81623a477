// ConsoleLog: the built-in supervisor's record of a server's console: a file with size-based
// rotation (console.log, console.log.1), and a reader that tails and follows it across rotations.
// A writer is owned by one thread; readers are independent (any number, any process).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/unique_fd.h"

namespace left4me::host {

class ConsoleLogWriter {
 public:
  // Opens (appending to) path; rotates to path + ".1" once it passes max_bytes.
  static Result<ConsoleLogWriter> open(std::string path, std::uint64_t max_bytes);
  // Appends one line (a '\n' is added).
  Status write_line(std::string_view line);

 private:
  ConsoleLogWriter(std::string path, std::uint64_t max_bytes) : path_(std::move(path)), max_bytes_(max_bytes) {}
  Status reopen();
  std::string path_;
  std::uint64_t max_bytes_;
  std::uint64_t size_ = 0;
  UniqueFd fd_;
};

// The last `lines` lines of the log (looking into the rotated file if needed).
Result<std::vector<std::string>> tail_console_log(const std::string& path, int lines);

// Delivers the last `lines` lines, then every new line as it is written, following rotation,
// until on_line returns false or *stop becomes true (checked at least every 200 ms).
Status follow_console_log(const std::string& path, int lines, const std::function<bool(std::string_view)>& on_line,
                          const std::atomic<bool>* stop);

}  // namespace left4me::host
