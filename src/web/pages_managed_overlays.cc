// The overlay page's section for a managed global overlay (administrators): its source, what is installed, and the
// refresh button; the two forms post here.
#include <fmt/format.h>

#include "web/handlers.h"
#include "web/managed_overlays.h"
#include "web/pages.h"
#include "web/responses.h"

namespace left4me::web {

nlohmann::json managed_section_view(App& app, Context& context, const Overlay& overlay) {
  Result<ManagedSource> source = app.managed_overlays->get(overlay.id);
  if (!source) return nlohmann::json::object();
  return {{"managed",
           {{"id", overlay.id},
            {"csrf", context.auth->csrf_token},
            {"source_url", source->source_url},
            {"source_upload", source->source_upload},
            {"version", source->version},
            {"fetched", time_view(source->fetched_at.value_or(0))},
            {"checked", time_view(source->checked_at.value_or(0))},
            {"last_error", source->last_error}}}};
}

namespace page {

Response set_managed_source(App& app, Context& context, const Overlay& overlay) {
  if (overlay.kind != OverlayKind::kManaged || !overlay.global()) {
    return error_from(
        Error(ErrorCode::kAlreadyExists, fmt::format("overlay '{}' is no managed global overlay", overlay.name)));
  }
  Form form(context.request);
  if (Status set = app.managed_overlays->set_source(overlay.id, form.get("source_url"),
                                                    managed_sources_dir(app.config.data_dir));
      !set) {
    return error_from(set.error());
  }
  return redirect(fmt::format("/overlays/{}", overlay.id));
}

Response refresh_managed(App& app, Context& context, const Overlay& overlay) {
  if (overlay.kind != OverlayKind::kManaged || !overlay.global()) {
    return error_from(
        Error(ErrorCode::kAlreadyExists, fmt::format("overlay '{}' is no managed global overlay", overlay.name)));
  }
  Result<Job> job = app.runner->queue_own(JobType::kRefreshManaged, managed_job_target(overlay.id), context.user().id);
  if (!job) return error_from(job.error());
  return redirect(fmt::format("/jobs/{}", job->id));
}

}  // namespace page
}  // namespace left4me::web
