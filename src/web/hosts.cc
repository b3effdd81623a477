#include "web/hosts.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "web/accounts.h"

namespace left4me::web {
namespace {

constexpr const char* kSelect =
    "SELECT id, name, address, ssh_port, ssh_user, port_min, port_max, max_servers, cpus, host_key, "
    "host_key_fingerprint, host_key_confirmed, created_at FROM hosts";

constexpr int kMaxServersPerHost = 1000;

Host read_host(const Statement& statement) {
  Host host;
  host.id = statement.column_int(0);
  host.name = statement.column_text(1);
  host.address = statement.column_text(2);
  host.ssh_port = static_cast<int>(statement.column_int(3));
  host.ssh_user = statement.column_text(4);
  host.ports = {static_cast<int>(statement.column_int(5)), static_cast<int>(statement.column_int(6))};
  host.max_servers = static_cast<int>(statement.column_int(7));
  host.cpus = statement.column_text(8);
  host.key = {statement.column_text(9), statement.column_text(10)};
  host.key_confirmed = statement.column_int(11) != 0;
  host.created_at = statement.column_int(12);
  return host;
}

Result<std::vector<Host>> select_hosts(Database::Lock& lock) {
  auto select = lock.prepare(fmt::format("{} ORDER BY id", kSelect));
  if (!select) return select.error();
  std::vector<Host> hosts;
  for (;;) {
    Result<bool> row = select->step();
    if (!row) return row.error();
    if (!*row) return hosts;
    hosts.push_back(read_host(*select));
  }
}

Result<Host> select_host(Database::Lock& lock, std::int64_t id) {
  auto select = lock.prepare(fmt::format("{} WHERE id = ?", kSelect));
  if (!select) return select.error();
  Result<bool> row = select->bind(1, id).step();
  if (!row) return row.error();
  if (!*row) return Error::not_found(fmt::format("host {} not found", id));
  return read_host(*select);
}

Result<std::map<std::int64_t, int>> count_servers(Database::Lock& lock) {
  auto select = lock.prepare("SELECT host_id, count(*) FROM servers GROUP BY host_id");
  if (!select) return select.error();
  std::map<std::int64_t, int> counts;
  for (;;) {
    Result<bool> row = select->step();
    if (!row) return row.error();
    if (!*row) return counts;
    counts[select->column_int(0)] = static_cast<int>(select->column_int(1));
  }
}

bool only_of(const std::string& text, std::string_view allowed_punctuation) {
  return std::all_of(text.begin(), text.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           allowed_punctuation.find(c) != std::string_view::npos;
  });
}

std::optional<std::string> check_name(const std::string& name) {
  bool lower = std::none_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
  if (name.empty() || name.size() > 32 || !lower || !only_of(name, "-") || name.front() == '-') {
    return fmt::format("name: '{}' is not 1 to 32 of a-z, 0-9 and '-' (not starting with '-')", name);
  }
  return std::nullopt;
}

std::optional<std::string> check_address(const std::string& address) {
  if (address.empty() || address.size() > 253 || address.front() == '-' || !only_of(address, ".-:")) {
    return fmt::format("address: '{}' is not a host name or an IP address", address);
  }
  return std::nullopt;
}

std::optional<std::string> check_ports(const PortRange& ports) {
  if (ports.start < 1024 || ports.end > 65535 || ports.start > ports.end) {
    return fmt::format("port_min, port_max: {}..{} is not a range within 1024..65535", ports.start, ports.end);
  }
  return std::nullopt;
}

std::optional<std::string> check_user(const std::string& user) {
  if (user.empty() || user.size() > 32 || user.front() == '-' || !only_of(user, "-_.")) {
    return fmt::format("ssh_user: '{}' is not a user name", user);
  }
  return std::nullopt;
}

// The servers a host may still take: its limit (and its range's size) minus what it has.
int free_capacity(const Host& host, int servers) { return std::min(host.max_servers, host.ports.size()) - servers; }

}  // namespace

