#include "web/restart_schedules.h"

namespace left4me::web {
namespace {

constexpr std::string_view kSelect =
    "SELECT server_id, enabled, minute_of_day, max_wait_minutes, message, last_due_at FROM restart_schedules";

StoredRestartSchedule read_row(const Statement& statement) {
  StoredRestartSchedule row;
  row.server_id = statement.column_int(0);
  row.schedule.enabled = statement.column_int(1) != 0;
  row.schedule.minute_of_day = static_cast<int>(statement.column_int(2));
  row.schedule.max_wait_minutes = static_cast<int>(statement.column_int(3));
  row.schedule.message = statement.column_text(4);
  row.last_due_at = statement.column_optional_int(5);
  return row;
}

}  // namespace

Result<StoredRestartSchedule> RestartSchedules::get(std::int64_t server_id) {
  Database::Lock lock(database_, LockMode::kRead);
  auto select = lock.prepare(std::string(kSelect) + " WHERE server_id = ?");
  if (!select) return select.error();
  select->bind(1, server_id);
  Result<bool> row = select->step();
  if (!row) return row.error();
  if (!*row) return StoredRestartSchedule{server_id, RestartSchedule{}, std::nullopt};
  return read_row(*select);
}

Status RestartSchedules::put(std::int64_t server_id, const RestartSchedule& schedule) {
  Database::Lock lock(database_);
  auto upsert = lock.prepare(
      "INSERT INTO restart_schedules (server_id, enabled, minute_of_day, max_wait_minutes, message) "
      "VALUES (?, ?, ?, ?, ?) ON CONFLICT (server_id) DO UPDATE SET enabled = excluded.enabled, "
      "minute_of_day = excluded.minute_of_day, max_wait_minutes = excluded.max_wait_minutes, "
      "message = excluded.message");
  if (!upsert) return upsert.error();
  upsert->bind(1, server_id)
      .bind(2, schedule.enabled ? 1 : 0)
      .bind(3, schedule.minute_of_day)
      .bind(4, schedule.max_wait_minutes)
      .bind(5, schedule.message);
  return upsert->run();
}

Result<std::vector<StoredRestartSchedule>> RestartSchedules::enabled() {
  Database::Lock lock(database_, LockMode::kRead);
  auto select = lock.prepare(std::string(kSelect) + " WHERE enabled = 1 ORDER BY server_id");
  if (!select) return select.error();
  std::vector<StoredRestartSchedule> rows;
  for (;;) {
    Result<bool> row = select->step();
    if (!row) return row.error();
    if (!*row) break;
    rows.push_back(read_row(*select));
  }
  return rows;
}

Result<bool> RestartSchedules::claim(std::int64_t server_id, std::int64_t due_at) {
  Database::Lock lock(database_);
  auto update = lock.prepare(
      "UPDATE restart_schedules SET last_due_at = ? WHERE server_id = ? AND (last_due_at IS NULL OR last_due_at < ?)");
  if (!update) return update.error();
  update->bind(1, due_at).bind(2, server_id).bind(3, due_at);
  if (Status status = update->run(); !status) return status.error();
  return lock.changes() == 1;
}

}  // namespace left4me::web
