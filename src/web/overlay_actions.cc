#include "web/overlay_actions.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "base/log.h"
#include "web/managed_overlays.h"
#include "web/overlay_directories.h"

namespace left4me::web {
namespace {

// The owner's name, looked up once per owner for a list.
Result<std::optional<std::string>> owner_name(App& app, const Overlay& overlay,
                                              std::map<std::int64_t, std::string>& names) {
  if (!overlay.owner_id) return std::optional<std::string>();
  auto known = names.find(*overlay.owner_id);
  if (known != names.end()) return std::optional<std::string>(known->second);
  Result<std::optional<User>> user = app.accounts->find_user(*overlay.owner_id);
  if (!user) return user.error();
  std::string name = *user ? (*user)->name : fmt::format("user {}", *overlay.owner_id);
  names[*overlay.owner_id] = name;
  return std::optional<std::string>(name);
}

Result<OverlayDescription> describe(App& app, const Scope& scope, const Overlay& overlay,
                                    std::map<std::int64_t, std::string>& names) {
  OverlayDescription out{overlay, std::nullopt, {}, may_change_overlay(overlay, scope)};
  Result<std::optional<std::string>> owner = owner_name(app, overlay, names);
  if (!owner) return owner.error();
  out.owner = std::move(*owner);
  Result<std::vector<OverlayUser>> users = app.overlays->users(overlay.id);
  if (!users) return users.error();
  // A global overlay's users include other users' blueprints, which the viewer must not learn of.
  for (OverlayUser& user : *users) {
    if (scope.admin || user.owner_id == scope.user_id) out.used_by.push_back(std::move(user));
  }
  return out;
}

}  // namespace

Result<Overlay> create_overlay(App& app, const Scope& scope, const std::string& name, OverlayKind kind, bool global) {
  if (global && !scope.admin) {
    return Error(ErrorCode::kPermissionDenied, "only administrators create global overlays");
  }
  Result<Overlay> overlay =
      app.overlays->create(global ? std::nullopt : std::optional<std::int64_t>(scope.user_id), name, kind);
  if (!overlay) return overlay.error();
  if (Status made = make_overlay_directory(app.config, *overlay); !made) {
    (void)app.overlays->remove(overlay->id, scope);
    return made.error();
  }
  return overlay;
}

Result<Overlay> delete_overlay(App& app, const Scope& scope, std::int64_t id) {
  Result<Overlay> removed = app.overlays->remove(id, scope);
  if (!removed) return removed.error();
  remove_overlay_directory(host_root(app.config), removed->directory);
  // A managed overlay's uploaded source archive, kept for its refreshes, goes with it.
  std::string source = managed_upload_path(managed_sources_dir(app.config.data_dir), removed->id);
  if (::unlink(source.c_str()) != 0 && errno != ENOENT) {
    log::error("source archive {} not removed: {}", source, std::strerror(errno));
  }
  return removed;
}

Result<OverlayDescription> describe_overlay(App& app, const Scope& scope, const Overlay& overlay) {
  std::map<std::int64_t, std::string> names;
  return describe(app, scope, overlay, names);
}

Result<std::vector<OverlayDescription>> describe_overlays(App& app, const Scope& scope) {
  Result<std::vector<Overlay>> overlays = app.overlays->list(scope);
  if (!overlays) return overlays.error();
  std::map<std::int64_t, std::string> names;
  std::vector<OverlayDescription> out;
  for (const Overlay& overlay : *overlays) {
    Result<OverlayDescription> described = describe(app, scope, overlay, names);
    if (!described) return described.error();
    out.push_back(std::move(*described));
  }
  return out;
}

}  // namespace left4me::web
