// Hosts: the machines the panel runs servers on, as records (docs/design.md, "Several hosts"). The panel's own
// machine is the host `local` (kLocalHostId, no address: reached without SSH); every other host is reached over SSH
// once an administrator confirmed its key. Thread-safe (through Database).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "web/database.h"

namespace left4me::web {

// The host `local`, made by migration 17; it is never deleted.
inline constexpr std::int64_t kLocalHostId = 1;
inline constexpr std::string_view kLocalHostName = "local";

// A host's game ports (inclusive).
struct PortRange {
  int start = 27015;
  int end = 27115;  // inclusive
  int size() const { return end - start + 1; }
};

// A host key as ssh-keyscan gave it: the known_hosts line and its fingerprint ("SHA256:...").
struct HostKey {
  std::string known_hosts_line;
  std::string fingerprint;
};

struct Host {
  std::int64_t id = 0;
  std::string name;
  std::string address;  // empty for local
  int ssh_port = 22;
  std::string ssh_user = "left4me";
  PortRange ports;
  int max_servers = 0;
  std::string cpus;  // a CPU list ("0-3,6"), empty for any; shown and kept for the host's own configuration
  HostKey key;       // the last scanned key
  bool key_confirmed = false;
  std::int64_t created_at = 0;

  bool local() const { return id == kLocalHostId; }
  // Takes servers and is polled: local, or a remote host whose key an administrator confirmed.
  bool usable() const { return local() || key_confirmed; }
};

// What an administrator gives to add or change a host; members left out of a change keep their value.
struct HostInput {
  std::optional<std::string> name;
  std::optional<std::string> address;
  std::optional<int> ssh_port;
  std::optional<std::string> ssh_user;
  std::optional<PortRange> ports;
  std::optional<int> max_servers;
  std::optional<std::string> cpus;
};

// The rules of a host's fields: nullopt when the input is good, else what is wrong (naming the field). A name is
// 1..32 of [a-z0-9-], starting with a letter or digit; an address a host name or IPv4/IPv6 address (letters,
// digits, '.', '-', ':'), not starting with '-'; ports 1..65535, the game ports within 1024..65535 with start <= end;
// max_servers 0..1000; cpus digits, ',' and '-' only; the SSH user a POSIX user name.
std::optional<std::string> check_host_input(const HostInput& input);

class Hosts {
 public:
  explicit Hosts(Database& database) : database_(database) {}

  // Every host, by id (local first).
  Result<std::vector<Host>> list();
  // kNotFound ("host 7 not found").
  Result<Host> get(std::int64_t id);
  // Adds a remote host with its scanned key, not yet confirmed. Fails kInvalidArgument for bad input or a missing
  // name/address/ports/max_servers, kAlreadyExists for a name taken.
  Result<Host> add(const HostInput& input, const HostKey& key);
  // Changes the given members. The local host takes only max_servers and cpus (its range is web.env's:
  // kInvalidArgument otherwise). kNotFound, kInvalidArgument, kAlreadyExists as add.
  Result<Host> update(std::int64_t id, const HostInput& input);
  // A newly scanned key: stored and no longer confirmed, so the host takes no servers until confirmed again.
  Result<Host> replace_key(std::int64_t id, const HostKey& key);
  // Confirms the scanned key: fingerprint must be the scanned one (kInvalidArgument otherwise; kNotFound).
  Result<Host> confirm_key(std::int64_t id, const std::string& fingerprint);
  // Deletes a remote host without servers: kAlreadyExists ("host 'b' has 3 servers") when it has some,
  // kInvalidArgument for local, kNotFound.
  Status remove(std::int64_t id);
  // Writes web.env's port range to the local host's record (at start).
  Status set_local_ports(PortRange ports);
  // How many servers each host has, by host id.
  Result<std::map<std::int64_t, int>> server_counts();

 private:
  Database& database_;
};

// Placement (docs/design.md, "Several hosts"): of the usable hosts not in `unreachable`, the one with the most
// free capacity (min(max_servers, ports.size()) minus its servers), ties by lowest id. kUnavailable with a
// message when none has room. Runs inside the caller's transaction. The local host's ports are local_ports
// (web.env's, which its record mirrors from the start on).
Result<Host> place_server(Database::Lock& lock, const std::set<std::int64_t>& unreachable, PortRange local_ports);
// The host to create a server on: `chosen` when given (kInvalidArgument when it is not usable, kNotFound when
// unknown, kUnavailable when it is full), else place_server.
Result<Host> choose_host(Database::Lock& lock, std::optional<std::int64_t> chosen,
                         const std::set<std::int64_t>& unreachable, PortRange local_ports);

}  // namespace left4me::web
