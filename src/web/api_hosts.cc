// API routes for hosts (administrators only): list with each host's live state, add (scanning its key), confirm the
// scanned key, scan again, change, delete, and install or update the game on one host or all
// (docs/design.md, "Several hosts").
#include <fmt/format.h>

#include "base/strings.h"
#include "web/api_objects.h"
#include "web/handlers.h"

namespace left4me::web::api {
namespace {

// An integer member given as a number or as text (forms); kInvalidArgument naming it when it is neither.
Result<std::optional<int>> int_member(const nlohmann::json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null() || (it->is_string() && it->get_ref<const std::string&>().empty())) {
    return std::optional<int>();
  }
  if (it->is_number_integer()) {
    auto value = it->get<std::int64_t>();
    if (value >= INT32_MIN && value <= INT32_MAX) return std::optional<int>(static_cast<int>(value));
  }
  if (it->is_string()) {
    if (auto parsed = parse_int(it->get<std::string>(), INT32_MIN, INT32_MAX)) {
      return std::optional<int>(static_cast<int>(*parsed));
    }
  }
  return Error::invalid(fmt::format("{}: not a whole number", name));
}

// The host's fields from a JSON body or a form; port_min and port_max go together.
Result<HostInput> input_from(const Request& request) {
  Result<nlohmann::json> body = parse_body(request);
  if (!body) return body.error();
  HostInput input;
  input.name = string_field(*body, "name");
  input.address = string_field(*body, "address");
  input.ssh_user = string_field(*body, "ssh_user");
  input.cpus = string_field(*body, "cpus");
  Result<std::optional<int>> ssh_port = int_member(*body, "ssh_port");
  Result<std::optional<int>> port_min = int_member(*body, "port_min");
  Result<std::optional<int>> port_max = int_member(*body, "port_max");
  Result<std::optional<int>> max_servers = int_member(*body, "max_servers");
  for (const auto* member : {&ssh_port, &port_min, &port_max, &max_servers}) {
    if (!*member) return member->error();
  }
  input.ssh_port = *ssh_port;
  input.max_servers = *max_servers;
  if (port_min->has_value() != port_max->has_value()) return Error::invalid("port_min, port_max: give both");
  if (*port_min) input.ports = PortRange{**port_min, **port_max};
  if (auto problem = check_host_input(input)) return Error::invalid(*problem);
  return input;
}

// The 422 for a refused field, naming it (the host rules' messages start with the field's name).
Response refused(const Error& error) {
  if (error.code() != ErrorCode::kInvalidArgument) return error_from(error);
  std::string_view message = error.message();
  std::string field(message.substr(0, message.find_first_of(":,")));
  return error_response(422, "invalid", message, field);
}

// The host's scanned key: ed25519 when the host offers it, else its first.
Result<HostKey> scan(App& app, const std::string& address, int port) {
  if (!app.scan_host_keys) return Error::unavailable("this panel cannot scan host keys");
  Result<std::vector<HostKey>> keys = app.scan_host_keys(address, port);
  if (!keys) return keys.error();
  if (keys->empty()) return Error::unavailable(fmt::format("{} port {} offered no host key", address, port));
  for (const HostKey& key : *keys) {
    if (key.known_hosts_line.find(" ssh-ed25519 ") != std::string::npos) return key;
  }
  return keys->front();
}

// How many servers each host runs now (starting or running, as the live status says).
Result<std::map<std::int64_t, int>> running_counts(App& app) {
  Result<std::vector<Server>> servers = app.servers->list_all();
  if (!servers) return servers.error();
  Result<std::shared_ptr<const StatusMap>> statuses = app.status_cache->snapshot();
  HostStatuses live = statuses ? HostStatuses::answered(**statuses) : HostStatuses::not_known();
  std::map<std::int64_t, int> running;
  for (const Server& server : *servers) {
    if (is_up(view_server(server, live).state)) ++running[server.host_id];
  }
  return running;
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
  // The last refresh of the live status: the dashboard's wall time over every host (bench/hosts_dashboard.sh).
  RefreshTiming refresh = app.status_cache->last_refresh();
  nlohmann::json timing = nullptr;
  if (refresh.number > 0) {
    timing = {{"wall_ms", static_cast<double>(refresh.wall.count()) / 1000.0},
              {"hosts", refresh.hosts},
              {"number", refresh.number}};
  }
  return json_response(200, {{"hosts", std::move(*list)}, {"status_refresh", std::move(timing)}});
}

Response create_host(App& app, Context& context) {
  Result<HostInput> input = input_from(context.request);
  if (!input) return refused(input.error());
  if (!input->address) return refused(Error::invalid("address: required"));
  Result<HostKey> key = scan(app, *input->address, input->ssh_port.value_or(22));
  if (!key) return error_from(key.error());
  Result<Host> host = app.hosts->add(*input, *key);
  if (!host) return refused(host.error());
  return host_answer(app, 201, *host);
}

Response get_host(App& app, Context&, const Host& host) { return host_answer(app, 200, host); }

Response update_host(App& app, Context& context, const Host& host) {
  Result<HostInput> input = input_from(context.request);
  if (!input) return refused(input.error());
  Result<Host> updated = app.hosts->update(host.id, *input);
  if (!updated) return refused(updated.error());
  if (Status status = app.reload_hosts(); !status) return error_from(status.error());
  return host_answer(app, 200, *updated);
}

Response delete_host(App& app, Context&, const Host& host) {
  if (Status removed = app.hosts->remove(host.id); !removed) return refused(removed.error());
  if (Status status = app.reload_hosts(); !status) return error_from(status.error());
  return json_response(200, {{"deleted", host.id}});
}

Response confirm_host_key(App& app, Context& context, const Host& host) {
  Result<nlohmann::json> body = parse_body(context.request);
  if (!body) return error_from(body.error());
  Result<Host> confirmed = app.hosts->confirm_key(host.id, string_field(*body, "fingerprint").value_or(""));
  if (!confirmed) return refused(confirmed.error());
  if (app.pin_host_key) {
    if (Status pinned = app.pin_host_key(*confirmed); !pinned) return error_from(pinned.error());
  }
  if (Status status = app.reload_hosts(); !status) return error_from(status.error());
  return host_answer(app, 200, *confirmed);
}

Response rescan_host_key(App& app, Context&, const Host& host) {
  if (host.local()) return refused(Error::invalid("host: the local host is reached without SSH"));
  Result<HostKey> key = scan(app, host.address, host.ssh_port);
  if (!key) return error_from(key.error());
  Result<Host> rescanned = app.hosts->replace_key(host.id, *key);
  if (!rescanned) return refused(rescanned.error());
  if (Status status = app.reload_hosts(); !status) return error_from(status.error());
  return host_answer(app, 200, *rescanned);
}

}  // namespace left4me::web::api
