// The server unit's per-instance identity on systemd (docs/design.md, "uid scheme"): the instance
// uid recorded in instances/<name>/uid becomes User=/Group= of left4me-server@<name>.service through
// a unit drop-in, and a resolvable user and group through userdb drop-in records (systemd refuses a
// numeric User= that NSS cannot resolve). Used by left4me-systemctl, as root. Thread-compatible.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "base/result.h"
#include "host/instance_identity.h"
#include "model/instance_name.h"
#include "model/layout.h"

namespace left4me::helper {

inline constexpr std::string_view kHostEnv = "/etc/left4me/host.env";
inline constexpr std::string_view kSystemUnitDir = "/etc/systemd/system";
inline constexpr std::string_view kUserdbDir = "/etc/userdb";

// What the helper reads from host.env (never from a sudo caller's environment).
struct IdentitySettings {
  model::Layout layout;
  host::IdentityRange range;
  // Where the drop-in and the records go. Persistent (/etc) so that an enabled server keeps its
  // identity when it starts at boot.
  std::string unit_dir{kSystemUnitDir};
  std::string userdb_dir{kUserdbDir};
};

// LEFT4ME_ROOT and LEFT4ME_INSTANCE_UID_BASE/COUNT from /etc/left4me/host.env. A plain-root caller
// (not through sudo; tests) may name another file with LEFT4ME_HOST_ENV and other directories with
// LEFT4ME_SYSTEMD_UNIT_DIR and LEFT4ME_USERDB_DIR. Fails on an unreadable file or a bad setting.
Result<IdentitySettings> load_identity_settings();

// The uid the instance's server runs as, allocating it if the overlay helper has not yet (same
// record, same lock, same validation: inside the range, not the service uid, not another
// instance's, read without following symlinks). nullopt when the data root belongs to root: then
// there is no service user to separate from and the overlay is not idmapped.
Result<std::optional<uid_t>> instance_server_uid(const IdentitySettings& settings, const model::InstanceName& name);

// "left4me-<uid>": the user and group name of an instance uid.
std::string identity_user_name(uid_t uid);
// The text of <unit_dir>/left4me-server@<name>.service.d/50-identity.conf.
std::string identity_dropin_text(const model::InstanceName& name, uid_t uid);
std::string identity_dropin_path(const IdentitySettings& settings, const model::InstanceName& name);

// Writes the userdb records and the unit drop-in for `uid` (unchanged files are not rewritten).
// Refuses a uid or name that NSS already resolves to someone else. With the default userdb
// directory it then checks that the uid resolves (nss-systemd reads /etc/userdb).
Status install_identity(const IdentitySettings& settings, const model::InstanceName& name, uid_t uid);

// Removes the drop-in and, if the instance has a valid recorded uid, its userdb records. Missing
// files are fine. Does not reload systemd (an unloaded unit reads its drop-ins afresh).
Status remove_identity(const IdentitySettings& settings, const model::InstanceName& name);

}  // namespace left4me::helper
