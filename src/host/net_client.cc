#include "host/net_client.h"

#include <fmt/format.h>
#include <netdb.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace left4me::host {

Result<Endpoint> resolve_endpoint(const std::string& host, uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string service = std::to_string(port);
  int error = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
  std::string text =
      host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, port) : fmt::format("{}:{}", host, port);
  if (error != 0 || found == nullptr) {
    return Error::not_found(fmt::format("{}: cannot resolve '{}': {}", text, host, ::gai_strerror(error)));
  }
  Endpoint endpoint;
  std::memcpy(&endpoint.address, found->ai_addr, found->ai_addrlen);
  endpoint.length = found->ai_addrlen;
  endpoint.text = text;
  ::freeaddrinfo(found);
  return endpoint;
}

Result<UniqueFd> open_udp(const Endpoint& endpoint) {
  UniqueFd fd(::socket(endpoint.address.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Error::from_errno("socket", errno);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&endpoint.address), endpoint.length) != 0) {
    return Error::from_errno(fmt::format("connect udp {}", endpoint.text), errno);
  }
  return fd;
}

Result<UniqueFd> connect_tcp(const Endpoint& endpoint, Deadline deadline) {
  UniqueFd fd(::socket(endpoint.address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Error::from_errno("socket", errno);
  int result = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&endpoint.address), endpoint.length);
  if (result != 0 && errno != EINPROGRESS) {
    if (errno == ECONNREFUSED) return Error::unavailable(fmt::format("{}: connection refused", endpoint.text));
    return Error::from_errno(fmt::format("connect {}", endpoint.text), errno);
  }
  if (result != 0) {
    if (auto ready = wait_for(fd.get(), POLLOUT, deadline, fmt::format("connect {}", endpoint.text)); !ready.ok()) {
      return ready.error();
    }
    int error = 0;
    socklen_t length = sizeof error;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &length);
    if (error == ECONNREFUSED) return Error::unavailable(fmt::format("{}: connection refused", endpoint.text));
    if (error != 0) return Error::from_errno(fmt::format("connect {}", endpoint.text), error);
  }
  return fd;
}

Status wait_for(int fd, short events, Deadline deadline, std::string_view what) {
  while (true) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) return Error::timeout(fmt::format("{}: timed out", what));
    pollfd entry{.fd = fd, .events = events, .revents = 0};
    int ready = ::poll(&entry, 1, static_cast<int>(std::min<long long>(left, 60000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return Error::from_errno("poll", errno);
    // Errors and hang-ups are "ready" too: the following recv/send reports what happened.
    if (ready > 0) return ok_status();
  }
}

}  // namespace left4me::host
