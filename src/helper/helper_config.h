// What a privileged helper (left4me-overlay, left4me-systemctl, left4me-journalctl) may take from its
// caller, decided in one place: its argv, validated, and nothing else. Settings come from root-owned
// /etc/left4me/host.env and compiled-in defaults; the environment is never read (the helpers run as
// root through sudo, whose env_reset is the first line of defence only, and from systemd's
// ExecStartPre=+/ExecStopPost=+ hooks, whose environment is the unit's). docs/design.md, "Trust
// boundaries". Thread-compatible.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "host/host_env.h"

namespace left4me::helper {

// True for a caller that is root without having come through sudo (uid and euid 0, none of sudo's
// SUDO_UID/SUDO_USER/SUDO_COMMAND set): the only caller that may point a helper at another host.env.
// Such a caller could mount or run anything itself, so honouring it grants nothing; sudo sets those
// variables itself, so a sudo caller cannot pass for one.
bool caller_is_plain_root();

struct HelperConfig {
  std::string host_env_path;  // the file the settings came from
  host::HostEnv host;
  // Test hooks, honoured only from a file a plain-root caller named with --host-env (never from
  // /etc/left4me/host.env): the systemctl and journalctl to run, where unit drop-ins and userdb
  // records go, and the overlay lowerdir API (auto, fd, append, legacy).
  std::optional<std::string> systemctl;     // LEFT4ME_SYSTEMCTL
  std::optional<std::string> journalctl;    // LEFT4ME_JOURNALCTL
  std::optional<std::string> unit_dir;      // LEFT4ME_SYSTEMD_UNIT_DIR
  std::optional<std::string> userdb_dir;    // LEFT4ME_USERDB_DIR
  std::optional<std::string> lowerdir_api;  // LEFT4ME_OVERLAY_LOWERDIR_API
};

// Takes a leading "--host-env FILE" off `args` and returns FILE (nullopt without the option). A usage
// error: kPermissionDenied unless caller_is_plain_root(), kInvalidArgument if FILE is not absolute.
Result<std::optional<std::string>> take_host_env_option(std::vector<std::string_view>& args);

// Reads the settings from `named` (must exist; the test hooks are honoured) or else from
// host::kHostEnvPath (may be absent: the defaults). Errors name the file and key.
Result<HelperConfig> load_helper_config(const std::optional<std::string>& named);

// Moves this process into PID 1's mount namespace unless it is there already. A helper run through sudo
// from a sandboxed service (the web unit: ProtectSystem=strict, PrivateTmp) starts in that service's mount
// namespace, where /etc is read-only; what it writes (unit drop-ins, userdb records) belongs to the host.
Status enter_host_mount_namespace();

}  // namespace left4me::helper
