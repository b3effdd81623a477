// The bind guard: a tiny cgroup BPF program (BPF_CGROUP_INET4_BIND / INET6_BIND) that lets the processes
// of one cgroup bind one port only (plus port 0, the kernel's choice), attached by root to a game
// server's unit cgroup from its ExecStartPre=+ hook. It enforces "a server binds its own game port
// only" where systemd's SocketBindAllow=/SocketBindDeny= cannot: Debian 12's systemd 252 is built
// without its BPF framework (-BPF_FRAMEWORK) and accepts those settings without enforcing them. The
// program is hand-assembled (six instructions, no libbpf) and named kBindGuardName, so a later attach
// replaces the earlier one instead of stacking. Thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace left4me::host {

inline constexpr std::string_view kBindGuardName = "l4m_bind_guard";

// Attaches the guard for `port` (IPv4 and IPv6 binds) to the cgroup v2 directory `cgroup_dir`, first
// detaching any guard attached there before (BPF_F_ALLOW_MULTI keeps other programs, e.g. systemd's).
// A bind to another port then fails with EPERM. Needs root (CAP_BPF and CAP_NET_ADMIN).
Status attach_bind_guard(const std::string& cgroup_dir, std::uint16_t port);

// The cgroup v2 directory of this process (from /proc/self/cgroup's "0::" line, under /sys/fs/cgroup).
Result<std::string> own_cgroup_dir();

}  // namespace left4me::host
