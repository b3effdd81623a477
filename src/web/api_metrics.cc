// GET /metrics: who may read it, and what it gathers for render_metrics (metrics.h).
#include <map>

#include "web/handlers.h"
#include "web/metrics.h"

namespace left4me::web::api {
namespace {

bool is_loopback(std::string_view address) {
  return address.starts_with("127.") || address == "::1" || address.starts_with("::ffff:127.");
}

// A scraper on this machine: a loopback peer that no proxy forwarded (a proxy adds X-Forwarded-For, so a
// request from outside that nginx passes on never counts as local, whatever TRUSTED_PROXIES says).
bool is_local_scraper(const Context& context) {
  return is_loopback(context.client.address) && !context.request.header("x-forwarded-for").has_value();
}

}  // namespace

Response metrics(App& app, Context& context) {
  bool allowed = (context.auth && context.auth->metrics_only) || is_local_scraper(context);
  if (!allowed) {
    return error_response(403, "metrics_scope",
                          "/metrics answers a token with the metrics scope, or a client on this machine");
  }
  const Scope everyone{0, true};
  Result<std::vector<Server>> servers = app.servers->list_all();
  if (!servers) return error_from(servers.error());
  Result<std::map<std::int64_t, PendingJob>> pending = app.jobs->pending(everyone);
  if (!pending) return error_from(pending.error());
  Result<std::shared_ptr<const StatusMap>> statuses = app.status_cache->snapshot();
  HostStatuses host = statuses ? HostStatuses::answered(**statuses) : HostStatuses::not_known();

  MetricsInput input;
  input.host_answered = statuses.ok();
  for (const Server& server : *servers) {
    auto found = pending->find(server.id);
    input.servers.push_back(
        view_server(server, host, found == pending->end() ? std::nullopt : std::optional<PendingJob>(found->second)));
  }
  auto jobs = app.jobs->count_by_type_and_state();
  if (!jobs) return error_from(jobs.error());
  input.jobs = std::move(*jobs);
  input.requests = app.request_counts.snapshot();
  input.console_viewers = app.server_logs->follower_count();
  input.job_log_viewers = app.job_logs->viewer_count();
  WebhookCounts webhooks = app.webhook_sender->counts();
  input.webhooks_delivered = webhooks.delivered;
  input.webhooks_failed = webhooks.failed;
  input.webhooks_dropped = webhooks.dropped;

  Response response;
  response.body = render_metrics(input);
  response.header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  return response;
}

}  // namespace left4me::web::api
