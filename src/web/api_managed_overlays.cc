// API routes for managed global overlays (administrators only): the source, and a refresh queued as a job.
#include <fmt/format.h>

#include "web/api_objects.h"
#include "web/handlers.h"
#include "web/managed_overlays.h"
#include "web/overlay_uploads.h"

namespace left4me::web::api {
namespace {

// A managed overlay's routes take only global overlays of kind managed: others answer 409 saying so.
std::optional<Response> not_managed(const Overlay& overlay) {
  if (overlay.kind == OverlayKind::kManaged && overlay.global()) return std::nullopt;
  return error_response(409, "conflict",
                        fmt::format("overlay '{}' is no managed global overlay (it is a {} overlay{})", overlay.name,
                                    overlay_kind_name(overlay.kind), overlay.global() ? "" : " of a user"));
}

nlohmann::json source_json(const ManagedSource& source) {
  auto optional = [](const std::optional<std::int64_t>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
  };
  return {{"overlay_id", source.overlay_id},
          {"source_url", source.source_url},
          {"source_upload", source.source_upload},
          {"version", source.version},
          {"sha256", source.sha256},
          {"fetched_at", optional(source.fetched_at)},
          {"checked_at", optional(source.checked_at)},
          {"last_error", source.last_error}};
}

}  // namespace

Response managed_source(App& app, Context&, const Overlay& overlay) {
  if (auto refused = not_managed(overlay)) return *refused;
  Result<ManagedSource> source = app.managed_overlays->get(overlay.id);
  if (!source) return error_from(source.error());
  return json_response(200, {{"managed", source_json(*source)}});
}

Response set_managed_source(App& app, Context& context, const Overlay& overlay) {
  if (auto refused = not_managed(overlay)) return *refused;
  Result<nlohmann::json> body = parse_body(context.request);
  if (!body) return bad_body(body.error());
  std::optional<std::string> url = string_field(*body, "source_url");
  if (!url) return error_response(422, "invalid", "source_url: an http(s) URL of an archive", "source_url");
  if (Status set = app.managed_overlays->set_source(overlay.id, *url, managed_sources_dir(app.config.data_dir)); !set) {
    return error_from(set.error(), std::string("source_url"));
  }
  return managed_source(app, context, overlay);
}

Response set_managed_upload(App& app, Context& context, const Overlay& overlay) {
  if (auto refused = not_managed(overlay)) return *refused;
  Result<nlohmann::json> body = parse_body(context.request);
  if (!body) return bad_body(body.error());
  std::optional<std::string> id = string_field(*body, "upload");
  if (!id) return error_response(422, "invalid", "upload: the id of a complete upload is required", "upload");
  Result<Upload> upload = app.uploads->take(*id, overlay.id, context.user().id);
  if (!upload) return error_from(upload.error(), std::string("upload"));
  Status kept = app.managed_overlays->set_uploaded_source(overlay.id, managed_sources_dir(app.config.data_dir),
                                                          app.uploads->file_of(*upload), upload->name);
  app.uploads->discard(*upload);
  if (!kept) return error_from(kept.error(), std::string("upload"));
  return managed_source(app, context, overlay);
}

Response refresh_managed(App& app, Context& context, const Overlay& overlay) {
  if (auto refused = not_managed(overlay)) return *refused;
  Result<Job> job = app.runner->queue_own(JobType::kRefreshManaged, managed_job_target(overlay.id), context.user().id);
  if (!job) return error_from(job.error());
  return json_response(202, {{"job", job_json(*job)}});
}

}  // namespace left4me::web::api
