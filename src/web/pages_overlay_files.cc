// The overlay page's file section (templates/_overlay_files.mustache, its uploads and deletes in
// static/overlay_files.js) and the config editor's page (templates/overlay_edit.mustache).
#include <fmt/format.h>

#include "web/handlers.h"
#include "web/overlay_files.h"
#include "web/overlay_quota.h"
#include "web/pages.h"

namespace left4me::web {
namespace {

std::string overlay_href(const Overlay& overlay, const std::string& path) {
  std::string href = "/overlays/" + std::to_string(overlay.id);
  return path.empty() ? href : href + "?path=" + url_encode(path);
}

std::string edit_href(const Overlay& overlay, const std::string& path) {
  return "/overlays/" + std::to_string(overlay.id) + "/edit?path=" + url_encode(path);
}

std::string parent_of(const std::string& path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

nlohmann::json crumbs_of(const Overlay& overlay, const std::string& path) {
  nlohmann::json crumbs = nlohmann::json::array({{{"name", overlay.name}, {"href", overlay_href(overlay, "")}}});
  std::size_t start = 0;
  while (!path.empty() && start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    crumbs.push_back(
        {{"name", path.substr(start, slash - start)}, {"href", overlay_href(overlay, path.substr(0, slash))}});
    start = slash + 1;
  }
  return crumbs;
}

// The quota line: what the owner's overlays use of what they may.
Result<std::string> quota_text(App& app, const Overlay& overlay) {
  if (overlay.global()) return std::string("a global overlay counts toward nobody's quota");
  Result<OverlayQuota> quota = overlay_quota(*app.database, *overlay.owner_id, app.config.overlay_quota_bytes);
  if (!quota) return quota.error();
  if (!quota->limit) return std::string();
  return fmt::format("the owner's overlays use {} of {}", format_bytes(static_cast<double>(quota->used)),
                     format_bytes(static_cast<double>(*quota->limit)));
}

}  // namespace

Result<nlohmann::json> overlay_files_view(App& app, const Context& context, const Overlay& overlay,
                                          const std::string& requested) {
  Result<std::string> path = check_overlay_path(requested);
  if (!path) return path.error();
  Result<std::vector<OverlayEntry>> entries = list_overlay_directory(overlay_directory(app.config, overlay), *path);
  if (!entries) return entries.error();
  bool may_change = may_change_overlay(overlay, context.scope()) && overlay.kind == OverlayKind::kFiles;
  nlohmann::json rows = nlohmann::json::array();
  for (const OverlayEntry& entry : *entries) {
    std::string entry_path = path->empty() ? entry.name : *path + "/" + entry.name;
    nlohmann::json row = {{"name", entry.name},
                          {"entry_path", entry_path},
                          {"directory", entry.directory},
                          {"size_text", entry.directory ? "" : format_bytes(static_cast<double>(entry.size))},
                          {"browse_href", overlay_href(overlay, entry_path)},
                          {"download_href", "/api/v1/overlays/" + std::to_string(overlay.id) +
                                                "/download?path=" + url_encode(entry_path)},
                          {"may_change", may_change}};
    if (!entry.directory && is_editable_path(entry_path)) row["edit_href"] = edit_href(overlay, entry_path);
    rows.push_back(std::move(row));
  }
  Result<std::string> quota = quota_text(app, overlay);
  if (!quota) return quota.error();
  return nlohmann::json{{"overlay_id", overlay.id},
                        {"path", *path},
                        {"crumbs", crumbs_of(overlay, *path)},
                        {"entries", std::move(rows)},
                        {"size_text", format_bytes(static_cast<double>(overlay.size_bytes))},
                        {"quota_text", *quota},
                        {"may_change", may_change},
                        {"chunk_bytes", app.config.upload_chunk_bytes},
                        {"new_cfg_href", edit_href(overlay, "left4dead2/cfg/")}};
}

}  // namespace left4me::web

namespace left4me::web::page {
namespace {

Response editor_page(Context& context, const Overlay& overlay, int status, const std::string& path,
                     const std::string& text, const std::string& error) {
  nlohmann::json view = base_view(context, overlay.name + ": edit", "overlays");
  view["edit"] = {{"overlay_id", overlay.id},
                  {"overlay_name", overlay.name},
                  {"path", path},
                  {"text", text},
                  {"csrf", view.value("csrf", "")},
                  {"may_change", may_change_overlay(overlay, context.scope()) && overlay.kind == OverlayKind::kFiles},
                  {"back_href", overlay_href(overlay, parent_of(path))}};
  if (!error.empty()) view["error"] = error;
  return html_page(status, "overlay_edit", view);
}

}  // namespace

Response edit_overlay_file(App& app, Context& context, const Overlay& overlay) {
  Result<std::string> path = check_overlay_path(context.request.query_param("path").value_or(""));
  if (!path) return error_from(path.error());
  if (!is_editable_path(*path)) return editor_page(context, overlay, 200, *path, "", "");
  Result<std::optional<std::string>> text = read_overlay_text(overlay_directory(app.config, overlay), *path);
  if (!text) return error_from(text.error());
  return editor_page(context, overlay, 200, *path, text->value_or(""), "");
}

Response save_overlay_file(App& app, Context& context, const Overlay& overlay) {
  Form form(context.request);
  std::string path = form.get("path");
  std::string text = form.get("text");
  Result<std::string> saved = save_overlay_text(app, context, overlay, path, text);
  if (!saved) {
    return editor_page(context, overlay, saved.error().code() == ErrorCode::kPermissionDenied ? 403 : 422, path, text,
                       saved.error().message());
  }
  return redirect(overlay_href(overlay, parent_of(*saved)), "/");
}

}  // namespace left4me::web::page
