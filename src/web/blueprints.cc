#include "web/blueprints.h"

#include <fmt/format.h>

#include "web/accounts.h"
#include "web/overlays.h"

namespace left4me::web {
namespace {

constexpr const char* kColumns = "id, owner_id, name, config, version, created_at, updated_at";

Blueprint read_blueprint(const Statement& statement) {
  return Blueprint{statement.column_int(0), statement.column_int(1), statement.column_text(2), statement.column_text(3),
                   statement.column_int(4), statement.column_int(5), statement.column_int(6)};
}

Result<Blueprint> select_one(Database::Lock& lock, std::int64_t id, const Scope& scope) {
  auto select = lock.prepare(fmt::format("SELECT {} FROM blueprints WHERE id = ? AND {}", kColumns, kScopeCondition));
  if (!select) return select.error();
  select->bind(1, id).bind(2, scope.user_id).bind(3, scope.admin ? 1 : 0);
  Result<bool> row = select->step();
  if (!row) return row.error();
  if (!*row) return Error::not_found(fmt::format("blueprint {} not found", id));
  return read_blueprint(*select);
}

Result<std::vector<LinkedServer>> linked(Database::Lock& lock, std::int64_t id) {
  auto select = lock.prepare("SELECT id, name FROM servers WHERE blueprint_id = ? ORDER BY name");
  if (!select) return select.error();
  select->bind(1, id);
  std::vector<LinkedServer> servers;
  for (;;) {
    Result<bool> row = select->step();
    if (!row) return row.error();
    if (!*row) break;
    servers.push_back(LinkedServer{select->column_int(0), select->column_text(1)});
  }
  return servers;
}

Error name_taken(const std::string& name) {
  return Error(ErrorCode::kAlreadyExists, fmt::format("you already have a blueprint named '{}'", name));
}

}  // namespace

std::optional<std::string> check_blueprint_name(const std::string& name) {
  if (name.empty() || name.size() > 100) return "name must have 1-100 characters";
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "name must not contain control characters";
  }
  return std::nullopt;
}

Result<Blueprint> Blueprints::create(std::int64_t owner_id, const std::string& name, const std::string& spec_yaml,
                                     const std::vector<std::int64_t>& overlay_ids) {
  if (auto problem = check_blueprint_name(name)) return Error::invalid(*problem);
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Database::Lock& lock = (*transaction)->lock();
  if (Status status = check_limit(lock, owner_id, Owned::kBlueprints, limits_); !status) return status.error();
  auto insert = lock.prepare(
      "INSERT INTO blueprints (owner_id, name, config, version, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?)");
  if (!insert) return insert.error();
  std::int64_t now = unix_now();
  insert->bind(1, owner_id).bind(2, name).bind(3, spec_yaml).bind(4, now).bind(5, now);
  if (Status status = insert->run(); !status) {
    if (status.error().code() == ErrorCode::kAlreadyExists) return name_taken(name);
    return status.error();
  }
  Blueprint blueprint{lock.last_insert_id(), owner_id, name, spec_yaml, 1, now, now};
  // A new blueprint stacks nothing yet: only overlays given need rows.
  if (Status status =
          overlay_ids.empty() ? ok_status() : Overlays::set_blueprint_overlays(lock, blueprint.id, overlay_ids);
      !status) {
    return status.error();
  }
  if (Status status = (*transaction)->commit(); !status) return status.error();
  return blueprint;
}

Result<Blueprint> Blueprints::get(std::int64_t id, const Scope& scope) {
  Database::Lock lock(database_, LockMode::kRead);
  return select_one(lock, id, scope);
}

Result<std::vector<Blueprint>> Blueprints::list(const Scope& scope) {
  Database::Lock lock(database_, LockMode::kRead);
  auto select =
      lock.prepare(fmt::format("SELECT {} FROM blueprints WHERE {} ORDER BY name, id", kColumns, kScopeCondition));
  if (!select) return select.error();
  select->bind(1, scope.user_id).bind(2, scope.admin ? 1 : 0);
  std::vector<Blueprint> blueprints;
  for (;;) {
    Result<bool> row = select->step();
    if (!row) return row.error();
    if (!*row) break;
    blueprints.push_back(read_blueprint(*select));
  }
  return blueprints;
}

Result<Blueprint> Blueprints::update(std::int64_t id, const Scope& scope, const std::string& name,
                                     const std::string& spec_yaml,
                                     const std::optional<std::vector<std::int64_t>>& overlay_ids) {
  if (auto problem = check_blueprint_name(name)) return Error::invalid(*problem);
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Result<Blueprint> current = select_one((*transaction)->lock(), id, scope);
  if (!current) return current.error();
  std::int64_t version = current->version + (current->spec_yaml == spec_yaml ? 0 : 1);
  auto update =
      (*transaction)->prepare("UPDATE blueprints SET name = ?, config = ?, version = ?, updated_at = ? WHERE id = ?");
  if (!update) return update.error();
  std::int64_t now = unix_now();
  update->bind(1, name).bind(2, spec_yaml).bind(3, version).bind(4, now).bind(5, id);
  if (Status status = update->run(); !status) {
    if (status.error().code() == ErrorCode::kAlreadyExists) return name_taken(name);
    return status.error();
  }
  if (overlay_ids) {
    if (Status status = Overlays::set_blueprint_overlays((*transaction)->lock(), id, *overlay_ids); !status) {
      return status.error();
    }
  }
  if (Status status = (*transaction)->commit(); !status) return status.error();
  return Blueprint{id, current->owner_id, name, spec_yaml, version, current->created_at, now};
}

Status Blueprints::remove(std::int64_t id, const Scope& scope) {
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Result<Blueprint> current = select_one((*transaction)->lock(), id, scope);
  if (!current) return current.error();
  Result<std::vector<LinkedServer>> servers = linked((*transaction)->lock(), id);
  if (!servers) return servers.error();
  if (!servers->empty()) {
    std::string names;
    for (const LinkedServer& server : *servers) names += (names.empty() ? "" : ", ") + server.name;
    return Error(ErrorCode::kAlreadyExists,
                 fmt::format("blueprint '{}' is used by {} server(s): {}; move or delete them first", current->name,
                             servers->size(), names));
  }
  auto remove = (*transaction)->prepare("DELETE FROM blueprints WHERE id = ?");
  if (!remove) return remove.error();
  if (Status status = remove->bind(1, id).run(); !status) return status;
  return (*transaction)->commit();
}

Result<std::vector<LinkedServer>> Blueprints::linked_servers(std::int64_t id) {
  Database::Lock lock(database_, LockMode::kRead);
  return linked(lock, id);
}

}  // namespace left4me::web
