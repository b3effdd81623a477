// API routes for hosts (administrators only): list with each host's live state, add (scanning its key), confirm the
// scanned key, scan again, change, delete, and install or update the game on one host or all
// (docs/design.md, "Several hosts").
#include <fmt/format.h>

#include "base/log.h"
#include "base/strings.h"
#include "web/api_objects.h"
#include "web/handlers.h"
#include "web/host_actions.h"

namespace left4me::web::api {
namespace {

// The 422 for a refused field, naming it (the host rules' messages start with the field's name).
Response refused(const Error& error) {
  if (error.code() != ErrorCode::kInvalidArgument) return error_from(error);
  std::string_view message = error.message();
  std::string field(message.substr(0, message.find_first_of(":,")));
  return error_response(422, "invalid", message, field);
}

Result<nlohmann::json> hosts_json(App& app, const std::vector<Host>& hosts) {
  Result<std::map<std::int64_t, int>> counts = app.hosts->server_counts();
  if (!counts) return counts.error();
  Result<std::map<std::int64_t, int>> running = running_counts(app);
  if (!running) return running.error();
  std::map<std::int64_t, HostPoll> polls = app.status_cache->host_polls();
  nlohmann::json list = nlohmann::json::array();
  for (const Host& host : hosts) list.push_back(host_json(host, (*counts)[host.id], (*running)[host.id], polls));
  return list;
}

Response host_answer(App& app, int status, const Host& host) {
  Result<nlohmann::json> list = hosts_json(app, {host});
  if (!list) return error_from(list.error());
  return json_response(status, {{"host", (*list)[0]}});
}

}  // namespace

Response list_hosts(App& app, Context&) {
  Result<std::vector<Host>> hosts = app.hosts->list();
  if (!hosts) return error_from(hosts.error());
  Result<nlohmann::json> list = hosts_json(app, *hosts);
  if (!list) return error_from(list.error());
  // The line a new host's `left4me host-authorize` takes; null (with the reason logged) when the key cannot be made.
  Result<std::string> panel_key = app.panel_public_key();
  if (!panel_key) log::error("the panel's SSH key: {}", panel_key.error().message());
  // The last refresh of the live status: the dashboard's wall time over every host (bench/hosts_dashboard.sh).
  RefreshTiming refresh = app.status_cache->last_refresh();
  nlohmann::json timing = nullptr;
  if (refresh.number > 0) {
    timing = {{"wall_ms", static_cast<double>(refresh.wall.count()) / 1000.0},
              {"hosts", refresh.hosts},
              {"number", refresh.number}};
  }
  return json_response(200, {{"hosts", std::move(*list)},
                             {"panel_key", panel_key ? nlohmann::json(*panel_key) : nlohmann::json(nullptr)},
                             {"status_refresh", std::move(timing)}});
}

Response create_host(App& app, Context& context) {
  Result<HostInput> input = host_input_from(context.request);
  if (!input) return refused(input.error());
  Result<Host> host = add_scanned_host(app, *input);
  if (!host) return refused(host.error());
  return host_answer(app, 201, *host);
}

Response get_host(App& app, Context&, const Host& host) { return host_answer(app, 200, host); }

Response update_host(App& app, Context& context, const Host& host) {
  Result<HostInput> input = host_input_from(context.request);
  if (!input) return refused(input.error());
  Result<Host> updated = change_host(app, host, *input);
  if (!updated) return refused(updated.error());
  return host_answer(app, 200, *updated);
}

Response delete_host(App& app, Context&, const Host& host) {
  if (Status removed = delete_host_record(app, host); !removed) return refused(removed.error());
  return json_response(200, {{"deleted", host.id}});
}

Response confirm_host_key(App& app, Context& context, const Host& host) {
  Result<nlohmann::json> body = parse_body(context.request);
  if (!body) return error_from(body.error());
  Result<Host> confirmed = confirm_scanned_key(app, host, string_field(*body, "fingerprint").value_or(""));
  if (!confirmed) return refused(confirmed.error());
  return host_answer(app, 200, *confirmed);
}

Response rescan_host_key(App& app, Context&, const Host& host) {
  Result<Host> rescanned = rescan_host(app, host);
  if (!rescanned) return refused(rescanned.error());
  return host_answer(app, 200, *rescanned);
}

}  // namespace left4me::web::api
