// API routes for jobs (list, read, cancel, their output stored and live) and the game installation.
#include "base/strings.h"
#include "web/api_objects.h"
#include "web/handlers.h"

namespace left4me::web::api {

Response list_jobs(App& app, Context& context) {
  JobFilter filter;
  if (auto state = context.request.query_param("state")) {
    filter.state = parse_job_state(*state);
    // No job is in a state that does not exist.
    if (!filter.state) return json_response(200, {{"jobs", nlohmann::json::array()}});
  }
  if (auto type = context.request.query_param("type")) {
    filter.type = parse_job_type(*type);
    if (!filter.type) return json_response(200, {{"jobs", nlohmann::json::array()}});
  }
  if (auto server = context.request.query_param("server_id")) {
    if (auto parsed = parse_int(*server, 1, INT64_MAX)) filter.server_id = *parsed;
  }
  Result<std::vector<Job>> jobs = app.jobs->list(context.scope(), filter);
  if (!jobs) return error_from(jobs.error());
  nlohmann::json list = nlohmann::json::array();
  for (const Job& job : *jobs) list.push_back(job_json(job));
  return json_response(200, {{"jobs", list}});
}

Response get_job(App&, Context&, const Job& job) { return json_response(200, {{"job", job_json(job)}}); }

Response cancel_job(App& app, Context& context, const Job& found) {
  Result<Job> job = app.jobs->cancel(found.id, context.scope());
  if (!job) return error_from(job.error());
  app.job_logs->end(job->id, job->state);
  return json_response(200, {{"job", job_json(*job)}});
}

Response job_lines(App& app, Context& context, const Job& job) {
  std::int64_t after = parse_int(context.request.query_param("after").value_or("0"), 0, INT64_MAX).value_or(0);
  Result<std::vector<JobLine>> lines = app.jobs->lines_after(job.id, after);
  if (!lines) return error_from(lines.error());
  nlohmann::json list = nlohmann::json::array();
  for (const JobLine& line : *lines) list.push_back({{"seq", line.seq}, {"at", line.at}, {"line", line.line}});
  return json_response(200, {{"lines", list}, {"state", to_string(job.state)}});
}

Response follow_job_log(App& app, Context& context, const Job& job) {
  std::string resume(context.request.header("last-event-id").value_or(""));
  if (resume.empty()) resume = context.request.query_param("after").value_or("0");
  std::int64_t after = parse_int(resume, 0, INT64_MAX).value_or(0);
  return event_stream([&app, job_id = job.id, after](std::shared_ptr<EventSink> sink) {
    app.job_logs->subscribe(job_id, after, sink);
  });
}

// {"host_id": <id>} installs on that host (none: the local one); {"host_id": "all"} on every host the panel can use,
// one job each.
Response queue_install(App& app, Context& context) {
  Result<nlohmann::json> body = parse_body(context.request);
  if (!body) return bad_body(body.error());
  if (body->contains("host_id") && (*body)["host_id"] == "all") {
    nlohmann::json jobs = nlohmann::json::array();
    for (const HostCtls::Entry& host : app.host_ctls->all()) {
      if (!host.ctl) continue;  // its key is not confirmed: nothing can run there
      Result<Job> job = app.runner->queue_install(context.user().id, host.id);
      if (!job) return error_from(job.error());
      jobs.push_back(job_json(*job));
    }
    return json_response(202, {{"jobs", jobs}});
  }
  std::optional<std::int64_t> host = id_field(*body, "host_id");
  if (body->contains("host_id") && !host) {
    return error_response(422, "invalid", "host_id: not a host id (or \"all\")", "host_id");
  }
  Result<Job> job = app.runner->queue_install(context.user().id, host.value_or(kLocalHostId));
  if (!job && job.error().code() == ErrorCode::kNotFound) {
    return error_response(422, "invalid", job.error().message(), "host_id");
  }
  if (!job) return error_from(job.error());
  return json_response(202, {{"job", job_json(*job)}});
}

Response latest_install(App& app, Context& context) {
  Result<std::vector<Job>> jobs = app.jobs->list(
      context.scope(), JobFilter{.type = JobType::kInstall, .target = std::string(kInstallationTarget), .limit = 1});
  if (!jobs) return error_from(jobs.error());
  return json_response(200, {{"job", jobs->empty() ? nlohmann::json(nullptr) : job_json(jobs->front())}});
}

}  // namespace left4me::web::api
