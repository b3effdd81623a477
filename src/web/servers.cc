#include "web/servers.h"

#include <fmt/format.h>

#include <set>

#include "base/strings.h"
#include "base/utf8.h"
#include "model/instance_name.h"
#include "web/accounts.h"

namespace left4me::web {
namespace {

constexpr const char* kSelect =
    "SELECT s.id, s.name, s.owner_id, u.name, s.blueprint_id, b.name, b.version, s.port, s.state, "
    "s.applied_blueprint_id, s.applied_version, s.created_at, s.instance, s.owns_instance, sh.role, s.host_id, "
    "h.name FROM servers s JOIN users u ON u.id = s.owner_id JOIN blueprints b ON b.id = s.blueprint_id "
    "JOIN hosts h ON h.id = s.host_id "
    "LEFT JOIN server_shares sh ON sh.server_id = s.id AND sh.user_id = ?";  // the viewer's share: parameter 1

// Who sees a server: its owner, administrators, and the users it is shared with. Binds (user_id, admin) as
// parameters 2 and 3.
constexpr const char* kVisible = "(s.owner_id = ? OR ? = 1 OR sh.user_id IS NOT NULL)";

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
  // A state this binary does not know (written by a newer one) is the host's business: unknown here.
  server.recorded_state = parse_server_state(statement.column_text(8)).value_or(ServerState::kUnknown);
  server.applied_blueprint_id = statement.column_optional_int(9);
  server.applied_version = statement.column_optional_int(10);
  server.created_at = statement.column_int(11);
  server.instance = statement.column_text(12);
  server.owns_instance = statement.column_int(13) != 0;
  // A role this binary does not know (written by a newer one) grants nothing here.
  if (!statement.column_is_null(14)) server.viewer_share = parse_share_role(statement.column_text(14));
  server.host_id = statement.column_int(15);
  server.host_name = statement.column_text(16);
  return server;
}

Result<std::vector<Server>> select_many(Database::Lock& lock, const std::string& where, const Scope* scope) {
  auto select = lock.prepare(fmt::format("{} {} ORDER BY s.name", kSelect, where));
  if (!select) return select.error();
  select->bind(1, scope != nullptr ? scope->user_id : 0);
  if (scope != nullptr) select->bind(2, scope->user_id).bind(3, scope->admin ? 1 : 0);
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
  auto select = lock.prepare(fmt::format("{} WHERE {} AND s.id = ?", kSelect, kVisible));
  if (!select) return select.error();
  select->bind(1, scope.user_id).bind(2, scope.user_id).bind(3, scope.admin ? 1 : 0).bind(4, id);
  Result<bool> row = select->step();
  if (!row) return row.error();
  if (!*row) return Error::not_found(fmt::format("server {} not found", id));
  return read_server(*select);
}

Status check_blueprint_owner(Database::Lock& lock, std::int64_t blueprint_id, std::int64_t owner_id) {
  // A user being deleted gets no new server: their removal waits for the ones they have.
  auto select = lock.prepare(
      "SELECT 1 FROM blueprints b JOIN users u ON u.id = b.owner_id WHERE b.id = ? AND b.owner_id = ? AND "
      "u.deleting = 0");
  if (!select) return select.error();
  select->bind(1, blueprint_id).bind(2, owner_id);
  Result<bool> row = select->step();
  if (!row) return row.error();
  if (!*row) return Error::not_found(fmt::format("blueprint {} not found", blueprint_id));
  return ok_status();
}

// Whether the query (one text parameter) finds a row.
Result<bool> exists(Database::Lock& lock, std::string_view sql, std::string_view value) {
  auto select = lock.prepare(sql);
  if (!select) return select.error();
  select->bind(1, value);
  return select->step();
}

// The lowest port of the host's range no server of that host uses; preferred instead when it is in the range and
// free.
Result<int> free_port(Database::Lock& lock, std::int64_t host_id, const PortRange& ports,
                      std::optional<int> preferred) {
  if (preferred && *preferred >= ports.start && *preferred <= ports.end) {
    auto taken = lock.prepare("SELECT 1 FROM servers WHERE host_id = ? AND port = ?");
    if (!taken) return taken.error();
    taken->bind(1, host_id).bind(2, *preferred);
    Result<bool> row = taken->step();
    if (!row) return row.error();
    if (!*row) return *preferred;
  }
  auto used = lock.prepare("SELECT port FROM servers WHERE host_id = ? AND port BETWEEN ? AND ? ORDER BY port");
  if (!used) return used.error();
  used->bind(1, host_id).bind(2, ports.start).bind(3, ports.end);
  // Ports in ascending order: the first gap is the lowest free port.
  int port = ports.start;
  for (;;) {
    Result<bool> row = used->step();
    if (!row) return row.error();
    if (!*row || used->column_int(0) != port) break;
    ++port;
  }
  if (port > ports.end) {
    return Error::unavailable(fmt::format("no free port: all {} ports in {}..{} are taken by servers",
                                          ports.end - ports.start + 1, ports.start, ports.end));
  }
  return port;
}

// The id a new server gets: the one after the highest, as SQLite would choose, passing over ids whose
// derived instance name an adopted server holds already.
Result<std::int64_t> next_server_id(Database::Lock& lock) {
  auto highest = lock.prepare("SELECT coalesce(max(id), 0) FROM servers");
  if (!highest) return highest.error();
  Result<bool> row = highest->step();
  if (!row) return row.error();
  for (std::int64_t id = highest->column_int(0) + 1;; ++id) {
    Result<bool> taken = exists(lock, "SELECT 1 FROM servers WHERE instance = ?", instance_name_for(id));
    if (!taken) return taken.error();
    if (!*taken) return id;
  }
}

struct NewServer {
  std::optional<std::int64_t> id;  // SQLite's choice when absent
  std::string name;
  std::string instance;
  bool owns_instance = false;
  std::int64_t owner_id = 0;
  std::int64_t blueprint_id = 0;
  std::int64_t host_id = kLocalHostId;
  int port = 0;
};

Result<Server> insert_server(Database::Lock& lock, const NewServer& row) {
  auto same_name = lock.prepare(
      "SELECT u.name FROM servers s JOIN users u ON u.id = s.owner_id WHERE s.owner_id = ? "
      "AND s.name = ?");
  if (!same_name) return same_name.error();
  Result<bool> taken = same_name->bind(1, row.owner_id).bind(2, row.name).step();
  if (!taken) return taken.error();
  if (*taken) {
    // Names are the owner's own: another user's server of that name is no concern of this one.
    if (row.owns_instance) {  // adopted: an administrator acts for the owner
      return Error(ErrorCode::kAlreadyExists,
                   fmt::format("user '{}' already has a server named '{}'", same_name->column_text(0), row.name));
    }
    return Error(ErrorCode::kAlreadyExists, fmt::format("you already have a server named '{}'", row.name));
  }
  same_name->reset();
  auto insert = lock.prepare(
      "INSERT INTO servers (id, name, instance, owns_instance, owner_id, blueprint_id, port, state, created_at, "
      "host_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert) return insert.error();
  insert->bind(1, row.id).bind(2, row.name).bind(3, row.instance).bind(4, row.owns_instance ? 1 : 0);
  insert->bind(5, row.owner_id).bind(6, row.blueprint_id).bind(7, row.port);
  insert->bind(8, to_string(ServerState::kNew)).bind(9, unix_now()).bind(10, row.host_id);
  if (Status status = insert->run(); !status) return status.error();
  return select_one(lock, lock.last_insert_id(), Scope{row.owner_id, true});
}

// C0 and C1 controls, DEL, and the invisible controls of text direction (which can make a name read as another).
bool is_control(char32_t code) {
  return code < 0x20 || (code >= 0x7F && code <= 0x9F) || (code >= 0x200E && code <= 0x200F) ||
         (code >= 0x202A && code <= 0x202E) || (code >= 0x2066 && code <= 0x2069) || code == 0x2028 || code == 0x2029;
}

}  // namespace

// Says what is wrong with this name only: the rule itself is stated once, beside the field (the page's hint), and
// a name is never repeated (it may be long).
std::optional<std::string> check_server_name(const std::string& name) {
  if (!is_valid_utf8(name)) return "a server name must be UTF-8 text";
  std::size_t characters = 0;
  for (std::size_t at = 0; at < name.size(); ++characters) {
    auto lead = static_cast<unsigned char>(name[at]);
    std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    char32_t code = length == 1 ? lead : lead & (0x3F >> (length - 1));
    for (std::size_t i = 1; i < length; ++i) code = (code << 6) | (static_cast<unsigned char>(name[at + i]) & 0x3F);
    at += length;
    if (is_control(code)) {
      return fmt::format("a server name may not contain control characters (U+{:04X} at character {})",
                         static_cast<std::uint32_t>(code), characters + 1);
    }
  }
  if (characters == 0 || trim(name).empty()) return "a server name must not be empty";
  if (characters > kMaxServerNameCharacters) {
    return fmt::format("a server name has at most {} characters (this one has {})", kMaxServerNameCharacters,
                       characters);
  }
  if (name.front() == ' ' || name.back() == ' ') return "a server name may not start or end with a space";
  return std::nullopt;
}

std::string instance_name_for(std::int64_t id) { return fmt::format("web-{}", id); }

Result<Server> Servers::create(std::int64_t owner_id, const std::string& name, std::int64_t blueprint_id,
                               const ServerPlacement& placement) {
  if (auto problem = check_server_name(name)) return Error::invalid(*problem);
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Database::Lock& lock = (*transaction)->lock();
  if (Status status = check_blueprint_owner(lock, blueprint_id, owner_id); !status) return status.error();
  if (Status status = check_limit(lock, owner_id, Owned::kServers, limits_); !status) return status.error();
  Result<Host> host = choose_host(lock, placement.host, placement.unreachable, ports_);
  if (!host) return host.error();
  Result<int> port = free_port(lock, host->id, host->ports, std::nullopt);
  if (!port) return port.error();
  Result<std::int64_t> id = next_server_id(lock);
  if (!id) return id.error();
  Result<Server> server =
      insert_server(lock, NewServer{*id, name, instance_name_for(*id), false, owner_id, blueprint_id, host->id, *port});
  if (!server) return server.error();
  if (Status status = (*transaction)->commit(); !status) return status.error();
  return server;
}

Result<Server> Servers::adopt(const Adoption& adoption) {
  if (auto problem = check_server_name(adoption.name)) return Error::invalid(*problem);
  Result<model::InstanceName> instance = model::InstanceName::create(adoption.instance);
  if (!instance) return instance.error();
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Database::Lock& lock = (*transaction)->lock();
  auto holder = lock.prepare("SELECT name FROM servers WHERE instance = ?");
  if (!holder) return holder.error();
  holder->bind(1, adoption.instance);
  Result<bool> held = holder->step();
  if (!held) return held.error();
  if (*held) {
    return Error(ErrorCode::kAlreadyExists,
                 fmt::format("instance '{}' is already the server '{}''s", adoption.instance, holder->column_text(0)));
  }
  if (Status status = check_blueprint_owner(lock, adoption.blueprint_id, adoption.owner_id); !status) {
    if (status.error().code() != ErrorCode::kNotFound) return status.error();
    return Error::not_found(
        fmt::format("blueprint {} is not a blueprint of user {}", adoption.blueprint_id, adoption.owner_id));
  }
  Result<int> port = free_port(lock, kLocalHostId, ports_, adoption.current_port);
  if (!port) return port.error();
  Result<Server> server = insert_server(lock, NewServer{std::nullopt, adoption.name, adoption.instance, true,
                                                        adoption.owner_id, adoption.blueprint_id, kLocalHostId, *port});
  if (!server) return server.error();
  if (Status status = (*transaction)->commit(); !status) return status.error();
  return server;
}

Status Servers::claim_instance(std::int64_t id) {
  Database::Lock lock(database_);
  auto update = lock.prepare("UPDATE servers SET owns_instance = 1 WHERE id = ?");
  if (!update) return update.error();
  return update->bind(1, id).run();
}

Result<Server> Servers::get(std::int64_t id, const Scope& scope) {
  Database::Lock lock(database_, LockMode::kRead);
  return select_one(lock, id, scope);
}

Result<std::vector<Server>> Servers::list(const Scope& scope) {
  Database::Lock lock(database_, LockMode::kRead);
  return select_many(lock, "WHERE (s.owner_id = ? OR ? = 1)", &scope);
}

Result<std::vector<Server>> Servers::list_visible(const Scope& scope) {
  Database::Lock lock(database_, LockMode::kRead);
  return select_many(lock, fmt::format("WHERE {}", kVisible), &scope);
}

Result<std::vector<Server>> Servers::list_all() {
  Database::Lock lock(database_, LockMode::kRead);
  return select_many(lock, "", nullptr);
}

Result<std::vector<std::string>> Servers::instances_on(std::int64_t host_id) {
  Database::Lock lock(database_, LockMode::kRead);
  auto select = lock.prepare("SELECT instance FROM servers WHERE host_id = ? AND owns_instance = 1");
  if (!select) return select.error();
  select->bind(1, host_id);
  std::vector<std::string> instances;
  for (;;) {
    Result<bool> row = select->step();
    if (!row) return row.error();
    if (!*row) return instances;
    instances.push_back(select->column_text(0));
  }
}

Result<Server> Servers::reassign(std::int64_t id, const Scope& scope, std::int64_t blueprint_id) {
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Database::Lock& lock = (*transaction)->lock();
  Result<Server> server = select_one(lock, id, scope);
  if (!server) return server.error();
  if (Status status = check_blueprint_owner(lock, blueprint_id, server->owner_id); !status) {
    // The server was found: what is not is the blueprint the caller named.
    if (status.error().code() == ErrorCode::kNotFound) return Error::invalid(status.error().message());
    return status.error();
  }
  auto update = lock.prepare("UPDATE servers SET blueprint_id = ? WHERE id = ?");
  if (!update) return update.error();
  if (Status status = update->bind(1, blueprint_id).bind(2, id).run(); !status) return status.error();
  Result<Server> updated = select_one(lock, id, scope);
  if (!updated) return updated.error();
  if (Status status = (*transaction)->commit(); !status) return status.error();
  return updated;
}

Status Servers::record_state(std::int64_t id, ServerState state) {
  Database::Lock lock(database_);
  auto update = lock.prepare("UPDATE servers SET state = ? WHERE id = ?");
  if (!update) return update.error();
  return update->bind(1, to_string(state)).bind(2, id).run();
}

Status Servers::mark_applied(std::int64_t id, std::int64_t blueprint_id, std::int64_t version) {
  Database::Lock lock(database_);
  auto update = lock.prepare("UPDATE servers SET applied_blueprint_id = ?, applied_version = ? WHERE id = ?");
  if (!update) return update.error();
  return update->bind(1, blueprint_id).bind(2, version).bind(3, id).run();
}

Result<std::optional<RemovedUser>> Servers::remove(std::int64_t id) {
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Database::Lock& lock = (*transaction)->lock();
  auto owner = lock.prepare("SELECT owner_id FROM servers WHERE id = ?");
  if (!owner) return owner.error();
  Result<bool> found = owner->bind(1, id).step();
  if (!found) return found.error();
  if (!*found) return Error::not_found(fmt::format("server {} not found", id));
  std::int64_t owner_id = owner->column_int(0);
  owner->reset();
  auto remove = lock.prepare("DELETE FROM servers WHERE id = ?");
  if (!remove) return remove.error();
  if (Status status = remove->bind(1, id).run(); !status) return status.error();
  // The last server of a user being deleted: the user goes with it.
  Result<std::optional<RemovedUser>> gone = remove_user_if_emptied(lock, owner_id);
  if (!gone) return gone.error();
  if (Status status = (*transaction)->commit(); !status) return status.error();
  return gone;
}

}  // namespace left4me::web
