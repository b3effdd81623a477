// ProcessIdentity: a pid plus its start time from /proc, so a recycled pid is never
// mistaken for the process we started. Pure reads of /proc; thread-safe.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace left4me::host {

struct ProcessIdentity {
  pid_t pid = 0;
  std::uint64_t start_ticks = 0;  // field 22 of /proc/<pid>/stat: clock ticks after boot

  bool operator==(const ProcessIdentity&) const = default;
};

// The identity of a live (not zombie) process, or nullopt if there is none with that pid.
std::optional<ProcessIdentity> identify_process(pid_t pid);
// True if the process with that pid is alive and started at the same moment.
bool is_alive(const ProcessIdentity& identity);
// Seconds since the epoch at which a process with this identity started.
std::int64_t start_time_unix(const ProcessIdentity& identity);

}  // namespace left4me::host
