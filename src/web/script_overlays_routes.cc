// Script overlays' script and build, over the API and in the overlay page's Script section (script_overlays.h):
// reading the script, saving it (with its description), and queuing a build_overlay job.
#include <fmt/format.h>

#include "base/utf8.h"
#include "web/api_objects.h"
#include "web/handlers.h"
#include "web/page_render.h"
#include "web/pages.h"
#include "web/responses.h"

namespace left4me::web {
namespace {

// The overlay {id} named (the route opened it in the viewer's scope: 404 otherwise), which must be a script
// overlay (409 otherwise); with Change::kYes also one the viewer may change (403 otherwise).
enum class Change { kNo, kYes };
Status check_script_overlay(const Overlay& overlay, const Context& context, Change change) {
  if (overlay.kind != OverlayKind::kScript) {
    return Error(ErrorCode::kAlreadyExists,
                 fmt::format("overlay '{}' is a {} overlay: only script overlays have a build script", overlay.name,
                             overlay_kind_name(overlay.kind)));
  }
  if (change == Change::kYes && !may_change_overlay(overlay, context.scope())) {
    return Error(ErrorCode::kPermissionDenied,
                 fmt::format("overlay '{}' is global: only administrators change or build it", overlay.name));
  }
  return ok_status();
}

// A browser sends a textarea's line breaks as CR LF; bash would read each CR as part of its line.
std::string unix_line_breaks(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    out += text[i];
  }
  return out;
}

nlohmann::json optional_json(const std::optional<std::int64_t>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

// The overlay's script and last build, as the API gives them.
Result<nlohmann::json> script_json(App& app, const Overlay& overlay) {
  Result<ScriptOverlay> script = app.script_overlays->get(overlay);
  if (!script) return script.error();
  Result<std::optional<Job>> last = app.jobs->last_overlay_job(JobType::kBuildOverlay, overlay.id);
  if (!last) return last.error();
  nlohmann::json build = nullptr;
  if (*last) {
    const Job& job = **last;
    build = {{"job_id", job.id},
             {"state", to_string(job.state)},
             {"created_at", job.created_at},
             {"started_at", optional_json(job.started_at)},
             {"finished_at", optional_json(job.finished_at)},
             {"reason", job.reason}};
  }
  return nlohmann::json{
      {"overlay_id", overlay.id},
      {"script", script->script},
      {"description", script->description},
      {"saved_at", optional_json(script->saved_at)},
      {"example", script->example.empty() ? nlohmann::json(nullptr) : nlohmann::json(script->example)},
      {"max_bytes", kMaxScriptBytes},
      {"last_build", build}};
}

// Queues the overlay's build for its owner (an administrator's own job for a global one). kUnavailable when no
// script was saved yet.
Result<Job> queue_build(App& app, const Context& context, const Overlay& overlay) {
  Result<ScriptOverlay> script = app.script_overlays->get(overlay);
  if (!script) return script.error();
  if (!script->saved_at && script->script.empty()) {
    return Error::unavailable(fmt::format("overlay '{}' has no script yet: save one first", overlay.name));
  }
  Result<Job> job = app.jobs->enqueue_overlay_job(JobType::kBuildOverlay, overlay.id, script_job_target(overlay.id),
                                                  overlay.owner_id.value_or(context.user().id));
  if (job) app.runner->notify();
  return job;
}

}  // namespace

namespace api {

Response get_overlay_script(App& app, Context& context, const Overlay& overlay) {
  if (Status allowed = check_script_overlay(overlay, context, Change::kNo); !allowed)
    return error_from(allowed.error());
  Result<nlohmann::json> body = script_json(app, overlay);
  if (!body) return error_from(body.error());
  return json_response(200, {{"script", *body}});
}

Response put_overlay_script(App& app, Context& context, const Overlay& overlay) {
  if (Status allowed = check_script_overlay(overlay, context, Change::kYes); !allowed) {
    return error_from(allowed.error());
  }
  Result<nlohmann::json> body = parse_body(context.request);
  if (!body) return bad_body(body.error());
  std::optional<std::string> script = string_field(*body, "script");
  if (!script) return error_response(422, "invalid", "script: expected the script as a string", "script");
  if (auto problem = check_script(*script)) return error_response(422, "invalid", *problem, "script");
  std::string description;
  if (body->contains("description")) {
    std::optional<std::string> given = string_field(*body, "description");
    if (!given) return error_response(422, "invalid", "description: expected a string", "description");
    description = *given;
  } else {
    Result<ScriptOverlay> current = app.script_overlays->get(overlay);  // left out: kept
    if (!current) return error_from(current.error());
    description = current->description;
  }
  if (auto problem = check_script_description(description)) {
    return error_response(422, "invalid", *problem, "description");
  }
  if (Status saved = app.script_overlays->save(overlay, *script, description); !saved) {
    return error_from(saved.error());
  }
  return get_overlay_script(app, context, overlay);
}

Response build_overlay(App& app, Context& context, const Overlay& overlay) {
  if (Status allowed = check_script_overlay(overlay, context, Change::kYes); !allowed) {
    return error_from(allowed.error());
  }
  Result<Job> job = queue_build(app, context, overlay);
  if (!job) return error_from(job.error());
  return json_response(202, {{"job", job_json(*job)}});
}

}  // namespace api

namespace page {

nlohmann::json script_section_view(App& app, Context& context, const Overlay& overlay) {
  Result<nlohmann::json> script = script_json(app, overlay);
  if (!script) return nlohmann::json::object();
  nlohmann::json view = *script;
  bool may_change = may_change_overlay(overlay, context.scope());
  view["may_change"] = may_change;
  view["csrf_token"] = context.auth->csrf_token;
  view["has_script"] = !view["script"].get<std::string>().empty();
  if (view["saved_at"].is_number()) view["saved"] = time_view(view["saved_at"].get<std::int64_t>());
  if (!view["last_build"].is_null()) {
    nlohmann::json& build = view["last_build"];
    build["when"] = time_view(build["finished_at"].is_number() ? build["finished_at"].get<std::int64_t>()
                                                               : build["created_at"].get<std::int64_t>());
    if (std::optional<JobState> state = parse_job_state(build["state"].get<std::string>())) {
      build["state_class"] = state_class(*state);
    }
    build["may_open"] = may_change;  // the job is its owner's (or an administrator's): others cannot open it
  }
  return {{"script", view}};
}

Response save_overlay_script(App& app, Context& context, const Overlay& overlay) {
  if (Status allowed = check_script_overlay(overlay, context, Change::kYes); !allowed) {
    return error_from(allowed.error());
  }
  Form form(context.request);
  std::string script = unix_line_breaks(form.get("script"));
  std::string description = form.get("description");
  Status saved = app.script_overlays->save(overlay, script, description);
  if (saved) return redirect(fmt::format("/overlays/{}?notice=script_saved", overlay.id));
  if (saved.error().code() != ErrorCode::kInvalidArgument) return error_from(saved.error());
  nlohmann::json section = script_section_view(app, context, overlay);
  if (section.contains("script")) {  // what was typed is kept, to be corrected
    section["script"]["script"] = is_valid_utf8(script) ? script : make_valid_utf8(script);
    section["script"]["description"] = is_valid_utf8(description) ? description : make_valid_utf8(description);
    section["script"]["form_error"] = saved.error().message();
  }
  nlohmann::json view = base_view(context, "Script of " + overlay.name, "overlays");
  view["section"] = section;
  view["overlay_name"] = overlay.name;
  view["overlay_id"] = overlay.id;
  return html_page(422, "script_form", view);
}

Response build_overlay(App& app, Context& context, const Overlay& overlay) {
  if (Status allowed = check_script_overlay(overlay, context, Change::kYes); !allowed) {
    return error_from(allowed.error());
  }
  Result<Job> job = queue_build(app, context, overlay);
  if (!job) return error_from(job.error());
  return redirect(fmt::format("/jobs/{}", job->id));
}

}  // namespace page
}  // namespace left4me::web
