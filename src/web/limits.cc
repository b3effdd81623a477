#include "web/limits.h"

#include <fmt/format.h>

namespace left4me::web {
namespace {

struct OwnedTable {
  const char* table;
  const char* column;
  const char* singular;
  const char* plural;
};

OwnedTable table_of(Owned what) {
  if (what == Owned::kServers) return {"servers", "max_servers", "server", "servers"};
  return {"blueprints", "max_blueprints", "blueprint", "blueprints"};
}

}  // namespace

std::optional<int> effective_limit(bool is_admin, std::optional<int> own, int default_limit) {
  if (is_admin) return std::nullopt;
  return own.value_or(default_limit);
}

const char* limit_column(Owned what) { return table_of(what).column; }

Status check_limit(Database::Lock& lock, std::int64_t owner_id, Owned what, const DefaultLimits& defaults) {
  OwnedTable owned = table_of(what);
  auto select = lock.prepare(fmt::format(
      "SELECT u.is_admin, u.{}, (SELECT count(*) FROM {} WHERE owner_id = u.id) FROM users u WHERE u.id = ?",
      owned.column, owned.table));
  if (!select) return select.error();
  select->bind(1, owner_id);
  Result<bool> row = select->step();
  if (!row) return row.error();
  if (!*row) return Error::not_found(fmt::format("user {} not found", owner_id));
  std::optional<std::int64_t> own = select->column_optional_int(1);
  std::optional<int> limit = effective_limit(
      select->column_int(0) != 0, own ? std::optional<int>(static_cast<int>(*own)) : std::nullopt, defaults.of(what));
  std::int64_t count = select->column_int(2);
  select->reset();
  if (!limit || count < *limit) return ok_status();
  if (*limit == 0) {
    return Error(ErrorCode::kLimitReached,
                 fmt::format("{} limit reached: your account may have no {}; ask an administrator to raise your limit",
                             owned.singular, owned.plural));
  }
  return Error(ErrorCode::kLimitReached,
               fmt::format("{} limit reached: you may have at most {} {} (you have {}); delete one or ask an "
                           "administrator to raise your limit",
                           owned.singular, *limit, *limit == 1 ? owned.singular : owned.plural, count));
}

}  // namespace left4me::web
