#include "web/servers.h"

#include <fmt/format.h>

#include <set>

#include "model/instance_name.h"
#include "web/accounts.h"

namespace left4me::web {
namespace {

constexpr const char* kSelect =
    "SELECT s.id, s.name, s.owner_id, u.name, s.blueprint_id, b.name, b.version, s.port, s.state, "
    "s.applied_blueprint_id, s.applied_version, s.created_at FROM servers s JOIN users u ON u.id = s.owner_id "
    "JOIN blueprints b ON b.id = s.blueprint_id";

Server read_server(const Statement& statement) {
  Server server;
  server.id = statement.column_int(0);
  server.name = statement.column_text(1);
  server.owner_id = statement.column_int(2);
  server.owner_name = statement.column_text(3);
  server.blueprint_id = statement.column_int(4);
  server.blueprint_name = statement.column_text(5);
  server.blueprint_version = statement.column_int(6);
  server.port = static_cast<int>(statement.column_int(7));
  server.state = statement.column_text(8);
  server.applied_blueprint_id = statement.column_optional_int(9);
  server.applied_version = statement.column_optional_int(10);
  server.created_at = statement.column_int(11);
  return server;
}

Result<std::vector<Server>> select_many(Database::Lock& lock, const std::string& where, const Scope* scope) {
  auto select = lock.prepare(fmt::format("{} {} ORDER BY s.name", kSelect, where));
  if (!select) return select.error();
  if (scope != nullptr) select->bind(1, scope->user_id).bind(2, scope->admin ? 1 : 0);
  std::vector<Server> servers;
  for (;;) {
    Result<bool> row = select->step();
    if (!row) return row.error();
    if (!*row) break;
    servers.push_back(read_server(*select));
  }
  return servers;
}

Result<Server> select_one(Database::Lock& lock, std::int64_t id, const Scope& scope) {
  auto select = lock.prepare(fmt::format("{} WHERE s.id = ? AND (s.owner_id = ? OR ? = 1)", kSelect));
  if (!select) return select.error();
  select->bind(1, id).bind(2, scope.user_id).bind(3, scope.admin ? 1 : 0);
  Result<bool> row = select->step();
  if (!row) return row.error();
  if (!*row) return Error::not_found(fmt::format("server {} not found", id));
  return read_server(*select);
}

Status check_blueprint_owner(Database::Lock& lock, std::int64_t blueprint_id, std::int64_t owner_id) {
  auto select = lock.prepare("SELECT 1 FROM blueprints WHERE id = ? AND owner_id = ?");
  if (!select) return select.error();
  select->bind(1, blueprint_id).bind(2, owner_id);
  Result<bool> row = select->step();
  if (!row) return row.error();
  if (!*row) return Error::not_found(fmt::format("blueprint {} not found", blueprint_id));
  return ok_status();
}

}  // namespace

Result<Server> Servers::create(std::int64_t owner_id, const std::string& name, std::int64_t blueprint_id) {
  Result<model::InstanceName> valid = model::InstanceName::create(name);
  if (!valid) return valid.error();
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Database::Lock& lock = (*transaction)->lock();
  if (Status status = check_blueprint_owner(lock, blueprint_id, owner_id); !status) return status.error();
  if (Status status = check_limit(lock, owner_id, Owned::kServers, limits_); !status) return status.error();
  auto used = lock.prepare("SELECT port FROM servers WHERE port BETWEEN ? AND ? ORDER BY port");
  if (!used) return used.error();
  used->bind(1, ports_.start).bind(2, ports_.end);
  // Ports in ascending order: the first gap is the lowest free port.
  int port = ports_.start;
  for (;;) {
    Result<bool> row = used->step();
    if (!row) return row.error();
    if (!*row || used->column_int(0) != port) break;
    ++port;
  }
  if (port > ports_.end) {
    return Error::unavailable(fmt::format("no free port: all {} ports in {}..{} are taken by servers",
                                          ports_.end - ports_.start + 1, ports_.start, ports_.end));
  }
  auto insert = lock.prepare(
      "INSERT INTO servers (name, owner_id, blueprint_id, port, state, created_at) VALUES (?, ?, ?, ?, 'new', ?)");
  if (!insert) return insert.error();
  insert->bind(1, name).bind(2, owner_id).bind(3, blueprint_id).bind(4, port).bind(5, unix_now());
  if (Status status = insert->run(); !status) {
    if (status.error().code() == ErrorCode::kAlreadyExists) {
      return Error(ErrorCode::kAlreadyExists, fmt::format("a server named '{}' already exists", name));
    }
    return status.error();
  }
  std::int64_t id = lock.last_insert_id();
  Result<Server> server = select_one(lock, id, Scope{owner_id, true});
  if (!server) return server.error();
  if (Status status = (*transaction)->commit(); !status) return status.error();
  return server;
}

Result<Server> Servers::get(std::int64_t id, const Scope& scope) {
  Database::Lock lock(database_, LockMode::kRead);
  return select_one(lock, id, scope);
}

Result<std::vector<Server>> Servers::list(const Scope& scope) {
  Database::Lock lock(database_, LockMode::kRead);
  return select_many(lock, "WHERE (s.owner_id = ? OR ? = 1)", &scope);
}

Result<std::vector<Server>> Servers::list_all() {
  Database::Lock lock(database_, LockMode::kRead);
  return select_many(lock, "", nullptr);
}

Result<Server> Servers::reassign(std::int64_t id, const Scope& scope, std::int64_t blueprint_id) {
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Database::Lock& lock = (*transaction)->lock();
  Result<Server> server = select_one(lock, id, scope);
  if (!server) return server.error();
  if (Status status = check_blueprint_owner(lock, blueprint_id, server->owner_id); !status) return status.error();
  auto update = lock.prepare("UPDATE servers SET blueprint_id = ? WHERE id = ?");
  if (!update) return update.error();
  if (Status status = update->bind(1, blueprint_id).bind(2, id).run(); !status) return status.error();
  Result<Server> updated = select_one(lock, id, scope);
  if (!updated) return updated.error();
  if (Status status = (*transaction)->commit(); !status) return status.error();
  return updated;
}

Status Servers::set_state(std::int64_t id, const std::string& state) {
  Database::Lock lock(database_);
  auto update = lock.prepare("UPDATE servers SET state = ? WHERE id = ?");
  if (!update) return update.error();
  return update->bind(1, state).bind(2, id).run();
}

Status Servers::mark_applied(std::int64_t id, std::int64_t blueprint_id, std::int64_t version) {
  Database::Lock lock(database_);
  auto update = lock.prepare("UPDATE servers SET applied_blueprint_id = ?, applied_version = ? WHERE id = ?");
  if (!update) return update.error();
  return update->bind(1, blueprint_id).bind(2, version).bind(3, id).run();
}

Status Servers::remove(std::int64_t id) {
  Database::Lock lock(database_);
  auto remove = lock.prepare("DELETE FROM servers WHERE id = ?");
  if (!remove) return remove.error();
  return remove->bind(1, id).run();
}

}  // namespace left4me::web
