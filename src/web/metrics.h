// Metrics: what GET /metrics answers, in Prometheus' text exposition format (version 0.0.4): each server's
// state, players, restarts and last A2S query time; jobs by type and state; HTTP requests by route and status;
// viewers of the live streams; webhook deliveries. The names, labels and who may read them: docs/api.md, "Metrics".
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "web/server_view.h"
#include "web/states.h"

namespace left4me::web {

// The route of GET /metrics (routes.cc), the one route a metrics token may call.
inline constexpr std::string_view kMetricsRoute = "/metrics";
// How RequestCounts names a request no route matched.
inline constexpr std::string_view kOtherMethod = "other";
inline constexpr std::string_view kUnmatchedRoute = "unmatched";

struct RequestCount {
  std::string_view method;  // the route's method, or "other"
  std::string_view route;   // the route's pattern ("/api/v1/servers/{id}"), or "unmatched"
  int status = 0;
  std::uint64_t count = 0;
};

// HTTP requests answered, by route and status. The views passed to add must outlive this: the route table's
// strings and literals do, and the bounded set of keys they make keeps the table small. Thread-safe.
class RequestCounts {
 public:
  void add(std::string_view method, std::string_view route, int status);
  std::vector<RequestCount> snapshot() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string_view, std::string_view, int>, std::uint64_t> counts_;
};

struct MetricsInput {
  std::vector<ServerView> servers;  // every server, as view_server decides it
  bool host_answered = false;       // the host's statuses are known (the last `l4d2ctl list` was read)
  std::map<std::pair<JobType, JobState>, std::int64_t> jobs;
  std::vector<RequestCount> requests;
  std::size_t console_viewers = 0;
  std::size_t job_log_viewers = 0;
  // Webhook alerts since the app started (webhook_sender.h).
  std::uint64_t webhooks_delivered = 0;
  std::uint64_t webhooks_failed = 0;   // given up after every try
  std::uint64_t webhooks_dropped = 0;  // never queued: the queue was full
};

// The exposition text: every family with its HELP and TYPE, a series per server state (1 for the current one),
// a series per job type and state (0 for none).
std::string render_metrics(const MetricsInput& input);

// A label value as the format quotes it: \ " and line feed escaped.
std::string escape_label_value(std::string_view value);

}  // namespace left4me::web