std::optional<std::string> check_host_input(const HostInput& input) {
  if (input.name) {
    if (auto problem = check_name(*input.name)) return problem;
  }
  if (input.address) {
    if (auto problem = check_address(*input.address)) return problem;
  }
  if (input.ssh_port && (*input.ssh_port < 1 || *input.ssh_port > 65535)) {
    return fmt::format("ssh_port: {} is outside 1..65535", *input.ssh_port);
  }
  if (input.ssh_user) {
    if (auto problem = check_user(*input.ssh_user)) return problem;
  }
  if (input.ports) {
    if (auto problem = check_ports(*input.ports)) return problem;
  }
  if (input.max_servers && (*input.max_servers < 0 || *input.max_servers > kMaxServersPerHost)) {
    return fmt::format("max_servers: {} is outside 0..{}", *input.max_servers, kMaxServersPerHost);
  }
  if (input.cpus && (input.cpus->size() > 256 || !std::all_of(input.cpus->begin(), input.cpus->end(), [](char c) {
                       return (c >= '0' && c <= '9') || c == ',' || c == '-';
                     }))) {
    return fmt::format("cpus: '{}' is not a CPU list such as 0-3,6", *input.cpus);
  }
  return std::nullopt;
}

Result<std::vector<Host>> Hosts::list() {
  Database::Lock lock(database_, LockMode::kRead);
  return select_hosts(lock);
}

Result<Host> Hosts::get(std::int64_t id) {
  Database::Lock lock(database_, LockMode::kRead);
  return select_host(lock, id);
}

Result<Host> Hosts::add(const HostInput& input, const HostKey& key) {
  if (auto problem = check_host_input(input)) return Error::invalid(*problem);
  for (auto [given, field] : {std::pair{input.name.has_value(), "name"},
                              {input.address.has_value(), "address"},
                              {input.ports.has_value(), "port_min, port_max"},
                              {input.max_servers.has_value(), "max_servers"}}) {
    if (!given) return Error::invalid(fmt::format("{}: required", field));
  }
  Database::Lock lock(database_);
  auto insert = lock.prepare(
      "INSERT INTO hosts (name, address, ssh_port, ssh_user, port_min, port_max, max_servers, cpus, host_key, "
      "host_key_fingerprint, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING");
  if (!insert) return insert.error();
  insert->bind(1, *input.name).bind(2, *input.address).bind(3, input.ssh_port.value_or(22));
  insert->bind(4, input.ssh_user.value_or("left4me")).bind(5, input.ports->start).bind(6, input.ports->end);
  insert->bind(7, *input.max_servers).bind(8, input.cpus.value_or("")).bind(9, key.known_hosts_line);
  insert->bind(10, key.fingerprint).bind(11, unix_now());
  if (Status status = insert->run(); !status) return status.error();
  if (lock.changes() == 0) {
    return Error(ErrorCode::kAlreadyExists, fmt::format("a host named '{}' exists already", *input.name));
  }
  return select_host(lock, lock.last_insert_id());
}

Result<Host> Hosts::update(std::int64_t id, const HostInput& input) {
  if (auto problem = check_host_input(input)) return Error::invalid(*problem);
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Database::Lock& lock = (*transaction)->lock();
  Result<Host> host = select_host(lock, id);
  if (!host) return host.error();
  if (host->local() && (input.name || input.address || input.ssh_port || input.ssh_user || input.ports)) {
    return Error::invalid(
        "the local host takes only max_servers and cpus (its port range is web.env's LEFT4ME_PORT_RANGE_*)");
  }
  if (input.name && *input.name != host->name) {
    Result<std::vector<Host>> all = select_hosts(lock);
    if (!all) return all.error();
    for (const Host& other : *all) {
      if (other.name == *input.name) {
        return Error(ErrorCode::kAlreadyExists, fmt::format("a host named '{}' exists already", *input.name));
      }
    }
  }
  auto update = lock.prepare(
      "UPDATE hosts SET name = ?, address = ?, ssh_port = ?, ssh_user = ?, port_min = ?, port_max = ?, "
      "max_servers = ?, cpus = ? WHERE id = ?");
  if (!update) return update.error();
  PortRange ports = input.ports.value_or(host->ports);
  update->bind(1, input.name.value_or(host->name)).bind(2, input.address.value_or(host->address));
  update->bind(3, input.ssh_port.value_or(host->ssh_port)).bind(4, input.ssh_user.value_or(host->ssh_user));
  update->bind(5, ports.start).bind(6, ports.end).bind(7, input.max_servers.value_or(host->max_servers));
  update->bind(8, input.cpus.value_or(host->cpus)).bind(9, id);
  if (Status status = update->run(); !status) return status.error();
  Result<Host> updated = select_host(lock, id);
  if (!updated) return updated.error();
  if (Status status = (*transaction)->commit(); !status) return status.error();
  return updated;
}

