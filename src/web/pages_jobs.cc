// Pages for jobs: the user's jobs (every job for admins) filtered by state and refreshing themselves, one
// job with its live log, and cancelling a queued job.
#include <fmt/format.h>

#include "web/pages.h"
#include "web/responses.h"

namespace left4me::web {
namespace {

constexpr const char* kStates[] = {"queued", "running", "succeeded", "failed", "cancelled", "interrupted"};

bool known_state(const std::string& state) {
  for (const char* known : kStates) {
    if (state == known) return true;
  }
  return false;
}

Result<nlohmann::json> job_rows(App& app, Context& context, const std::string& state) {
  JobFilter filter;
  if (!state.empty()) filter.state = state;
  filter.limit = 100;
  Result<std::vector<Job>> jobs = app.jobs->list(context.scope(), filter);
  if (!jobs) return jobs.error();
  std::map<std::int64_t, std::string> owners;
  if (context.user().is_admin) {
    Result<std::vector<User>> users = app.accounts->list_users();
    if (users) {
      for (const User& user : *users) owners[user.id] = user.name;
    }
  }
  nlohmann::json list = nlohmann::json::array();
  for (const Job& job : *jobs) {
    nlohmann::json row = job_view(job);
    row["owner"] = job.owner_id ? owners[*job.owner_id] : "system";
    list.push_back(row);
  }
  return nlohmann::json{{"jobs", list},
                        {"has_jobs", !list.empty()},
                        {"state", state},
                        {"show_owner", context.user().is_admin},
                        {"csrf", context.auth->csrf_token}};
}

std::optional<Job> find_job(App& app, Context& context, Response* failure) {
  return find_in_scope<Job>(*app.jobs, context, "job", failure);
}

nlohmann::json summary_view(Context& context, const Job& job) {
  nlohmann::json view = job_view(job);
  view["csrf"] = context.auth->csrf_token;
  return view;
}

}  // namespace

void register_job_pages(App& app) {
  app.add_route({"GET", "/jobs", Access::kUser, [&app](Context& context) {
                   std::string state = context.request.query_param("state").value_or("");
                   nlohmann::json view = base_view(context, "Jobs", "jobs");
                   if (!state.empty() && !known_state(state)) {
                     view["error"] = "There is no job state '" + state + "'; showing every job.";
                     state.clear();
                   }
                   Result<nlohmann::json> rows = job_rows(app, context, state);
                   if (!rows) return error_from(rows.error());
                   nlohmann::json states = nlohmann::json::array();
                   for (const char* known : kStates) states.push_back({{"value", known}, {"selected", state == known}});
                   view["states"] = states;
                   view["table"] = *rows;
                   return html_page(200, "jobs", view);
                 }});

  app.add_route({"GET", "/jobs/rows", Access::kUser, [&app](Context& context) {
                   std::string state = context.request.query_param("state").value_or("");
                   if (!known_state(state)) state.clear();
                   Result<nlohmann::json> rows = job_rows(app, context, state);
                   if (!rows) return error_from(rows.error());
                   return html_fragment(200, "_job_rows", *rows);
                 }});

  app.add_route({"GET", "/jobs/{id}", Access::kUser, [&app](Context& context) {
                   Response failure;
                   std::optional<Job> job = find_job(app, context, &failure);
                   if (!job) return failure;
                   nlohmann::json view = base_view(context, fmt::format("Job {}", job->id), "jobs");
                   view["job"] = summary_view(context, *job);
                   return html_page(200, "job", view);
                 }});

  app.add_route({"GET", "/jobs/{id}/summary", Access::kUser, [&app](Context& context) {
                   Response failure;
                   std::optional<Job> job = find_job(app, context, &failure);
                   if (!job) return failure;
                   return html_fragment(200, "_job_summary", summary_view(context, *job));
                 }});

  app.add_route({"GET", "/jobs/{id}/stream", Access::kUser, [&app](Context& context) {
                   Response failure;
                   std::optional<Job> job = find_job(app, context, &failure);
                   if (!job) return failure;
                   Response response;
                   response.header("Content-Type", "text/event-stream");
                   response.header("Cache-Control", "no-store");
                   response.header("X-Accel-Buffering", "no");
                   response.stream = [&app, job_id = job->id](std::shared_ptr<EventSink> sink) {
                     app.job_logs->subscribe(job_id, 0, escaped_log_sink(std::move(sink)));
                   };
                   return response;
                 }});

  app.add_route({"POST", "/jobs/{id}/cancel", Access::kUser, [&app](Context& context) {
                   Response failure;
                   std::optional<Job> found = find_job(app, context, &failure);
                   if (!found) return failure;
                   Result<Job> job = app.jobs->cancel(found->id, context.scope());
                   if (!job) {
                     if (job.error().code() == ErrorCode::kAlreadyExists) {
                       return error_response(409, "conflict",
                                             "This job is no longer queued (it started or ended), so it cannot be "
                                             "cancelled.");
                     }
                     return error_from(job.error());
                   }
                   app.job_logs->end(job->id, job->state);
                   if (!is_htmx(context.request))
                     return redirect(fmt::format("/jobs/{}?notice=job_cancelled", job->id));
                   if (context.request.query_param("view").value_or("") == "row") {
                     nlohmann::json row = job_view(*job);
                     row["show_owner"] = context.user().is_admin;
                     row["owner"] = context.user().name;
                     row["csrf"] = context.auth->csrf_token;
                     return html_fragment(200, "_job_row", row);
                   }
                   return html_fragment(200, "_job_summary", summary_view(context, *job));
                 }});
}

}  // namespace left4me::web
