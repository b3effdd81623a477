#include "web/overlays.h"

#include <fmt/format.h>

#include <array>

#include "web/accounts.h"

namespace left4me::web {
namespace {

constexpr std::array<std::pair<OverlayKind, std::string_view>, 4> kKindNames = {{
    {OverlayKind::kFiles, "files"},
    {OverlayKind::kWorkshop, "workshop"},
    {OverlayKind::kManaged, "managed"},
    {OverlayKind::kScript, "script"},
}};

constexpr const char* kColumns = "id, owner_id, name, kind, directory, size_bytes, created_at, updated_at";
// Own and global overlays; an administrator's scope sees all. Binds (user_id, admin).
constexpr const char* kUsable = "(owner_id IS NULL OR owner_id = ? OR ? = 1)";

Overlay read_overlay(const Statement& statement) {
  Overlay overlay;
  overlay.id = statement.column_int(0);
  overlay.owner_id = statement.column_optional_int(1);
  overlay.name = statement.column_text(2);
  overlay.kind = parse_overlay_kind(statement.column_text(3)).value_or(OverlayKind::kFiles);
  overlay.directory = statement.column_is_null(4) ? std::to_string(overlay.id) : statement.column_text(4);
  overlay.size_bytes = statement.column_int(5);
  overlay.created_at = statement.column_int(6);
  overlay.updated_at = statement.column_int(7);
  return overlay;
}

Result<Overlay> select_one(Database::Lock& lock, std::int64_t id, const Scope& scope) {
  auto select = lock.prepare(fmt::format("SELECT {} FROM overlays WHERE id = ? AND {}", kColumns, kUsable));
  if (!select) return select.error();
  select->bind(1, id).bind(2, scope.user_id).bind(3, scope.admin ? 1 : 0);
  Result<bool> row = select->step();
  if (!row) return row.error();
  if (!*row) return Error::not_found(fmt::format("overlay {} not found", id));
  return read_overlay(*select);
}

// The overlay for a change by scope: kNotFound outside it, kPermissionDenied for a global one and a user.
Result<Overlay> select_changeable(Database::Lock& lock, std::int64_t id, const Scope& scope) {
  Result<Overlay> overlay = select_one(lock, id, scope);
  if (!overlay) return overlay.error();
  if (!may_change_overlay(*overlay, scope)) {
    return Error(ErrorCode::kPermissionDenied,
                 fmt::format("overlay '{}' is global: only administrators change it", overlay->name));
  }
  return overlay;
}

Result<std::vector<OverlayUser>> select_users(Database::Lock& lock, std::int64_t id) {
  auto select = lock.prepare(
      "SELECT DISTINCT b.id, b.name, b.owner_id FROM blueprint_overlays o JOIN blueprints b ON b.id = o.blueprint_id "
      "WHERE o.overlay_id = ? ORDER BY b.name, b.id");
  if (!select) return select.error();
  select->bind(1, id);
  std::vector<OverlayUser> users;
  for (;;) {
    Result<bool> row = select->step();
    if (!row) return row.error();
    if (!*row) break;
    users.push_back(OverlayUser{select->column_int(0), select->column_text(1), select->column_int(2)});
  }
  return users;
}

Error name_taken(const std::string& name, bool global) {
  return Error(ErrorCode::kAlreadyExists, global ? fmt::format("a global overlay named '{}' exists already", name)
                                                 : fmt::format("you already have an overlay named '{}'", name));
}

Result<Overlay> insert(Database::Lock& lock, std::optional<std::int64_t> owner_id, const std::string& name,
                       OverlayKind kind, std::optional<std::string> directory) {
  auto statement = lock.prepare(
      "INSERT INTO overlays (owner_id, name, kind, directory, size_bytes, created_at, updated_at) "
      "VALUES (?, ?, ?, ?, 0, ?, ?)");
  if (!statement) return statement.error();
  std::int64_t now = unix_now();
  statement->bind(1, owner_id)
      .bind(2, name)
      .bind(3, overlay_kind_name(kind))
      .bind(4, directory)
      .bind(5, now)
      .bind(6, now);
  if (Status status = statement->run(); !status) {
    if (status.error().code() == ErrorCode::kAlreadyExists) return name_taken(name, !owner_id);
    return status.error();
  }
  std::int64_t id = lock.last_insert_id();
  return Overlay{id, owner_id, name, kind, directory.value_or(std::to_string(id)), 0, now, now};
}

}  // namespace

std::string_view overlay_kind_name(OverlayKind kind) {
  for (const auto& [each, name] : kKindNames) {
    if (each == kind) return name;
  }
  return "files";
}

std::optional<OverlayKind> parse_overlay_kind(std::string_view name) {
  for (const auto& [kind, each] : kKindNames) {
    if (each == name) return kind;
  }
  return std::nullopt;
}

bool may_change_overlay(const Overlay& overlay, const Scope& scope) {
  return scope.admin || (overlay.owner_id && *overlay.owner_id == scope.user_id);
}

std::optional<std::string> check_overlay_name(const std::string& name) {
  if (name.empty() || name.size() > 100) return "name must have 1-100 characters";
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "name must not contain control characters";
  }
  return std::nullopt;
}

Result<Overlay> Overlays::create(std::optional<std::int64_t> owner_id, const std::string& name, OverlayKind kind) {
  if (auto problem = check_overlay_name(name)) return Error::invalid(*problem);
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Result<Overlay> overlay = insert((*transaction)->lock(), owner_id, name, kind, std::nullopt);
  if (!overlay) return overlay.error();
  if (Status status = (*transaction)->commit(); !status) return status.error();
  return overlay;
}

