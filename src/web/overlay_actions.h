// What the API and the pages do with overlays beyond the store: creating and deleting the record together with its
// directory, and describing overlays for a viewer (the owner's name, the blueprints stacking it that the viewer may
// see). Thread-safe as App is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "web/app.h"
#include "web/overlays.h"
#include "web/scope.h"

namespace left4me::web {

struct OverlayDescription {
  Overlay overlay;
  std::optional<std::string> owner;  // the owner's name; nullopt for a global overlay
  std::vector<OverlayUser> used_by;  // the blueprints stacking it, of those the viewer may see
  bool may_change = false;           // may_change_overlay for the viewer
};

// Creates the record (global only when asked by an administrator: kPermissionDenied otherwise) and its directory;
// when the directory cannot be made the record is removed again and the error returned.
Result<Overlay> create_overlay(App& app, const Scope& scope, const std::string& name, OverlayKind kind, bool global);
// Removes the record (refused while blueprints stack it, naming them), then its directory (a failure logged).
Result<Overlay> delete_overlay(App& app, const Scope& scope, std::int64_t id);
Result<OverlayDescription> describe_overlay(App& app, const Scope& scope, const Overlay& overlay);
// Every overlay scope may use, described.
Result<std::vector<OverlayDescription>> describe_overlays(App& app, const Scope& scope);

}  // namespace left4me::web
