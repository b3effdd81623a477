// Overlays as records: a directory under overlays/ that blueprints stack above the game installation, owned by a
// user (private) or global (owner_id NULL: made by an administrator, usable by everyone, changed only by
// administrators). What fills the directory depends on the kind (uploaded files, Workshop items, a managed
// source, a build script). Blueprints refer to overlays by their directory (the spec's overlay refs), and the
// table blueprint_overlays records which blueprint stacks which overlay, so a delete can name its users.
// Thread-safe (through Database).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "web/database.h"
#include "web/scope.h"

namespace left4me::web {

enum class OverlayKind { kFiles, kWorkshop, kManaged, kScript };

// "files", "workshop", "managed", "script": the database and the API spell kinds so.
std::string_view overlay_kind_name(OverlayKind kind);
std::optional<OverlayKind> parse_overlay_kind(std::string_view name);

struct Overlay {
  std::int64_t id = 0;
  std::optional<std::int64_t> owner_id;  // nullopt: a global overlay
  std::string name;
  OverlayKind kind = OverlayKind::kFiles;
  // The directory under overlays/ and the spec's ref: the id in decimal, or the name an adopted overlay had
  // before overlays were records (its directory stays where servers' instance.env files name it).
  std::string directory;
  std::int64_t size_bytes = 0;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;

  bool global() const { return !owner_id.has_value(); }
};

struct OverlayUser {  // a blueprint stacking an overlay
  std::int64_t blueprint_id = 0;
  std::string blueprint_name;
  std::int64_t owner_id = 0;
};

// Whether scope may change (rename, fill, delete) an overlay: its owner, or an administrator.
bool may_change_overlay(const Overlay& overlay, const Scope& scope);

// 1-100 characters, no control characters; nullopt when fine.
std::optional<std::string> check_overlay_name(const std::string& name);

class Overlays {
 public:
  explicit Overlays(Database& database) : database_(database) {}

  // owner nullopt makes a global overlay (the caller checks that an administrator asks). Names are unique per
  // owner and among globals (kAlreadyExists).
  Result<Overlay> create(std::optional<std::int64_t> owner_id, const std::string& name, OverlayKind kind);
  // The overlays scope may use: its own and the global ones (an administrator's scope: all). kNotFound otherwise.
  Result<Overlay> get(std::int64_t id, const Scope& scope);
  Result<std::vector<Overlay>> list(const Scope& scope);
  // kPermissionDenied for a global overlay and a user who is no administrator; kNotFound outside the scope.
  Result<Overlay> rename(std::int64_t id, const Scope& scope, const std::string& name);
  // Removes the record; refused (kAlreadyExists, naming them) while blueprints stack the overlay. The caller
  // removes the directory afterwards.
  Result<Overlay> remove(std::int64_t id, const Scope& scope);
  Status set_size(std::int64_t id, std::int64_t size_bytes);
  Result<std::vector<OverlayUser>> users(std::int64_t id);
  // The record whose directory is ref, whoever owns it (kNotFound when none).
  Result<Overlay> by_directory(const std::string& ref);
  // The record for ref (an overlay named before overlays were records): found by directory, or created as a
  // files overlay of owner_id named ref.
  Result<Overlay> adopt(std::int64_t owner_id, const std::string& ref);

  // For the blueprint store's transaction: replaces the overlays blueprint_id stacks, in order (top first).
  static Status set_blueprint_overlays(Database::Lock& lock, std::int64_t blueprint_id,
                                       const std::vector<std::int64_t>& overlay_ids);

 private:
  Database& database_;
};

}  // namespace left4me::web
