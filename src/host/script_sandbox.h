// The script sandbox: what a script overlay's build script runs in (docs/design.md, "Script overlays"). The
// overlay id rule, the command lines of both runners (a systemd transient unit, bubblewrap) and the pass that
// makes a built tree world-readable and drops symlinks leading out of it. Used by the left4me-script-sandbox
// helper and by l4d2ctl. Stateless; thread-safe.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "host/host_env.h"
#include "model/layout.h"

namespace left4me::host {

// Where the script sees its overlay (read-write, its working directory and $OVERLAY) and itself.
inline constexpr std::string_view kSandboxOverlayDir = "/overlay";
inline constexpr std::string_view kSandboxScript = "/script.sh";
// The largest script accepted (it is a build recipe; content comes from downloads, not from the script).
inline constexpr off_t kMaxScriptBytes = 1 << 20;

// An overlay id as the database gives it: 1 to 18 decimal digits, no leading zero. Fails with
// kInvalidArgument naming the text.
Result<std::string> parse_overlay_id(std::string_view text);

// The layout with LEFT4ME_ROOT's symlinks resolved (the root is root's to choose, and may be a link); below
// it nothing is followed.
Result<model::Layout> canonical_layout(const model::Layout& layout);
// overlays/<id> of a canonical layout, opened (O_RDONLY | O_DIRECTORY) without following any symlink.
// kNotFound when it does not exist; kInvalidArgument when it is not a real directory.
Result<UniqueFd> open_overlay(const model::Layout& layout, std::string_view overlay_id);
// scripts/<id>.sh of a canonical layout, opened read-only without following any symlink: it must be a
// regular file of at most kMaxScriptBytes owned by `owner`. kNotFound when absent, else kInvalidArgument.
Result<UniqueFd> open_overlay_script(const model::Layout& layout, std::string_view overlay_id, uid_t owner);

// "left4me-script-<id>-<pid>.service": the transient unit of one build.
std::string script_unit_name(std::string_view overlay_id, pid_t pid);

// What the sandbox binds, as the host sees it.
struct SandboxPaths {
  std::string overlay;    // the overlay directory (or a /proc/self/fd/N naming it)
  std::string script;     // the script file (or a /proc/self/fd/N naming it)
  std::string data_root;  // LEFT4ME_ROOT, canonical: hidden from the script
};

// The destinations a script may not reach: loopback, link-local, multicast, private (RFC 1918), CGNAT,
// "this network", unique-local IPv6, and every address in `own` (the host's own, see host_addresses()):
// traffic to those enters through the loopback interface, which the firewall accepts.
std::vector<std::string> denied_networks(const std::vector<std::string>& own);
// The host's own interface addresses (getifaddrs), loopback included; empty if they cannot be read.
std::vector<std::string> host_addresses();

// The `systemd-run` command that runs `bash /script.sh` as uid:gid in a transient unit of
// l4d2-build.slice, waiting for it and passing its output through (docs/design.md lists the properties).
std::vector<std::string> systemd_run_command(std::string_view systemd_run, std::string_view unit,
                                             const SandboxPaths& paths, uid_t uid, gid_t gid,
                                             const ScriptLimits& limits, const std::vector<std::string>& denied);

// The `prlimit ... -- bwrap ...` command that runs `bash /script.sh` in new namespaces of every kind (no
// network at all), with only /usr (and the root's links into it), a few files of /etc, and the overlay.
std::vector<std::string> bubblewrap_command(std::string_view prlimit, std::string_view bwrap, const SandboxPaths& paths,
                                            const ScriptLimits& limits);

// After a build: every directory and regular file below the directory `overlay_fd` gets o+r (directories
// also o+x), never following a symlink (fchmodat AT_SYMLINK_NOFOLLOW), and every symlink whose target is
// absolute or climbs out of the overlay is removed. Returns one line per removed link
// ("removed symlink a/b -> /etc/passwd: it leads out of the overlay"). Fails on the first I/O error.
Result<std::vector<std::string>> finish_overlay_tree(int overlay_fd);

}  // namespace left4me::host
