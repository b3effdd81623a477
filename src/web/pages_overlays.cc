// Pages for overlays: the list with the create form, and the overlay page (its facts, a section per kind that the
// kind's own code fills, rename and delete). Forms post the API's field names.
#include <fmt/format.h>

#include "web/handlers.h"
#include "web/overlay_actions.h"
#include "web/pages.h"
#include "web/responses.h"

namespace left4me::web::page {
namespace {

constexpr std::pair<OverlayKind, std::string_view> kKindTitles[] = {
    {OverlayKind::kFiles, "Files (uploads)"},
    {OverlayKind::kWorkshop, "Steam Workshop items"},
    {OverlayKind::kManaged, "Managed (refreshed from a source)"},
    {OverlayKind::kScript, "Script (built in a sandbox)"},
};

nlohmann::json overlay_view(const OverlayDescription& described) {
  const Overlay& overlay = described.overlay;
  nlohmann::json used_by = nlohmann::json::array();
  for (const OverlayUser& user : described.used_by) {
    used_by.push_back({{"id", user.blueprint_id}, {"name", user.blueprint_name}});
  }
  return {{"id", overlay.id},
          {"name", overlay.name},
          {"kind", overlay_kind_name(overlay.kind)},
          {"global", overlay.global()},
          {"owner", described.owner.value_or("")},
          {"directory", overlay.directory},
          {"size", format_bytes(static_cast<double>(overlay.size_bytes))},
          {"used_by", used_by},
          {"may_change", described.may_change}};
}

// The data of the kind's own section (templates/_overlay_<kind>.mustache), under the key "section".
nlohmann::json overlay_kind_section(App& app, Context& context, const Overlay& overlay) {
  if (overlay.kind == OverlayKind::kManaged && context.user().is_admin) {
    return managed_section_view(app, context, overlay);
  }
  if (overlay.kind == OverlayKind::kScript) return script_section_view(app, context, overlay);
  if (overlay.kind == OverlayKind::kWorkshop) {
    Result<std::string> html = render_workshop_section(app, context, overlay);
    if (html) return {{"html", *html}};
  }
  return nlohmann::json::object();
}

struct ListForm {
  std::string name;
  std::string kind = "files";
  bool global = false;
  std::string error;
};

Response list_page(App& app, Context& context, int status, const ListForm& form) {
  Result<std::vector<OverlayDescription>> overlays = describe_overlays(app, context.scope());
  if (!overlays) return error_from(overlays.error());
  nlohmann::json list = nlohmann::json::array();
  for (const OverlayDescription& overlay : *overlays) list.push_back(overlay_view(overlay));
  nlohmann::json kinds = nlohmann::json::array();
  for (const auto& [kind, title] : kKindTitles) {
    kinds.push_back(
        {{"kind", overlay_kind_name(kind)}, {"title", title}, {"selected", overlay_kind_name(kind) == form.kind}});
  }
  nlohmann::json view = base_view(context, "Overlays", "overlays");
  view["overlays"] = list;
  view["has_overlays"] = !list.empty();
  view["kinds"] = kinds;
  view["is_admin"] = context.user().is_admin;
  view["form_name"] = form.name;
  view["form_global"] = form.global;
  if (!form.error.empty()) view["form_error"] = form.error;
  return html_page(status, "overlays", view);
}

struct PageErrors {
  std::string rename;
  std::string remove;
};

Response overlay_page(App& app, Context& context, int status, const Overlay& overlay, const std::string& form_name,
                      const PageErrors& errors) {
  Result<OverlayDescription> described = describe_overlay(app, context.scope(), overlay);
  if (!described) return error_from(described.error());
  nlohmann::json shown = overlay_view(*described);
  std::string kind(overlay_kind_name(overlay.kind));
  shown["is_" + kind] = true;
  shown["section"] = overlay_kind_section(app, context, overlay);
  // Every kind's files may be browsed; a bad folder in ?path= is the page's 404/422, a missing tree no section.
  std::string path(context.request.query_param("path").value_or(""));
  Result<nlohmann::json> files = overlay_files_view(app, context, overlay, path);
  if (files) {
    shown["files"] = *files;
  } else if (!path.empty()) {
    return error_from(files.error());
  }
  shown["form_name"] = form_name;
  if (!errors.rename.empty()) shown["rename_error"] = errors.rename;
  if (!errors.remove.empty()) shown["delete_error"] = errors.remove;
  nlohmann::json view = base_view(context, "Overlay " + overlay.name, "overlays");
  view["overlay"] = shown;
  if (!errors.remove.empty()) view["error"] = "The overlay was not deleted.";
  return html_page(status, "overlay", view);
}

}  // namespace

Response overlays(App& app, Context& context) { return list_page(app, context, 200, ListForm{}); }

Response create_overlay(App& app, Context& context) {
  Form form(context.request);
  ListForm typed{form.get("name"), form.get("kind"), form.get("global") == "true", ""};
  std::optional<OverlayKind> kind = parse_overlay_kind(typed.kind);
  if (!kind) {
    typed.error = "kind must be files, workshop, managed or script";
    return list_page(app, context, 422, typed);
  }
  Result<Overlay> created = web::create_overlay(app, context.scope(), typed.name, *kind, typed.global);
  if (!created) {
    ErrorCode code = created.error().code();
    if (code != ErrorCode::kInvalidArgument && code != ErrorCode::kAlreadyExists &&
        code != ErrorCode::kPermissionDenied) {
      return error_from(created.error());
    }
    typed.error = created.error().message();
    return list_page(app, context, code == ErrorCode::kPermissionDenied ? 403 : 422, typed);
  }
  return redirect(fmt::format("/overlays/{}?notice=overlay_created", created->id));
}

Response show_overlay(App& app, Context& context, const Overlay& overlay) {
  return overlay_page(app, context, 200, overlay, overlay.name, PageErrors{});
}

Response rename_overlay(App& app, Context& context, const Overlay& overlay) {
  std::string name = Form(context.request).get("name");
  Result<Overlay> renamed = app.overlays->rename(overlay.id, context.scope(), name);
  if (!renamed) {
    ErrorCode code = renamed.error().code();
    if (code != ErrorCode::kInvalidArgument && code != ErrorCode::kAlreadyExists) return error_from(renamed.error());
    return overlay_page(app, context, 422, overlay, name, PageErrors{renamed.error().message(), ""});
  }
  return redirect(fmt::format("/overlays/{}?notice=overlay_renamed", overlay.id));
}

Response delete_overlay(App& app, Context& context, const Overlay& overlay) {
  Result<Overlay> removed = web::delete_overlay(app, context.scope(), overlay.id);
  if (!removed && removed.error().code() == ErrorCode::kAlreadyExists) {  // blueprints stack it: the refusal names them
    return overlay_page(app, context, 409, overlay, overlay.name, PageErrors{"", removed.error().message()});
  }
  if (!removed) return error_from(removed.error());
  return redirect("/overlays?notice=overlay_deleted");
}

}  // namespace left4me::web::page
