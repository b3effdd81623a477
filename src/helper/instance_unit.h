// The server unit's per-instance configuration on systemd, written only by left4me-systemctl as root:
// one root-owned drop-in, left4me-server@<name>.service.d/50-instance.conf, holding everything the unit
// takes from the instance (its port and srcds arguments as Environment=, the one port it may bind, and
// User=/Group= its own uid) and HOME=<root>/steam-home (where srcds finds .steam/sdk32/steamclient.so), and userdb
// records that make that uid resolvable (systemd refuses a numeric User= that NSS cannot resolve). The values come from
// instances/<name>/instance.env, a file the service user writes, read by the strict parser and checked against
// host.env; the unit itself reads no file of the service user's (docs/design.md, "Trust boundaries").
// Thread-compatible.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "helper/helper_config.h"
#include "model/instance_name.h"
#include "model/render.h"

namespace left4me::helper {

inline constexpr std::string_view kSystemUnitDir = "/etc/systemd/system";
inline constexpr std::string_view kUserdbDir = "/etc/userdb";
inline constexpr std::string_view kInstanceDropinName = "50-instance.conf";
// The name the drop-in had before it carried more than the identity; removed when found.
inline constexpr std::string_view kLegacyIdentityDropinName = "50-identity.conf";

// Where the helper works: host.env's settings, and where the drop-in and records go. Persistent (/etc)
// so that an enabled server keeps its configuration when it starts at boot.
struct UnitSettings {
  host::HostEnv host;
  std::string unit_dir{kSystemUnitDir};
  std::string userdb_dir{kUserdbDir};

  static UnitSettings from(const HelperConfig& config);
};

// What the drop-in says for one instance.
struct InstanceUnit {
  model::InstanceEnv env;    // port and srcds arguments, validated
  std::optional<uid_t> uid;  // the instance's own uid; nullopt when the data root belongs to root
  std::string home;          // the server's HOME: Layout::steam_home(), where its steamclient.so lies
};

// Reads instance.env (host::read_instance_env: no symlinks, bounded, strict) and checks its port lies
// in host.env's port range; finds (allocating if needed) the instance uid with
// host::instance_server_uid. Errors name the file, line and key.
Result<InstanceUnit> read_instance_unit(const UnitSettings& settings, const model::InstanceName& name);

// "left4me-<uid>": the user and group name of an instance uid.
std::string identity_user_name(uid_t uid);
// The text of the drop-in. '%' in arguments is written '%%' (systemd's specifier escape).
std::string instance_dropin_text(const model::InstanceName& name, const InstanceUnit& unit);
std::string instance_dropin_path(const UnitSettings& settings, const model::InstanceName& name);

// Writes the userdb records (with a uid) and the drop-in; unchanged files are not rewritten, a legacy
// 50-identity.conf is removed. Refuses a uid or name that NSS already resolves to someone else. With the
// default userdb directory it then checks that the uid resolves (nss-systemd reads /etc/userdb).
Status install_instance_unit(const UnitSettings& settings, const model::InstanceName& name, const InstanceUnit& unit);

// Removes the drop-in (and a legacy one) and, if the instance has a valid recorded uid, its userdb
// records. Missing files are fine. Does not reload systemd (an unloaded unit reads its drop-ins afresh).
Status remove_instance_unit(const UnitSettings& settings, const model::InstanceName& name);

}  // namespace left4me::helper