Result<Overlay> Overlays::get(std::int64_t id, const Scope& scope) {
  Database::Lock lock(database_, LockMode::kRead);
  return select_one(lock, id, scope);
}

Result<std::vector<Overlay>> Overlays::list(const Scope& scope) {
  Database::Lock lock(database_, LockMode::kRead);
  auto select = lock.prepare(
      fmt::format("SELECT {} FROM overlays WHERE {} ORDER BY owner_id IS NOT NULL, name, id", kColumns, kUsable));
  if (!select) return select.error();
  select->bind(1, scope.user_id).bind(2, scope.admin ? 1 : 0);
  std::vector<Overlay> overlays;
  for (;;) {
    Result<bool> row = select->step();
    if (!row) return row.error();
    if (!*row) break;
    overlays.push_back(read_overlay(*select));
  }
  return overlays;
}

Result<Overlay> Overlays::rename(std::int64_t id, const Scope& scope, const std::string& name) {
  if (auto problem = check_overlay_name(name)) return Error::invalid(*problem);
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Result<Overlay> overlay = select_changeable((*transaction)->lock(), id, scope);
  if (!overlay) return overlay.error();
  auto update = (*transaction)->prepare("UPDATE overlays SET name = ?, updated_at = ? WHERE id = ?");
  if (!update) return update.error();
  overlay->name = name;
  overlay->updated_at = unix_now();
  if (Status status = update->bind(1, name).bind(2, overlay->updated_at).bind(3, id).run(); !status) {
    if (status.error().code() == ErrorCode::kAlreadyExists) return name_taken(name, overlay->global());
    return status.error();
  }
  if (Status status = (*transaction)->commit(); !status) return status.error();
  return overlay;
}

Result<Overlay> Overlays::remove(std::int64_t id, const Scope& scope) {
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Database::Lock& lock = (*transaction)->lock();
  Result<Overlay> overlay = select_changeable(lock, id, scope);
  if (!overlay) return overlay.error();
  Result<std::vector<OverlayUser>> users = select_users(lock, id);
  if (!users) return users.error();
  if (!users->empty()) {
    std::string names;
    for (const OverlayUser& user : *users) names += (names.empty() ? "'" : ", '") + user.blueprint_name + "'";
    return Error(ErrorCode::kAlreadyExists,
                 fmt::format("overlay '{}' is used by {} blueprint(s): {}; remove it from them first", overlay->name,
                             users->size(), names));
  }
  auto remove = lock.prepare("DELETE FROM overlays WHERE id = ?");
  if (!remove) return remove.error();
  if (Status status = remove->bind(1, id).run(); !status) return status.error();
  if (Status status = (*transaction)->commit(); !status) return status.error();
  return overlay;
}

Status Overlays::set_size(std::int64_t id, std::int64_t size_bytes) {
  Database::Lock lock(database_);
  auto update = lock.prepare("UPDATE overlays SET size_bytes = ?, updated_at = ? WHERE id = ?");
  if (!update) return update.error();
  return update->bind(1, size_bytes).bind(2, unix_now()).bind(3, id).run();
}

Result<std::vector<OverlayUser>> Overlays::users(std::int64_t id) {
  Database::Lock lock(database_, LockMode::kRead);
  return select_users(lock, id);
}

Result<Overlay> Overlays::by_directory(const std::string& ref) {
  Database::Lock lock(database_, LockMode::kRead);
  auto select = lock.prepare(fmt::format(
      "SELECT {} FROM overlays WHERE directory = ? OR (directory IS NULL AND CAST(id AS TEXT) = ?)", kColumns));
  if (!select) return select.error();
  select->bind(1, ref).bind(2, ref);
  Result<bool> row = select->step();
  if (!row) return row.error();
  if (!*row) return Error::not_found(fmt::format("no overlay has the directory '{}'", ref));
  return read_overlay(*select);
}

Result<Overlay> Overlays::adopt(std::int64_t owner_id, const std::string& ref) {
  if (Result<Overlay> found = by_directory(ref); found || found.error().code() != ErrorCode::kNotFound) return found;
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  std::string name = ref.size() > 100 ? ref.substr(0, 100) : ref;
  Result<Overlay> overlay = insert((*transaction)->lock(), owner_id, name, OverlayKind::kFiles, ref);
  if (!overlay && overlay.error().code() == ErrorCode::kAlreadyExists) {
    // The owner has an overlay of that name already (with another directory): the adopted one says so.
    overlay = insert((*transaction)->lock(), owner_id, fmt::format("{} (adopted)", name), OverlayKind::kFiles, ref);
  }
  if (!overlay) return overlay.error();
  if (Status status = (*transaction)->commit(); !status) return status.error();
  return overlay;
}

Status Overlays::set_blueprint_overlays(Database::Lock& lock, std::int64_t blueprint_id,
                                        const std::vector<std::int64_t>& overlay_ids) {
  auto clear = lock.prepare("DELETE FROM blueprint_overlays WHERE blueprint_id = ?");
  if (!clear) return clear.error();
  if (Status status = clear->bind(1, blueprint_id).run(); !status) return status;
  auto add = lock.prepare("INSERT INTO blueprint_overlays (blueprint_id, position, overlay_id) VALUES (?, ?, ?)");
  if (!add) return add.error();
  for (std::size_t position = 0; position < overlay_ids.size(); ++position) {
    add->reset();
    add->bind(1, blueprint_id).bind(2, static_cast<std::int64_t>(position)).bind(3, overlay_ids[position]);
    if (Status status = add->run(); !status) return status;
  }
  return ok_status();
}

}  // namespace left4me::web
