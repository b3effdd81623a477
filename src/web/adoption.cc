#include "web/adoption.h"

#include <fmt/format.h>

#include <set>

#include "json/parse_json.h"
#include "model/instance_name.h"
#include "web/server_view.h"

namespace left4me::web {
namespace {

// The port an `l4d2ctl status` object names, if it names a valid one.
std::optional<int> port_of(const nlohmann::json& status) {
  if (!status.contains("port") || !status["port"].is_number_integer()) return std::nullopt;
  std::int64_t port = status["port"].get<std::int64_t>();
  if (port < 1 || port > 65535) return std::nullopt;
  return static_cast<int>(port);
}

}  // namespace

Result<std::vector<UnmanagedInstance>> unmanaged_instances(App& app) {
  Result<std::shared_ptr<const StatusMap>> statuses = app.status_cache->snapshot();
  if (!statuses) return statuses.error();
  Result<std::vector<Server>> servers = app.servers->list_all();
  if (!servers) return servers.error();
  std::set<std::string> named;
  for (const Server& server : *servers) named.insert(server.instance);
  std::vector<UnmanagedInstance> unmanaged;
  for (const auto& [name, status] : **statuses) {
    if (named.count(name) != 0) continue;
    UnmanagedInstance instance{name, reported_state(status).value_or(ServerState::kUnknown), port_of(status)};
    unmanaged.push_back(std::move(instance));
  }
  return unmanaged;
}

Result<Server> adopt_instance(App& app, Adoption adoption) {
  if (!model::InstanceName::is_valid(adoption.instance)) {
    return model::InstanceName::create(adoption.instance).error();
  }
  Result<RunResult> found = app.ctl->run({"status", adoption.instance, "--json"}, std::chrono::seconds(20));
  if (!found) return found.error();
  if (!found->status.signalled && found->status.code == 3) {
    return Error::invalid(fmt::format("the host has no instance '{}'", adoption.instance));
  }
  if (!found->status.success()) {
    std::string why = found->err.empty() ? found->status.describe() : found->err;
    while (!why.empty() && why.back() == '\n') why.pop_back();
    return Error::failed(fmt::format("l4d2ctl status {}: {}", adoption.instance, why));
  }
  Result<nlohmann::json> parsed = parse_json_limited(found->out);
  if (!parsed || !parsed->is_object()) {
    return Error::failed(fmt::format("l4d2ctl status {}: output is not a JSON object", adoption.instance));
  }
  nlohmann::json status = std::move(*parsed);
  adoption.current_port = port_of(status);
  Result<Server> server = app.servers->adopt(adoption);
  if (!server) return server.error();
  StatusMap answer{{adoption.instance, status}};
  ServerState state = view_server(*server, HostStatuses::answered(answer)).state;
  if (state != server->recorded_state) {
    server->recorded_state = state;
    (void)app.servers->record_state(server->id, state);
  }
  app.status_cache->put(adoption.instance, std::move(status));
  return server;
}

}  // namespace left4me::web
