#include "web/host_actions.h"

#include <fmt/format.h>

#include <cstdint>

#include "base/strings.h"
#include "web/responses.h"
#include "web/server_view.h"

namespace left4me::web {
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

// The result, once the Ctls are rebuilt from the records as they are now.
Result<Host> reloaded(App& app, Result<Host> host) {
  if (!host) return host;
  if (Status status = app.reload_hosts(); !status) return status.error();
  return host;
}

}  // namespace

Result<HostInput> host_input_from(const Request& request) {
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

Result<Host> add_scanned_host(App& app, const HostInput& input) {
  if (!input.address) return Error::invalid("address: required");
  Result<HostKey> key = scan(app, *input.address, input.ssh_port.value_or(22));
  if (!key) return key.error();
  return app.hosts->add(input, *key);
}

Result<Host> change_host(App& app, const Host& host, const HostInput& input) {
  return reloaded(app, app.hosts->update(host.id, input));
}

Result<Host> confirm_scanned_key(App& app, const Host& host, const std::string& fingerprint) {
  Result<Host> confirmed = app.hosts->confirm_key(host.id, fingerprint);
  if (!confirmed) return confirmed;
  if (app.pin_host_key) {
    if (Status pinned = app.pin_host_key(*confirmed); !pinned) return pinned.error();
  }
  return reloaded(app, std::move(confirmed));
}

Result<Host> rescan_host(App& app, const Host& host) {
  if (host.local()) return Error::invalid("host: the local host is reached without SSH");
  Result<HostKey> key = scan(app, host.address, host.ssh_port);
  if (!key) return key.error();
  return reloaded(app, app.hosts->replace_key(host.id, *key));
}

Status delete_host_record(App& app, const Host& host) {
  if (Status removed = app.hosts->remove(host.id); !removed) return removed;
  if (Status reloaded = app.reload_hosts(); !reloaded) return reloaded;
  return app.forget_host_key(host);
}

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

}  // namespace left4me::web
