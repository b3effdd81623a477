// How the panel reaches a host over OpenSSH (docs/design.md, "Several hosts: transport"): ssh's argv for
// a host (the panel's key, the host's pinned key, one multiplexed connection), the panel's key, and the
// scan and pinning of a host's key. Pure functions and file writes; thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "base/result.h"

namespace left4me::web {

// A host as OpenSSH reaches it.
struct SshTarget {
  std::string address;           // host name or IP address (check_address)
  int port = 22;                 // 1..65535
  std::string user = "left4me";  // the service user on the host (tests may use another)
  std::string known_hosts_file;  // this host's pinned key, one known_hosts line (written by pin_host_key)
};

// The panel's side, the same for every host.
struct SshSettings {
  std::string program = "ssh";
  std::string key_file;     // the panel's private key (ensure_panel_key)
  std::string control_dir;  // ControlPath sockets: at most kMaxControlDirLength bytes (sun_path is 108)
  std::chrono::seconds connect_timeout{5};
  std::chrono::seconds control_persist{60};
};

// A control socket is <control_dir>/<40 hex digits of %C>, which ssh first binds with 17 more bytes (a dot
// and a random suffix), and a socket path holds at most 107 bytes.
inline constexpr std::size_t kMaxControlDirLength = 48;

// ssh's argv up to and including "--" and the destination (the caller appends the one remote command
// word): -F none (no user or system ssh_config), -T, BatchMode=yes, StrictHostKeyChecking=yes,
// UserKnownHostsFile=<target.known_hosts_file>, GlobalKnownHostsFile=/dev/null, IdentitiesOnly, -i key,
// ControlMaster=auto, ControlPath=<control_dir>/%C, ControlPersist, ConnectTimeout, ServerAliveInterval=1
// with ServerAliveCountMax=<connect timeout in seconds> (a dead link is noticed within the connect
// timeout, also by a multiplexed connection), -p port, "--", user@address. The target is not checked
// here: check it with check_target when it is stored.
std::vector<std::string> ssh_argv(const SshSettings& settings, const SshTarget& target);

// An address ssh and ssh-keyscan take as a host and nothing else: a host name or IPv4/IPv6 address
// (letters, digits, '.', '-', ':'; not starting with '-'; at most 253 bytes). Invalid-argument errors
// name the address.
Status check_address(const std::string& address);
// check_address, the port (1..65535) and the user (a POSIX user name: [a-z_][a-z0-9_-]*, at most 32).
Status check_target(const SshTarget& target);

struct PanelKey {
  std::string private_key_file;
  std::string public_key_line;  // "ssh-ed25519 AAAA... left4me-panel"
};
// Creates <dir>/id_ed25519 (ssh-keygen -t ed25519 -N '') once, mode 0600 (dir 0700, made if missing);
// returns it and its public line. An existing key is kept.
Result<PanelKey> ensure_panel_key(const std::string& dir);

struct ScannedKey {
  std::string known_hosts_line;  // "<address> <type> <base64>" or "[<address>]:<port> <type> <base64>"
  std::string fingerprint;       // "SHA256:..."
  std::string type;              // "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"
};
// The host's keys as ssh-keyscan -T 5 -p port address finds them (ed25519 first), fingerprinted by
// ssh-keygen -lf. Errors: the address or port is not valid (invalid-argument), nothing answered
// (unavailable, with ssh-keyscan's message).
Result<std::vector<ScannedKey>> scan_host_keys(const std::string& address, int port);

// The known_hosts pattern ssh looks a target up by: "<address>" on port 22, "[<address>]:<port>" otherwise.
std::string known_hosts_pattern(const std::string& address, int port);

// Writes key's line to target.known_hosts_file atomically (0600), replacing what was there. Refuses
// (invalid-argument) a line that is not for the target's address and port.
Status pin_host_key(const SshTarget& target, const ScannedKey& key);

}  // namespace left4me::web
