#include "testing/fake_srcds/rcon_server.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>

namespace left4me::fake_srcds {
namespace {

// Gap between the two auth replies. If both are waiting when rconclt (python3-rcon) reads the first, its
// buffered reader swallows the second and it hangs (§2.5); 30 ms was not enough on a loaded 2-core machine.
constexpr std::chrono::milliseconds kAuthGap(100);
constexpr size_t kMaxConnections = 64;

std::string describe_peer(const sockaddr_in& address) {
  char text[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &address.sin_addr, text, sizeof text);
  return fmt::format("{}:{}", text, ntohs(address.sin_port));
}

}  // namespace

RconServer::RconServer(Game& game, Console& console, UniqueFd listener)
    : game_(game), console_(console), listener_(std::move(listener)) {}

void RconServer::add_poll_fds(std::vector<pollfd>& fds, bool serving) const {
  fds.push_back({.fd = serving ? listener_.get() : -1, .events = POLLIN, .revents = 0});
  for (const Connection& connection : connections_) {
    short events = serving ? POLLIN : 0;
    if (!connection.out.empty() && connection.out.front().sent > 0) events |= POLLOUT;
    fds.push_back({.fd = connection.fd.get(), .events = events, .revents = 0});
  }
}

void RconServer::handle_events(const std::vector<pollfd>& fds, size_t first) {
  if (fds[first].revents & POLLIN) accept_all();
  size_t index = first + 1;
  for (Connection& connection : connections_) {
    if (index >= fds.size()) break;  // accepted during this pass: not polled yet
    short revents = fds[index++].revents;
    if (revents & (POLLIN | POLLHUP | POLLERR)) read_from(connection);
    if (revents & POLLOUT) flush(connection);
  }
  flush();
}

void RconServer::accept_all() {
  while (true) {
    sockaddr_in address{};
    socklen_t length = sizeof address;
    int fd = ::accept4(listener_.get(), reinterpret_cast<sockaddr*>(&address), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    UniqueFd owned(fd);
    if (connections_.size() >= kMaxConnections) continue;  // closed right away
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    connections_.push_back(Connection{.fd = std::move(owned), .peer = describe_peer(address)});
  }
}

void RconServer::read_from(Connection& connection) {
  char buffer[16384];
  while (!connection.broken) {
    ssize_t n = ::recv(connection.fd.get(), buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n <= 0) {
      connection.broken = true;
      break;
    }
    connection.framer.feed(std::string_view(buffer, static_cast<size_t>(n)));
    while (true) {
      auto packet = connection.framer.next();
      if (!packet.ok()) {
        console_.print(
            fmt::format("rcon from \"{}\": {}; dropping connection", connection.peer, packet.error().message()));
        connection.broken = true;
        break;
      }
      if (!packet->has_value()) break;
      handle_packet(connection, **packet);
      // quit: stop reading, the main loop flushes what is queued and exits.
      if (game_.quit_requested()) return;
    }
  }
}

void RconServer::handle_packet(Connection& connection, const host::RconPacket& packet) {
  using host::RconPacket;
  switch (packet.type) {
    case host::kRconAuth: {
      std::string password = game_.rcon_password();
      connection.authenticated = !password.empty() && packet.body == password;
      if (!connection.authenticated) console_.print(fmt::format("rcon from \"{}\": Bad Password", connection.peer));
      queue(connection, RconPacket{.id = packet.id, .type = host::kRconResponseValue});
      queue(connection, RconPacket{.id = connection.authenticated ? packet.id : -1, .type = host::kRconAuthResponse},
            kAuthGap);
      return;
    }
    case host::kRconExecCommand: {
      // Unauthenticated commands get an empty RESPONSE_VALUE, as modern SRCDS does (steam-condenser#169).
      // An empty command is rconclt's "fragment detector": answered by one empty RESPONSE_VALUE.
      if (!connection.authenticated || packet.body.empty()) {
        queue(connection, RconPacket{.id = packet.id, .type = host::kRconResponseValue});
        return;
      }
      console_.print(fmt::format("rcon from \"{}\": command \"{}\"", connection.peer, packet.body));
      std::string output = game_.execute(packet.body);
      size_t offset = 0;
      do {
        queue(connection, RconPacket{.id = packet.id,
                                     .type = host::kRconResponseValue,
                                     .body = output.substr(offset, host::kRconResponseChunk)});
        offset += host::kRconResponseChunk;
      } while (offset < output.size());
      return;
    }
    case host::kRconResponseValue:
      // The end-of-output trick: mirror the empty packet, then the 00 01 00 00 00 00 marker.
      queue(connection, RconPacket{.id = packet.id, .type = host::kRconResponseValue});
      queue(connection, host::rcon_end_marker(packet.id));
      return;
    default:
      return;
  }
}

void RconServer::queue(Connection& connection, const host::RconPacket& packet, std::chrono::milliseconds delay) {
  Clock::time_point when = Clock::now() + delay;
  if (!connection.out.empty()) when = std::max(when, connection.out.back().not_before);
  connection.out.push_back({.not_before = when, .bytes = host::encode_rcon_packet(packet)});
}

void RconServer::flush() {
  for (Connection& connection : connections_) flush(connection);
  std::erase_if(connections_, [](const Connection& connection) { return connection.broken; });
}

void RconServer::flush(Connection& connection) {
  auto now = Clock::now();
  while (!connection.broken && !connection.out.empty() && connection.out.front().not_before <= now) {
    Outgoing& next = connection.out.front();
    ssize_t n = ::send(connection.fd.get(), next.bytes.data() + next.sent, next.bytes.size() - next.sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n < 0) {
      connection.broken = true;
      return;
    }
    next.sent += static_cast<size_t>(n);
    if (next.sent < next.bytes.size()) return;  // the rest when POLLOUT says so
    connection.out.pop_front();
  }
}

std::optional<Clock::time_point> RconServer::next_due() const {
  std::optional<Clock::time_point> due;
  for (const Connection& connection : connections_) {
    if (connection.out.empty() || connection.out.front().sent > 0) continue;
    if (!due || connection.out.front().not_before < *due) due = connection.out.front().not_before;
  }
  return due;
}

bool RconServer::has_pending_output() const {
  return std::any_of(connections_.begin(), connections_.end(),
                     [](const Connection& connection) { return !connection.broken && !connection.out.empty(); });
}

}  // namespace left4me::fake_srcds
