// Pages for jobs: the user's jobs (every job for admins) filtered by state and refreshing themselves, one
// job with its live log, and cancelling a queued job.
#include <fmt/format.h>

#include "web/handlers.h"
#include "web/pages.h"
#include "web/responses.h"

namespace left4me::web::page {
namespace {

// The rows of the user's jobs (every job for admins), those in `state` only when given.
Result<nlohmann::json> job_table(App& app, Context& context, std::optional<JobState> state) {
  JobFilter filter;
  filter.state = state;
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
                        {"state", state ? to_string(*state) : ""},
                        {"show_owner", context.user().is_admin},
                        {"csrf", context.auth->csrf_token}};
}

nlohmann::json summary_view(Context& context, const Job& job) {
  nlohmann::json view = job_view(job);
  view["csrf"] = context.auth->csrf_token;
  return view;
}

}  // namespace

Response jobs(App& app, Context& context) {
  std::string asked = context.request.query_param("state").value_or("");
  std::optional<JobState> state = parse_job_state(asked);
  nlohmann::json view = base_view(context, "Jobs", "jobs");
  if (!asked.empty() && !state) view["error"] = "There is no job state '" + asked + "'; showing every job.";
  Result<nlohmann::json> rows = job_table(app, context, state);
  if (!rows) return error_from(rows.error());
  nlohmann::json states = nlohmann::json::array();
  for (JobState known : all_job_states()) states.push_back({{"value", to_string(known)}, {"selected", state == known}});
  view["states"] = states;
  view["table"] = *rows;
  return html_page(200, "jobs", view);
}

Response job_rows(App& app, Context& context) {
  Result<nlohmann::json> rows =
      job_table(app, context, parse_job_state(context.request.query_param("state").value_or("")));
  if (!rows) return error_from(rows.error());
  return html_fragment(200, "_job_rows", *rows);
}

Response show_job(App&, Context& context, const Job& job) {
  nlohmann::json view = base_view(context, fmt::format("Job {}", job.id), "jobs");
  view["job"] = summary_view(context, job);
  return html_page(200, "job", view);
}

Response job_summary(App&, Context& context, const Job& job) {
  return html_fragment(200, "_job_summary", summary_view(context, job));
}

Response job_stream(App& app, Context&, const Job& job) {
  LogLines lines = job.type == JobType::kInstall ? LogLines::kInstall : LogLines::kPlain;
  return event_stream([&app, job_id = job.id, lines](std::shared_ptr<EventSink> sink) {
    app.job_logs->subscribe(job_id, 0, escaped_log_sink(std::move(sink), lines));
  });
}

Response cancel_job(App& app, Context& context, const Job& found) {
  Result<Job> job = app.jobs->cancel(found.id, context.scope());
  if (!job && job.error().code() == ErrorCode::kAlreadyExists) {
    return error_response(409, "conflict",
                          "This job is no longer queued (it started or ended), so it cannot be cancelled.");
  }
  if (!job) return error_from(job.error());
  app.job_logs->end(job->id, job->state);
  if (!is_htmx(context.request)) return redirect(fmt::format("/jobs/{}?notice=job_cancelled", job->id));
  if (context.request.query_param("view").value_or("") == "row") {
    nlohmann::json row = job_view(*job);
    row["show_owner"] = context.user().is_admin;
    row["owner"] = context.user().name;
    row["csrf"] = context.auth->csrf_token;
    return html_fragment(200, "_job_row", row);
  }
  return html_fragment(200, "_job_summary", summary_view(context, *job));
}

}  // namespace left4me::web::page