Result<Host> Hosts::replace_key(std::int64_t id, const HostKey& key) {
  Database::Lock lock(database_);
  auto update = lock.prepare(
      "UPDATE hosts SET host_key = ?, host_key_fingerprint = ?, host_key_confirmed = 0 WHERE id = ? AND id != ?");
  if (!update) return update.error();
  update->bind(1, key.known_hosts_line).bind(2, key.fingerprint).bind(3, id).bind(4, kLocalHostId);
  if (Status status = update->run(); !status) return status.error();
  if (id == kLocalHostId) return Error::invalid("the local host is reached without SSH: it has no host key");
  return select_host(lock, id);
}

Result<Host> Hosts::confirm_key(std::int64_t id, const std::string& fingerprint) {
  Database::Lock lock(database_);
  Result<Host> host = select_host(lock, id);
  if (!host) return host.error();
  if (host->local()) return Error::invalid("the local host is reached without SSH: it has no host key");
  if (host->key.fingerprint.empty() || fingerprint != host->key.fingerprint) {
    return Error::invalid(fmt::format("fingerprint: '{}' is not the scanned key's ({}); scan again if it changed",
                                      fingerprint, host->key.fingerprint));
  }
  auto update = lock.prepare("UPDATE hosts SET host_key_confirmed = 1 WHERE id = ?");
  if (!update) return update.error();
  if (Status status = update->bind(1, id).run(); !status) return status.error();
  host->key_confirmed = true;
  return host;
}

Status Hosts::remove(std::int64_t id) {
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Database::Lock& lock = (*transaction)->lock();
  Result<Host> host = select_host(lock, id);
  if (!host) return host.error();
  if (host->local()) return Error::invalid("the local host cannot be deleted");
  Result<std::map<std::int64_t, int>> counts = count_servers(lock);
  if (!counts) return counts.error();
  if (int servers = (*counts)[id]; servers > 0) {
    return Error(ErrorCode::kAlreadyExists,
                 fmt::format("host '{}' has {} server(s): delete or move them first", host->name, servers));
  }
  auto remove = lock.prepare("DELETE FROM hosts WHERE id = ?");
  if (!remove) return remove.error();
  if (Status status = remove->bind(1, id).run(); !status) return status;
  return (*transaction)->commit();
}

Status Hosts::set_local_ports(PortRange ports) {
  Database::Lock lock(database_);
  auto update = lock.prepare("UPDATE hosts SET port_min = ?, port_max = ? WHERE id = ?");
  if (!update) return update.error();
  return update->bind(1, ports.start).bind(2, ports.end).bind(3, kLocalHostId).run();
}

Result<std::map<std::int64_t, int>> Hosts::server_counts() {
  Database::Lock lock(database_, LockMode::kRead);
  return count_servers(lock);
}

Result<Host> place_server(Database::Lock& lock, const std::set<std::int64_t>& unreachable, PortRange local_ports) {
  Result<std::vector<Host>> hosts = select_hosts(lock);
  if (!hosts) return hosts.error();
  Result<std::map<std::int64_t, int>> counts = count_servers(lock);
  if (!counts) return counts.error();
  const Host* best = nullptr;
  int best_free = 0;
  std::vector<std::string> full;
  for (Host& host : *hosts) {  // by id: a tie keeps the lower id
    if (host.local()) host.ports = local_ports;
    if (!host.usable() || unreachable.count(host.id) > 0) continue;
    int free = free_capacity(host, (*counts)[host.id]);
    if (free > best_free) {
      best = &host;
      best_free = free;
    }
    full.push_back(fmt::format("{}: {} servers, at most {}, ports {}..{}", host.name, (*counts)[host.id],
                               host.max_servers, host.ports.start, host.ports.end));
  }
  if (best == nullptr) {
    return Error::unavailable(
        fmt::format("no free port or place for a server on any usable, reachable host ({})", fmt::join(full, "; ")));
  }
  return *best;
}

Result<Host> choose_host(Database::Lock& lock, std::optional<std::int64_t> chosen,
                         const std::set<std::int64_t>& unreachable, PortRange local_ports) {
  if (!chosen) return place_server(lock, unreachable, local_ports);
  Result<Host> host = select_host(lock, *chosen);
  if (!host) return host.error();
  if (host->local()) host->ports = local_ports;
  if (!host->usable()) {
    return Error::invalid(fmt::format("host: '{}' takes no servers until its key is confirmed", host->name));
  }
  Result<std::map<std::int64_t, int>> counts = count_servers(lock);
  if (!counts) return counts.error();
  if (free_capacity(*host, (*counts)[host->id]) <= 0) {
    return Error::unavailable(
        fmt::format("host '{}' is full ({} of {} servers)", host->name, (*counts)[host->id], host->max_servers));
  }
  return host;
}

}  // namespace left4me::web
