// The fake server's RCON side (protocols.md §2): accepts TCP connections on the game port, frames packets,
// authenticates against rcon_password, runs commands on the Game and answers the way clients rely on:
// auth as an empty RESPONSE_VALUE then AUTH_RESPONSE in separate writes a short gap apart, output split
// into bodies of at most 4096 bytes, and the mirror + end marker for an empty RESPONSE_VALUE.
// Single-threaded: driven by the main loop's poll().
#pragma once

#include <poll.h>

#include <chrono>
#include <deque>
#include <list>
#include <optional>
#include <string>
#include <vector>

#include "base/unique_fd.h"
#include "host/source_wire.h"
#include "testing/fake_srcds/game.h"

namespace left4me::fake_srcds {

class RconServer {
 public:
  RconServer(Game& game, Console& console, UniqueFd listener);

  // Appends the descriptors to poll: the listener and every connection (reading only while `serving`).
  void add_poll_fds(std::vector<pollfd>& fds, bool serving) const;
  // Handles the poll results for the entries add_poll_fds appended (starting at fds[first]).
  void handle_events(const std::vector<pollfd>& fds, size_t first);
  // Writes every queued packet whose time has come; each packet is its own send().
  void flush();
  // When the next delayed packet is due, if any.
  std::optional<Clock::time_point> next_due() const;
  bool has_pending_output() const;

 private:
  struct Outgoing {
    Clock::time_point not_before;
    std::string bytes;
    size_t sent = 0;
  };
  struct Connection {
    UniqueFd fd;
    std::string peer;
    host::RconFramer framer;
    bool authenticated = false;
    bool broken = false;  // closed by the peer, or a write failed: dropped on the next pass
    std::deque<Outgoing> out;
  };

  void accept_all();
  void read_from(Connection& connection);
  void handle_packet(Connection& connection, const host::RconPacket& packet);
  void queue(Connection& connection, const host::RconPacket& packet,
             std::chrono::milliseconds delay = std::chrono::milliseconds(0));
  void flush(Connection& connection);

  Game& game_;
  Console& console_;
  UniqueFd listener_;
  std::list<Connection> connections_;
};

}  // namespace left4me::fake_srcds
