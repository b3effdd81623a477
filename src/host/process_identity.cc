#include "host/process_identity.h"

#include <time.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace left4me::host {

std::optional<ProcessIdentity> identify_process(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return std::nullopt;
  size_t close = line.rfind(')');
  if (close == std::string::npos || close + 2 >= line.size()) return std::nullopt;
  // After "pid (comm) ": field 3 (state) onwards; start time is field 22.
  std::istringstream fields(line.substr(close + 2));
  std::string field;
  std::string state;
  std::uint64_t start = 0;
  for (int index = 3; index <= 22; ++index) {
    if (!(fields >> field)) return std::nullopt;
    if (index == 3) state = field;
    if (index == 22) start = std::stoull(field);
  }
  if (state == "Z" || state == "X") return std::nullopt;
  return ProcessIdentity{pid, start};
}

bool is_alive(const ProcessIdentity& identity) {
  auto now = identify_process(identity.pid);
  return now.has_value() && *now == identity;
}

std::int64_t start_time_unix(const ProcessIdentity& identity) {
  struct timespec boot_relative {};
  clock_gettime(CLOCK_BOOTTIME, &boot_relative);
  long ticks_per_second = sysconf(_SC_CLK_TCK);
  double started_after_boot = static_cast<double>(identity.start_ticks) / static_cast<double>(ticks_per_second);
  double uptime = static_cast<double>(boot_relative.tv_sec) + static_cast<double>(boot_relative.tv_nsec) / 1e9;
  return static_cast<std::int64_t>(::time(nullptr) - (uptime - started_after_boot));
}

}  // namespace left4me::host
