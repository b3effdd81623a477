// Who is on the other end of a local TCP connection, from the kernel's socket tables
// (/proc/net/tcp and /proc/net/tcp6, readable by every uid): used before l4d2ctl rcon sends an
// instance's password, so that a port another process took can never receive it. Thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "base/result.h"

namespace left4me::host {

struct SocketEntry {
  uid_t uid = 0;    // the socket's owner (for an accepted connection: the listener's)
  ino_t inode = 0;  // 0 until the server has accept()ed the connection
};

// The server side of the connected TCP socket `fd` (a loopback connection of this process): the table
// entry whose local address is fd's peer and whose remote address is fd's own. Waits up to `accept_wait`
// for the server to accept (inode != 0). kNotFound if no such entry exists.
Result<SocketEntry> connection_peer(int fd, std::chrono::milliseconds accept_wait);

// Whether `pid` or one of its descendants holds the socket `inode` among its file descriptors.
// kPermissionDenied when their descriptors cannot be read (another uid; ProtectProc/hidepid).
Result<bool> process_tree_holds_socket(pid_t pid, ino_t inode);

// Parses one line of /proc/net/tcp{,6} for tests: nullopt for the header or anything malformed.
struct TcpTableLine {
  std::string_view local;  // "ADDR:PORT" in the kernel's hex form
  std::string_view remote;
  uid_t uid = 0;
  ino_t inode = 0;
};
std::optional<TcpTableLine> parse_tcp_table_line(std::string_view line);

}  // namespace left4me::host
