// Workshop overlays' lists, over the API and in the overlay page's Workshop section: reading and replacing the ids,
// the items with their state and progress, and queuing a refresh (workshop_lists.h, workshop_refresh_job.h).
#include <fmt/format.h>

#include <algorithm>

#include "web/handlers.h"
#include "web/pages.h"

namespace left4me::web {
namespace {

// The overlay {id} named (the route opened it in the viewer's scope: 404 otherwise), which must be a Workshop
// overlay (409 otherwise); with Change::kYes also one the viewer may change (403 otherwise).
enum class Change { kNo, kYes };
Result<Overlay> open_workshop_overlay(const Overlay& opened, const Context& context, Change change) {
  const Overlay* overlay = &opened;
  if (overlay->kind != OverlayKind::kWorkshop) {
    return Error(ErrorCode::kAlreadyExists,
                 fmt::format("overlay '{}' is a {} overlay: only Workshop overlays have a Workshop list", overlay->name,
                             overlay_kind_name(overlay->kind)));
  }
  if (change == Change::kYes && !may_change_overlay(*overlay, context.scope())) {
    return Error(ErrorCode::kPermissionDenied,
                 fmt::format("overlay '{}' is global: only administrators change it", overlay->name));
  }
  return *overlay;
}

nlohmann::json item_json(const WorkshopItem& item) {
  int percent = item.file_size > 0 ? static_cast<int>(item.bytes_done * 100 / item.file_size) : 0;
  return {{"id", item.id},
          {"title", item.title},
          {"file_size", item.file_size},
          {"time_updated", item.time_updated},
          {"state", to_string(item.state)},
          {"error", item.error},
          {"bytes_done", item.bytes_done},
          {"percent", std::clamp(percent, 0, 100)},
          {"checked_at", item.checked_at}};
}

// The overlay's list and the refresh that will bring it up to date, as the API gives it.
Result<nlohmann::json> workshop_json(App& app, const Overlay& overlay) {
  Result<WorkshopList> list = app.workshop_lists->get(overlay.id);
  if (!list) return list.error();
  Result<std::optional<Job>> pending = app.jobs->pending_workshop_refresh(overlay.id);
  if (!pending) return pending.error();
  nlohmann::json items = nlohmann::json::array();
  for (const WorkshopItem& item : list->items) items.push_back(item_json(item));
  nlohmann::json refresh = nullptr;
  if (*pending) refresh = {{"job_id", (*pending)->id}, {"state", to_string((*pending)->state)}};
  return nlohmann::json{
      {"overlay_id", overlay.id}, {"entries", list->entries},
      {"items", items},           {"refreshed_at", list->refreshed_at ? nlohmann::json(*list->refreshed_at) : nullptr},
      {"error", list->error},     {"refresh", refresh}};
}

Result<Job> queue_refresh(App& app, const Context& context, const Overlay& overlay) {
  Result<Job> job = app.jobs->enqueue_workshop_refresh(overlay.id, fmt::format("workshop overlay '{}'", overlay.name),
                                                       overlay.owner_id.value_or(context.user().id));
  if (job) app.runner->notify();
  return job;
}

// The page's view of the section: the list as text, the items with their progress, whether it is live.
Result<nlohmann::json> section_view(App& app, const Context& context, const Overlay& overlay) {
  Result<nlohmann::json> view = workshop_json(app, overlay);
  if (!view) return view.error();
  std::string text;
  for (const auto& entry : (*view)["entries"]) text += entry.get<std::string>() + "\n";
  nlohmann::json& items = (*view)["items"];
  for (nlohmann::json& item : items) {
    std::string state = item["state"];
    item["is_ok"] = state == to_string(WorkshopItemState::kOk);
    item["is_downloading"] = state == to_string(WorkshopItemState::kDownloading);
    item["is_failed"] = state == to_string(WorkshopItemState::kFailed);
    item["size"] = format_bytes(static_cast<double>(item["file_size"].get<std::int64_t>()));
    item["updated"] = time_view(item["time_updated"].get<std::int64_t>());
  }
  (*view)["text"] = text;
  (*view)["has_items"] = !items.empty();
  (*view)["live"] = !(*view)["refresh"].is_null();
  (*view)["may_change"] = may_change_overlay(overlay, context.scope());
  (*view)["csrf_token"] = context.auth->csrf_token;
  if (!(*view)["refreshed_at"].is_null()) (*view)["refreshed"] = time_view((*view)["refreshed_at"].get<std::int64_t>());
  return view;
}

}  // namespace

namespace api {

Response get_workshop(App& app, Context& context, const Overlay& opened) {
  Result<Overlay> overlay = open_workshop_overlay(opened, context, Change::kNo);
  if (!overlay) return error_from(overlay.error());
  Result<nlohmann::json> body = workshop_json(app, *overlay);
  if (!body) return error_from(body.error());
  return json_response(200, {{"workshop", *body}});
}

Response put_workshop(App& app, Context& context, const Overlay& opened) {
  Result<Overlay> overlay = open_workshop_overlay(opened, context, Change::kYes);
  if (!overlay) return error_from(overlay.error());
  Result<nlohmann::json> body = parse_body(context.request);
  if (!body) return bad_body(body.error());
  if (!body->is_object() || !body->contains("entries") || !(*body)["entries"].is_array()) {
    return error_response(422, "invalid", "entries: expected an array of Workshop ids or URLs", "entries");
  }
  std::vector<std::string> given;
  for (const nlohmann::json& entry : (*body)["entries"]) {
    if (!entry.is_string()) {
      return error_response(422, "invalid", fmt::format("entry {}: expected a string", given.size() + 1), "entries");
    }
    given.push_back(entry.get<std::string>());
  }
  Result<std::vector<std::string>> ids = parse_workshop_entries(given);
  if (!ids) return error_response(422, "invalid", ids.error().message(), "entries");
  if (Status stored = app.workshop_lists->set_entries(overlay->id, *ids); !stored) return error_from(stored.error());
  Result<nlohmann::json> answer = workshop_json(app, *overlay);
  if (!answer) return error_from(answer.error());
  return json_response(200, {{"workshop", *answer}});
}

Response refresh_workshop(App& app, Context& context, const Overlay& opened) {
  Result<Overlay> overlay = open_workshop_overlay(opened, context, Change::kYes);
  if (!overlay) return error_from(overlay.error());
  Result<Job> job = queue_refresh(app, context, *overlay);
  if (!job) return error_from(job.error());
  return json_response(202, {{"job", {{"id", job->id}, {"state", to_string(job->state)}}}});
}

}  // namespace api

namespace page {

Result<std::string> render_workshop_section(App& app, Context& context, const Overlay& overlay) {
  Result<nlohmann::json> view = section_view(app, context, overlay);
  if (!view) return view.error();
  return render_template("_workshop", *view);
}

Response workshop_items(App& app, Context& context, const Overlay& opened) {
  Result<Overlay> overlay = open_workshop_overlay(opened, context, Change::kNo);
  if (!overlay) return error_from(overlay.error());
  Result<nlohmann::json> view = section_view(app, context, *overlay);
  if (!view) return error_from(view.error());
  return html_fragment(200, "_workshop_items", *view);
}

Response save_workshop(App& app, Context& context, const Overlay& opened) {
  Result<Overlay> overlay = open_workshop_overlay(opened, context, Change::kYes);
  if (!overlay) return error_from(overlay.error());
  Form form(context.request);
  Result<std::vector<std::string>> ids = parse_workshop_entries(form.get("entries"));
  Status stored = ids ? app.workshop_lists->set_entries(overlay->id, *ids) : Status(ids.error());
  if (stored && !is_htmx(context.request)) return redirect(fmt::format("/overlays/{}", overlay->id));
  Result<nlohmann::json> view = section_view(app, context, *overlay);
  if (!view) return error_from(view.error());
  if (!stored) {
    (*view)["text"] = form.get("entries");  // what was typed is kept, to be corrected
    (*view)["form_error"] = stored.error().message();
  }
  if (is_htmx(context.request)) return html_fragment(200, "_workshop", *view);
  nlohmann::json page = base_view(context, "Workshop items of " + overlay->name, "overlays");
  page["workshop"] = *view;
  page["overlay_name"] = overlay->name;
  return html_page(422, "workshop_form", page);
}

Response refresh_workshop(App& app, Context& context, const Overlay& opened) {
  Result<Overlay> overlay = open_workshop_overlay(opened, context, Change::kYes);
  if (!overlay) return error_from(overlay.error());
  Result<Job> job = queue_refresh(app, context, *overlay);
  if (!job) return error_from(job.error());
  if (!is_htmx(context.request)) return redirect(fmt::format("/overlays/{}", overlay->id));
  Result<nlohmann::json> view = section_view(app, context, *overlay);
  if (!view) return error_from(view.error());
  return html_fragment(200, "_workshop_items", *view);
}

}  // namespace page
}  // namespace left4me::web
