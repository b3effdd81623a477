#include "base/log.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>

namespace left4me::log {
namespace {

std::string g_program = "left4me";
std::atomic<int> g_minimum{static_cast<int>(Level::kInfo)};

const char* level_name(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarning:
      return "warning";
    case Level::kError:
      return "error";
  }
  return "?";
}

}  // namespace

void init(std::string_view program, Level minimum) {
  g_program = program;
  if (const char* env = std::getenv("LEFT4ME_LOG_DEBUG"); env != nullptr && *env == '1') {
    minimum = Level::kDebug;
  }
  g_minimum = static_cast<int>(minimum);
}

void write(Level level, std::string_view message) {
  if (static_cast<int>(level) < g_minimum) return;
  std::string line = g_program + ": " + level_name(level) + ": ";
  line += message;
  line += '\n';
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

}  // namespace left4me::log
