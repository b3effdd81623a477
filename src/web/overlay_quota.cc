#include "web/overlay_quota.h"

#include <fmt/format.h>

#include <algorithm>

namespace left4me::web {

Result<OverlayQuota> overlay_quota(Database& database, std::int64_t user_id, std::int64_t default_bytes) {
  Database::Lock lock(database);
  auto select = lock.prepare(
      "SELECT u.is_admin, u.overlay_quota_bytes, (SELECT coalesce(sum(size_bytes), 0) FROM overlays "
      "WHERE owner_id = u.id) FROM users u WHERE u.id = ?");
  if (!select) return select.error();
  select->bind(1, user_id);
  Result<bool> row = select->step();
  if (!row) return row.error();
  if (!*row) return Error::not_found(fmt::format("user {} not found", user_id));
  OverlayQuota quota;
  quota.own = select->column_optional_int(1);
  if (select->column_int(0) == 0) quota.limit = quota.own.value_or(default_bytes);
  quota.used = select->column_int(2);
  select->reset();
  return quota;
}

Result<std::optional<std::int64_t>> overlay_room(Database& database, const Overlay& overlay,
                                                 std::int64_t default_bytes) {
  if (overlay.global()) return std::optional<std::int64_t>();
  Result<OverlayQuota> quota = overlay_quota(database, *overlay.owner_id, default_bytes);
  if (!quota) return quota.error();
  if (!quota->limit) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(std::max<std::int64_t>(0, *quota->limit - (quota->used - overlay.size_bytes)));
}

Status set_overlay_quota(Database& database, std::int64_t user_id, std::optional<std::int64_t> bytes) {
  if (bytes && *bytes < 0) return Error::invalid(fmt::format("overlay_quota_bytes: {} is negative", *bytes));
  Database::Lock lock(database);
  auto update = lock.prepare("UPDATE users SET overlay_quota_bytes = ? WHERE id = ?");
  if (!update) return update.error();
  if (Status status = update->bind(1, bytes).bind(2, user_id).run(); !status) return status;
  if (lock.changes() == 0) return Error::not_found(fmt::format("user {} not found", user_id));
  return ok_status();
}

}  // namespace left4me::web
