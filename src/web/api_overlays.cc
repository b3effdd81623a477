// API routes for overlays: list the usable ones, create, read, rename and delete (docs/api.md, "Overlays").
#include "web/api_objects.h"
#include "web/handlers.h"
#include "web/overlay_actions.h"

namespace left4me::web::api {
namespace {

Response described(App& app, Context& context, const Overlay& overlay, int status) {
  Result<OverlayDescription> description = describe_overlay(app, context.scope(), overlay);
  if (!description) return error_from(description.error());
  return json_response(status, {{"overlay", overlay_json(*description)}});
}

}  // namespace

Response list_overlays(App& app, Context& context) {
  Result<std::vector<OverlayDescription>> overlays = describe_overlays(app, context.scope());
  if (!overlays) return error_from(overlays.error());
  nlohmann::json list = nlohmann::json::array();
  for (const OverlayDescription& overlay : *overlays) list.push_back(overlay_json(overlay));
  return json_response(200, {{"overlays", list}});
}

Response create_overlay(App& app, Context& context) {
  Result<nlohmann::json> body = parse_body(context.request);
  if (!body) return bad_body(body.error());
  std::string name = string_field(*body, "name").value_or("");
  if (auto problem = check_overlay_name(name)) return error_response(422, "invalid", *problem, "name");
  std::optional<OverlayKind> kind = parse_overlay_kind(string_field(*body, "kind").value_or("files"));
  if (!kind) return error_response(422, "invalid", "kind must be files, workshop, managed or script", "kind");
  if (body->contains("global") && !(*body)["global"].is_boolean()) {
    return error_response(422, "invalid", "global must be true or false", "global");
  }
  bool global = bool_field(*body, "global").value_or(false);
  Result<Overlay> overlay = web::create_overlay(app, context.scope(), name, *kind, global);
  if (!overlay) {
    return error_from(overlay.error(), overlay.error().code() == ErrorCode::kPermissionDenied ? "global" : "name");
  }
  return described(app, context, *overlay, 201);
}

Response get_overlay(App& app, Context& context, const Overlay& overlay) {
  return described(app, context, overlay, 200);
}

Response rename_overlay(App& app, Context& context, const Overlay& overlay) {
  Result<nlohmann::json> body = parse_body(context.request);
  if (!body) return bad_body(body.error());
  std::optional<std::string> name = string_field(*body, "name");
  if (!name) return error_response(422, "invalid", "name is required", "name");
  Result<Overlay> renamed = app.overlays->rename(overlay.id, context.scope(), *name);
  if (!renamed) return error_from(renamed.error(), "name");
  return described(app, context, *renamed, 200);
}

Response delete_overlay(App& app, Context& context, const Overlay& overlay) {
  Result<Overlay> removed = web::delete_overlay(app, context.scope(), overlay.id);
  if (!removed) return error_from(removed.error());
  return json_response(200, {{"deleted", overlay.id}});
}

}  // namespace left4me::web::api
