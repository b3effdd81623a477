#include "web/server_events.h"

#include <fmt/format.h>

#include "web/accounts.h"

namespace left4me::web {

Result<ServerEvent> ServerEvents::record(std::int64_t server_id, ServerEventKind kind, const std::string& reason,
                                         std::optional<std::int64_t> job_id) {
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Database::Lock& lock = (*transaction)->lock();
  auto exists = lock.prepare("SELECT 1 FROM servers WHERE id = ?");
  if (!exists) return exists.error();
  Result<bool> found = exists->bind(1, server_id).step();
  exists->reset();
  if (!found) return found.error();
  if (!*found) return Error::not_found(fmt::format("server {} not found", server_id));
  ServerEvent event{0, server_id, unix_now(), kind, reason, job_id};
  auto insert = lock.prepare("INSERT INTO server_events (server_id, at, kind, reason, job_id) VALUES (?, ?, ?, ?, ?)");
  if (!insert) return insert.error();
  insert->bind(1, server_id).bind(2, event.at).bind(3, to_string(kind)).bind(4, reason).bind(5, job_id);
  if (Status inserted = insert->run(); !inserted) return inserted.error();
  event.id = lock.last_insert_id();
  auto prune = lock.prepare(
      "DELETE FROM server_events WHERE server_id = ? AND id <= (SELECT id FROM server_events WHERE server_id = ? "
      "ORDER BY id DESC LIMIT 1 OFFSET ?)");
  if (!prune) return prune.error();
  if (Status pruned = prune->bind(1, server_id).bind(2, server_id).bind(3, kKeptPerServer).run(); !pruned) {
    return pruned.error();
  }
  if (Status committed = (*transaction)->commit(); !committed) return committed.error();
  return event;
}

Result<std::vector<ServerEvent>> ServerEvents::list(std::int64_t server_id, int limit) {
  Database::Lock lock(database_, LockMode::kRead);
  auto select = lock.prepare(
      "SELECT id, server_id, at, kind, reason, job_id FROM server_events WHERE server_id = ? ORDER BY id DESC LIMIT ?");
  if (!select) return select.error();
  select->bind(1, server_id).bind(2, limit);
  std::vector<ServerEvent> events;
  for (;;) {
    Result<bool> row = select->step();
    if (!row) return row.error();
    if (!*row) break;
    std::optional<ServerEventKind> kind = parse_server_event_kind(select->column_text(3));
    if (!kind)
      return Error::failed(
          fmt::format("server event {}: unknown kind '{}'", select->column_int(0), select->column_text(3)));
    events.push_back({select->column_int(0), select->column_int(1), select->column_int(2), *kind,
                      select->column_text(4), select->column_optional_int(5)});
  }
  return events;
}

}  // namespace left4me::web
