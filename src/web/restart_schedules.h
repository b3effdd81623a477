// RestartSchedules: each server's daily restart settings (restart_schedule.h) and the time of the last restart
// the scheduler queued or skipped, in the table restart_schedules (a server's row goes with it). Thread-safe
// (through Database).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/result.h"
#include "web/database.h"
#include "web/restart_schedule.h"

namespace left4me::web {

struct StoredRestartSchedule {
  std::int64_t server_id = 0;
  RestartSchedule schedule;
  std::optional<std::int64_t> last_due_at;  // the time (Unix seconds) of the last restart queued or skipped
};

class RestartSchedules {
 public:
  explicit RestartSchedules(Database& database) : database_(database) {}

  // The server's settings; a server that never had any gets the defaults (turned off). The caller checked that the
  // viewer may see the server.
  Result<StoredRestartSchedule> get(std::int64_t server_id);
  // Stores the server's settings (checked by parse_restart_schedule), keeping the time of its last restart.
  Status put(std::int64_t server_id, const RestartSchedule& schedule);
  // Every schedule turned on.
  Result<std::vector<StoredRestartSchedule>> enabled();
  // Takes the restart due at due_at for the caller: true when this call recorded it, false when it already was
  // (by this process or another one, before a restart of the web app): so one day's restart is queued once.
  Result<bool> claim(std::int64_t server_id, std::int64_t due_at);

 private:
  Database& database_;
};

}  // namespace left4me::web
