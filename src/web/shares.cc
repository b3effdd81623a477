#include "web/shares.h"

#include <fmt/format.h>

#include "web/audit.h"
#include "web/authorization.h"
#include "web/server_log_hub.h"

namespace left4me::web {
namespace {

constexpr const char* kSelect =
    "SELECT sh.server_id, sh.user_id, u.name, sh.role, sh.granted_by, g.name, sh.granted_at FROM server_shares sh "
    "JOIN users u ON u.id = sh.user_id LEFT JOIN users g ON g.id = sh.granted_by";

Share read_share(const Statement& statement) {
  Share share;
  share.server_id = statement.column_int(0);
  share.user_id = statement.column_int(1);
  share.user_name = statement.column_text(2);
  // A role this binary does not know (written by a newer one) reads as the least: it grants no more than that.
  share.role = parse_share_role(statement.column_text(3)).value_or(ShareRole::kViewer);
  share.granted_by = statement.column_optional_int(4);
  share.granted_by_name = statement.column_text(5);
  share.granted_at = statement.column_int(6);
  return share;
}

Result<std::optional<Share>> find_share(Database::Lock& lock, std::int64_t server_id, std::int64_t user_id) {
  auto select = lock.prepare(fmt::format("{} WHERE sh.server_id = ? AND sh.user_id = ?", kSelect));
  if (!select) return select.error();
  Result<bool> row = select->bind(1, server_id).bind(2, user_id).step();
  if (!row) return row.error();
  if (!*row) return std::optional<Share>();
  return std::optional<Share>(read_share(*select));
}

// The id of the user of that name who may be given a share: not one being deleted.
Result<std::int64_t> user_named(Database::Lock& lock, const std::string& name) {
  auto select = lock.prepare("SELECT id FROM users WHERE name = ? AND deleting = 0");
  if (!select) return select.error();
  Result<bool> row = select->bind(1, name).step();
  if (!row) return row.error();
  if (!*row) return Error::invalid(fmt::format("there is no user named '{}'", name));
  return select->column_int(0);
}

bool owner_or_admin(const User& actor, const Server& server) { return actor.is_admin || actor.id == server.owner_id; }

Error manager_refused(std::string_view what) {
  return Error(ErrorCode::kPermissionDenied, fmt::format("a manager {}", what));
}

}  // namespace

Result<std::vector<Share>> Shares::for_server(std::int64_t server_id) {
  Database::Lock lock(database_, LockMode::kRead);
  auto select = lock.prepare(fmt::format("{} WHERE sh.server_id = ? ORDER BY u.name", kSelect));
  if (!select) return select.error();
  select->bind(1, server_id);
  std::vector<Share> shares;
  for (;;) {
    Result<bool> row = select->step();
    if (!row) return row.error();
    if (!*row) break;
    shares.push_back(read_share(*select));
  }
  return shares;
}

Result<Share> grant_share(App& app, const User& actor, const Server& server, const std::string& user_name,
                          ShareRole role) {
  auto transaction = Database::Transaction::begin(*app.database);
  if (!transaction) return transaction.error();
  Database::Lock& lock = (*transaction)->lock();
  Result<std::int64_t> user_id = user_named(lock, user_name);
  if (!user_id) return user_id.error();
  if (*user_id == server.owner_id) {
    return Error::invalid(fmt::format("'{}' owns server '{}': share it with someone else", user_name, server.name));
  }
  Result<std::optional<Share>> existing = find_share(lock, server.id, *user_id);
  if (!existing) return existing.error();
  if (!owner_or_admin(actor, server)) {
    if (role == ShareRole::kManager) return manager_refused("shares a server as viewer or operator, not as manager");
    if (*existing && (*existing)->role == ShareRole::kManager) {
      return manager_refused(fmt::format("cannot change the share of '{}', a manager too", user_name));
    }
  }
  auto upsert = lock.prepare(
      "INSERT INTO server_shares (server_id, user_id, role, granted_by, granted_at) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT (server_id, user_id) DO UPDATE SET role = excluded.role, granted_by = excluded.granted_by, "
      "granted_at = excluded.granted_at");
  if (!upsert) return upsert.error();
  upsert->bind(1, server.id).bind(2, *user_id).bind(3, to_string(role)).bind(4, actor.id).bind(5, unix_now());
  if (Status status = upsert->run(); !status) return status.error();
  Result<std::optional<Share>> share = find_share(lock, server.id, *user_id);
  if (!share) return share.error();
  if (Status status = (*transaction)->commit(); !status) return status.error();
  transaction->reset();  // lets the database go: the audit log writes through it
  if (Status status = app.audit->record({actor.id, actor.name}, audit::kServerShared, "server " + server.name,
                                        fmt::format("{} as {}", user_name, to_string(role)));
      !status) {
    return status.error();
  }
  return **share;
}

Status revoke_share(App& app, const User& actor, const Server& server, std::int64_t user_id) {
  std::string revoked;
  {
    auto transaction = Database::Transaction::begin(*app.database);
    if (!transaction) return transaction.error();
    Database::Lock& lock = (*transaction)->lock();
    Result<std::optional<Share>> existing = find_share(lock, server.id, user_id);
    if (!existing) return existing.error();
    if (!*existing) return Error::not_found(fmt::format("user {} has no share of server '{}'", user_id, server.name));
    if (!owner_or_admin(actor, server) && (*existing)->role == ShareRole::kManager) {
      return manager_refused(fmt::format("cannot revoke the share of '{}', a manager too", (*existing)->user_name));
    }
    auto remove = lock.prepare("DELETE FROM server_shares WHERE server_id = ? AND user_id = ?");
    if (!remove) return remove.error();
    if (Status status = remove->bind(1, server.id).bind(2, user_id).run(); !status) return status;
    if (Status status = (*transaction)->commit(); !status) return status;
    revoked = fmt::format("{} (was {})", (*existing)->user_name, to_string((*existing)->role));
  }
  if (Status status =
          app.audit->record({actor.id, actor.name}, audit::kServerShareRevoked, "server " + server.name, revoked);
      !status) {
    return status;
  }
  if (std::optional<std::string> instance = server.managed_instance()) {
    app.server_logs->end_streams(*instance, user_id, "your share of this server was revoked");
  }
  return ok_status();
}

void follow_console_as(App& app, const User& user, const Server& server, const std::shared_ptr<EventSink>& sink) {
  subscribe_console(*app.server_logs, server, user.id, sink);
  std::optional<std::string> instance = server.managed_instance();
  if (!instance) return;
  Result<Server> now = app.servers->get(server.id, Scope{user.id, user.is_admin});
  if (now && authorize(user, ServerAction::kConsoleRead, *now)) return;
  app.server_logs->end_streams(*instance, user.id, "your share of this server was revoked");
}

}  // namespace left4me::web
