#include "web/audit.h"

#include <fmt/format.h>

#include "web/accounts.h"

namespace left4me::web {

Status AuditLog::record(const AuditActor& actor, std::string_view action, std::string_view target,
                        std::string_view detail) {
  Database::Lock lock(database_);
  auto insert = lock.prepare(
      "INSERT INTO audit_log (at, actor_id, actor_name, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)");
  if (!insert) return insert.error();
  insert->bind(1, unix_now()).bind(2, actor.id).bind(3, actor.name).bind(4, action).bind(5, target).bind(6, detail);
  return insert->run();
}

Result<AuditPage> AuditLog::list(std::int64_t page, int per_page) {
  if (page < 0) return Error::invalid(fmt::format("page {} is negative", page));
  if (per_page < 1 || per_page > 500) return Error::invalid(fmt::format("per_page {} is outside 1..500", per_page));
  Database::Lock lock(database_, LockMode::kRead);
  auto select = lock.prepare(
      "SELECT id, at, actor_id, actor_name, action, target, detail FROM audit_log ORDER BY id DESC LIMIT ? OFFSET ?");
  if (!select) return select.error();
  // One row more than a page tells whether an older page exists.
  select->bind(1, static_cast<std::int64_t>(per_page) + 1).bind(2, page * per_page);
  AuditPage result;
  for (;;) {
    Result<bool> row = select->step();
    if (!row) return row.error();
    if (!*row) break;
    if (static_cast<int>(result.entries.size()) == per_page) {
      result.has_more = true;
      break;
    }
    result.entries.push_back(AuditEntry{select->column_int(0),
                                        select->column_int(1),
                                        {select->column_optional_int(2), select->column_text(3)},
                                        select->column_text(4),
                                        select->column_text(5),
                                        select->column_text(6)});
  }
  select->reset();
  return result;
}

}  // namespace left4me::web
