// A blueprint's overlays: picked by id (API and form) from the ones its owner may use, stored in the spec as the
// records' directories (the host's overlay refs, docs/spec.md) and in blueprint_overlays by id. Thread-safe as
// Overlays is.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "model/spec.h"
#include "web/accounts.h"
#include "web/blueprints.h"
#include "web/database.h"
#include "web/overlays.h"
#include "web/scope.h"

namespace left4me::web {

struct PickedOverlays {
  std::vector<std::int64_t> ids;          // in order, top first
  std::vector<std::string> refs;          // their directories, the spec's overlay refs
  std::vector<model::FieldError> errors;  // "overlays[i]": not an id, unknown to the owner, given twice
};

// The overlays of ids (JSON numbers as the API takes them, or decimal text from a form) that owner may use.
PickedOverlays pick_overlays(Overlays& overlays, const Scope& owner, const nlohmann::json& ids);
// The same for a spec's refs (a spec given as YAML): each must be the directory of an overlay owner may use.
PickedOverlays pick_overlay_refs(Overlays& overlays, const Scope& owner, const std::vector<std::string>& refs);

// The scope a blueprint's overlays are picked in: its owner's (an administrator's: every overlay).
Result<Scope> owner_scope(Accounts& accounts, std::int64_t owner_id);

// Adoption of overlays named before overlays were records (at start-up): every ref of every blueprint's spec gets its
// record (Overlays::adopt, owned by the blueprint's owner) and the blueprint its blueprint_overlays rows. Idempotent:
// an adopted ref is found by its directory. Returns how many blueprints had overlays.
Result<int> adopt_blueprint_overlays(Database& database, Blueprints& blueprints, Overlays& overlays);

// The spec's overlays as the API shows them: [{id, name, global}] in order (id null for a ref without a record).
nlohmann::json stacked_overlays_json(Overlays& overlays, const std::vector<std::string>& refs);

}  // namespace left4me::web
