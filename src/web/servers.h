// Servers: named game server instances, each owned by a user, live-linked to one of the owner's
// blueprints, with a port from the configured range. Thread-safe (through Database).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "web/database.h"
#include "web/limits.h"
#include "web/scope.h"

namespace left4me::web {

// The dashboard's render-cache key (server_rows_html in pages_servers.cc) lists every field: add new ones there.
struct Server {
  std::int64_t id = 0;
  std::string name;
  std::int64_t owner_id = 0;
  std::string owner_name;
  std::int64_t blueprint_id = 0;
  std::string blueprint_name;
  std::int64_t blueprint_version = 0;
  int port = 0;
  std::string state;  // last known: new, running, stopped, failed, ... (live state comes from l4d2ctl)
  std::optional<std::int64_t> applied_blueprint_id;  // what the instance was last initialized from
  std::optional<std::int64_t> applied_version;
  std::int64_t created_at = 0;

  // The instance runs an older version of its blueprint (or another blueprint) than the current one.
  bool outdated() const {
    return applied_version.has_value() &&
           (applied_blueprint_id != blueprint_id || *applied_version != blueprint_version);
  }
};

struct PortRange {
  int start = 27015;
  int end = 27115;  // inclusive
};

class Servers {
 public:
  Servers(Database& database, PortRange ports, DefaultLimits limits)
      : database_(database), ports_(ports), limits_(limits) {}

  // Creates a server on the owner's blueprint with the lowest free port. Fails kInvalidArgument for a bad
  // name, kNotFound if the blueprint is not the owner's, kLimitReached when the owner has as many servers as
  // their limit allows, kAlreadyExists for a taken name, kUnavailable when every port in the range is taken.
  Result<Server> create(std::int64_t owner_id, const std::string& name, std::int64_t blueprint_id);
  Result<Server> get(std::int64_t id, const Scope& scope);
  Result<std::vector<Server>> list(const Scope& scope);
  Result<std::vector<Server>> list_all();
  // Moves the server to another blueprint of its owner.
  Result<Server> reassign(std::int64_t id, const Scope& scope, std::int64_t blueprint_id);
  Status set_state(std::int64_t id, const std::string& state);
  Status mark_applied(std::int64_t id, std::int64_t blueprint_id, std::int64_t version);
  Status remove(std::int64_t id);
  const PortRange& ports() const { return ports_; }

 private:
  Database& database_;
  PortRange ports_;
  DefaultLimits limits_;
};

}  // namespace left4me::web
