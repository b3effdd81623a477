// Client-side socket helpers for the A2S and RCON clients: name resolution, connecting and waiting with a
// deadline. Functions are thread-safe (no shared state).
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/unique_fd.h"

namespace left4me::host {

using Deadline = std::chrono::steady_clock::time_point;

inline Deadline deadline_after(std::chrono::milliseconds timeout) { return std::chrono::steady_clock::now() + timeout; }

struct Endpoint {
  sockaddr_storage address{};
  socklen_t length = 0;
  std::string text;  // "host:port" as the caller wrote it, for messages
};

// Resolves host (an IPv4/IPv6 address or a name) and port. kNotFound if the name does not resolve.
Result<Endpoint> resolve_endpoint(const std::string& host, uint16_t port);
// A non-blocking UDP socket connect()ed to the endpoint, so it only receives the server's datagrams and
// sees ICMP "port unreachable" as ECONNREFUSED.
Result<UniqueFd> open_udp(const Endpoint& endpoint);
// A non-blocking TCP connection; kTimeout if it is not established by the deadline, kUnavailable if refused.
Result<UniqueFd> connect_tcp(const Endpoint& endpoint, Deadline deadline);
// Waits until fd has the given poll events ready. kTimeout naming `what` when the deadline passes first.
Status wait_for(int fd, short events, Deadline deadline, std::string_view what);

}  // namespace left4me::host
