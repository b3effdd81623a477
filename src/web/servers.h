// Servers: game servers, each owned by a user, live-linked to one of the owner's blueprints, with a port
// from the configured range and a host instance (l4d2ctl's <name>) of its own. Thread-safe (through Database).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "web/accounts.h"
#include "web/database.h"
#include "web/hosts.h"
#include "web/limits.h"
#include "web/scope.h"
#include "web/states.h"

namespace left4me::web {

// A server's stored record. The render-cache key of server views (add_to_key in server_view.cc) lists every field:
// add new ones there.
struct Server {
  std::int64_t id = 0;
  std::string name;      // what people see and choose (unique per owner); never reaches the host
  std::string instance;  // the host instance: instance_name_for(id), or the name of an adopted one
  // The panel made the host instance (it checked that none of that name existed, then initialized it) or an
  // admin adopted it. Until then an instance of that name on the host is not this server's.
  bool owns_instance = false;
  std::int64_t owner_id = 0;
  std::string owner_name;
  std::int64_t blueprint_id = 0;
  std::string blueprint_name;
  std::int64_t blueprint_version = 0;
  std::int64_t host_id = kLocalHostId;  // the host it runs on (hosts.h); its port is unique on that host
  std::string host_name;
  int port = 0;
  // The state last recorded (by a job or the reconciler); what a page shows is decided by view_server.
  ServerState recorded_state = ServerState::kNew;
  std::optional<std::int64_t> applied_blueprint_id;  // what the instance was last initialized from
  std::optional<std::int64_t> applied_version;
  std::int64_t created_at = 0;
  // The role the server is shared with to the user it was read for (Servers::get, list_visible); nullopt for its
  // owner, for a user it is not shared with, and when read for nobody.
  std::optional<ShareRole> viewer_share;

  // The instance runs an older version of its blueprint (or another blueprint) than the current one.
  bool outdated() const {
    return applied_version.has_value() &&
           (applied_blueprint_id != blueprint_id || *applied_version != blueprint_version);
  }
  // The host instance's name once the panel manages it, else nullopt: nothing of a host instance the panel
  // does not manage (its status, console, process) is shown, stopped or deleted through this server.
  std::optional<std::string> managed_instance() const {
    return owns_instance ? std::optional<std::string>(instance) : std::nullopt;
  }
};

// The rule for a server's name: nullopt when name may be one, else what is wrong. UTF-8 text of 1 to
// kMaxServerNameCharacters characters (code points), any letters, spaces inside, no control character (C0, C1,
// DEL, text-direction controls, line and paragraph separators). Names are unique per owner: two users may each
// have a server called "friends-coop". They never reach the host (each server has its own instance), so this rule
// may change without touching host instances; pages escape them wherever they are shown.
std::optional<std::string> check_server_name(const std::string& name);
inline constexpr std::size_t kMaxServerNameCharacters = 64;

// The host instance name of a server the panel creates: "web-<id>" (a valid model::InstanceName). Derived
// from the id alone, so no text a user chose reaches the host and one user's names tell nothing of another's.
std::string instance_name_for(std::int64_t id);

// An existing host instance taken over as a server (Servers::adopt).
// Where a new server goes: the host an administrator chose, or else placement's choice (place_server, hosts.h)
// among the hosts not unreachable now.
struct ServerPlacement {
  std::optional<std::int64_t> host;
  std::set<std::int64_t> unreachable;
};

struct Adoption {
  std::string instance;  // as `l4d2ctl list` names it
  std::string name;      // the server's name
  std::int64_t owner_id = 0;
  std::int64_t blueprint_id = 0;    // one of the owner's; the panel initializes the instance from it at the next start
  std::optional<int> current_port;  // the instance's port now: kept when it is in the range and free
};

class Servers {
 public:
  Servers(Database& database, PortRange ports, DefaultLimits limits)
      : database_(database), ports_(ports), limits_(limits) {}

  // Creates a server on the owner's blueprint, on the host placement picks (choose_host, hosts.h) with the lowest
  // free port of that host's range, and the host instance instance_name_for(id), not yet owned (see
  // claim_instance). Fails kInvalidArgument for a bad name or a chosen host that takes no servers, kNotFound if the
  // blueprint is not the owner's or the chosen host is unknown, kLimitReached when the owner has as many servers as
  // their limit allows, kAlreadyExists when the owner has a server of that name, kUnavailable when no host has room
  // or every port in the host's range is taken.
  Result<Server> create(std::int64_t owner_id, const std::string& name, std::int64_t blueprint_id,
                        const ServerPlacement& placement = {});
  // Records an existing instance of the local host (the caller checked that the host has it) as a server that owns
  // it.
  // Fails kInvalidArgument for a bad name or instance name, kNotFound if the blueprint is not the owner's,
  // kAlreadyExists when a server already names the instance or the owner has a server of that name, kUnavailable
  // without a port.
  Result<Server> adopt(const Adoption& adoption);
  // The server takes its host instance: called before the panel first initializes it, once the host said
  // that no instance of that name exists.
  Status claim_instance(std::int64_t id);
  // The server if the scope's user owns it, is an administrator or has a share of it (viewer_share is then their
  // role); kNotFound ("server 7 not found") otherwise. Whether they may do a given thing is may()'s to say
  // (authorization.h).
  Result<Server> get(std::int64_t id, const Scope& scope);
  // The servers the scope owns (every server for an administrator's scope); never those shared with it.
  Result<std::vector<Server>> list(const Scope& scope);
  // As list, and the servers shared with the scope's user (viewer_share set): what they see on the dashboard.
  Result<std::vector<Server>> list_visible(const Scope& scope);
  Result<std::vector<Server>> list_all();
  // The host instances the panel manages on a host (managed_instance of its servers).
  Result<std::vector<std::string>> instances_on(std::int64_t host_id);
  // Moves the server to another blueprint of its owner. Fails kNotFound when the server is not visible to the scope
  // (as get),
  // kInvalidArgument ("blueprint 7 not found") when the blueprint is not one of its owner's.
  Result<Server> reassign(std::int64_t id, const Scope& scope, std::int64_t blueprint_id);
  Status record_state(std::int64_t id, ServerState state);
  Status mark_applied(std::int64_t id, std::int64_t blueprint_id, std::int64_t version);
  // Deletes the record; when it was the last server of a user being deleted, the user goes too (in one transaction).
  Result<std::optional<RemovedUser>> remove(std::int64_t id);
  // The local host's ports (web.env's); another host's are its record's.
  const PortRange& ports() const { return ports_; }

 private:
  Database& database_;
  PortRange ports_;
  DefaultLimits limits_;
};

}  // namespace left4me::web
