#include "web/metrics.h"

#include <fmt/format.h>

namespace left4me::web {
namespace {

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

std::string server_labels(const ServerView& view) {
  return fmt::format("id=\"{}\",name=\"{}\"", view.record->id, escape_label_value(view.record->name));
}

// A number the host reported in its status object at path (e.g. {"live", "players"}), or nothing.
const nlohmann::json* host_number(const ServerView& view, std::initializer_list<const char*> path) {
  const nlohmann::json* at = view.host;
  for (const char* step : path) {
    if (at == nullptr || !at->is_object()) return nullptr;
    auto found = at->find(step);
    if (found == at->end()) return nullptr;
    at = &*found;
  }
  return at != nullptr && at->is_number() ? at : nullptr;
}

// One gauge per server that has the value: players, max players, restarts, query latency.
void server_gauge(std::string& out, const MetricsInput& input, std::string_view name, std::string_view help,
                  std::initializer_list<const char*> path, double scale = 1.0) {
  family(out, name, "gauge", help);
  for (const ServerView& view : input.servers) {
    const nlohmann::json* value = host_number(view, path);
    if (value == nullptr) continue;
    fmt::format_to(std::back_inserter(out), "{}{{{}}} {}\n", name, server_labels(view), value->get<double>() * scale);
  }
}

void server_metrics(std::string& out, const MetricsInput& input) {
  family(out, "left4me_server_state", "gauge", "The server's state as the panel shows it: 1 for the current one.");
  for (const ServerView& view : input.servers) {
    for (ServerState state : all_server_states()) {
      fmt::format_to(std::back_inserter(out), "left4me_server_state{{{},state=\"{}\"}} {}\n", server_labels(view),
                     to_string(state), state == view.state ? 1 : 0);
    }
  }
  server_gauge(out, input, "left4me_server_players", "Players on the server (A2S_INFO).", {"live", "players"});
  server_gauge(out, input, "left4me_server_max_players", "The server's player slots (A2S_INFO).",
               {"live", "max_players"});
  server_gauge(out, input, "left4me_server_restarts", "Automatic restarts since the server was last started.",
               {"restarts"});
  server_gauge(out, input, "left4me_server_query_seconds", "How long the last A2S_INFO query took to answer.",
               {"live", "query_ms"}, 0.001);
}

}  // namespace

void RequestCounts::add(std::string_view method, std::string_view route, int status) {
  std::lock_guard lock(mutex_);
  ++counts_[{method, route, status}];
}

std::vector<RequestCount> RequestCounts::snapshot() const {
  std::lock_guard lock(mutex_);
  std::vector<RequestCount> counts;
  counts.reserve(counts_.size());
  for (const auto& [key, count] : counts_) {
    counts.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), count});
  }
  return counts;
}

std::string escape_label_value(std::string_view value) {
  std::string escaped;
  escaped.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '"') {
      escaped += "\\\"";
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

std::string render_metrics(const MetricsInput& input) {
  std::string out;
  out.reserve(512 + 400 * input.servers.size() + 90 * input.requests.size());
  family(out, "left4me_host_status_known", "gauge",
         "1 when the host's statuses are known (the last l4d2ctl list was read), else 0.");
  fmt::format_to(std::back_inserter(out), "left4me_host_status_known {}\n", input.host_answered ? 1 : 0);
  server_metrics(out, input);
  family(out, "left4me_jobs", "gauge", "Jobs by type and state.");
  for (JobType type : all_job_types()) {
    for (JobState state : all_job_states()) {
      auto found = input.jobs.find({type, state});
      fmt::format_to(std::back_inserter(out), "left4me_jobs{{type=\"{}\",state=\"{}\"}} {}\n", to_string(type),
                     to_string(state), found == input.jobs.end() ? 0 : found->second);
    }
  }
  family(out, "left4me_http_requests_total", "counter", "HTTP requests answered, by route and status code.");
  for (const RequestCount& count : input.requests) {
    fmt::format_to(std::back_inserter(out),
                   "left4me_http_requests_total{{method=\"{}\",route=\"{}\",code=\"{}\"}} {}\n", count.method,
                   escape_label_value(count.route), count.status, count.count);
  }
  family(out, "left4me_sse_viewers", "gauge", "Open server-sent event streams, by what they follow.");
  fmt::format_to(std::back_inserter(out), "left4me_sse_viewers{{stream=\"console\"}} {}\n", input.console_viewers);
  fmt::format_to(std::back_inserter(out), "left4me_sse_viewers{{stream=\"job_log\"}} {}\n", input.job_log_viewers);
  family(out, "left4me_webhook_deliveries_total", "counter", "Webhook alerts delivered (a 2xx answer).");
  fmt::format_to(std::back_inserter(out), "left4me_webhook_deliveries_total {}\n", input.webhooks_delivered);
  family(out, "left4me_webhook_failures_total", "counter",
         "Webhook alerts given up after every try, or dropped because the queue was full.");
  fmt::format_to(std::back_inserter(out), "left4me_webhook_failures_total{{reason=\"gave_up\"}} {}\n",
                 input.webhooks_failed);
  fmt::format_to(std::back_inserter(out), "left4me_webhook_failures_total{{reason=\"queue_full\"}} {}\n",
                 input.webhooks_dropped);
  return out;
}

}  // namespace left4me::web
