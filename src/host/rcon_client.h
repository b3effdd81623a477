// RCON client for Source servers (protocols.md §2): real TCP stream framing, authentication that accepts the
// auth replies in either order and however they are split or coalesced, and multi-packet output collected
// with the empty RESPONSE_VALUE end trick. An RconSession is single-owner (not synchronized);
// rcon_command is thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/unique_fd.h"
#include "host/net_client.h"
#include "host/source_wire.h"

namespace left4me::host {

class RconSession {
 public:
  // Connects to host:port and authenticates. Errors:
  //   kPermissionDenied  wrong password (the server answered id -1)
  //   kUnavailable       connection refused
  //   kTimeout           no connection or no auth answer before the timeout
  //   kFailed            the server broke the protocol or closed the connection
  // `verify_peer`, when set, runs on the connected socket before the password is sent; its error ends
  // the session (the password never leaves).
  using PeerCheck = std::function<Status(int fd)>;
  static Result<RconSession> connect(const std::string& host, uint16_t port, const std::string& password,
                                     std::chrono::milliseconds timeout, const PeerCheck& verify_peer = {});

  // Runs one console command and returns its whole output (all RESPONSE_VALUE packets of the command,
  // joined), as valid UTF-8: ill-formed sequences become U+FFFD. kInvalidArgument for an empty command, one with a NUL,
  // or longer than kRconMaxRequestBody; kTimeout / kFailed as for connect; kFailed when the output exceeds kMaxOutput.
  // After any error but kInvalidArgument the session is unusable (the stream position is unknown) and says so.
  Result<std::string> command(std::string_view command, std::chrono::milliseconds timeout);

  const std::string& peer() const { return peer_; }

  // Largest packet accepted from a server: real ones exceed the documented 4096 a little (cvarlist).
  static constexpr int32_t kMaxPacketSize = 8192;
  static constexpr size_t kMaxOutput = 4 * 1024 * 1024;

 private:
  RconSession(UniqueFd fd, std::string peer) : fd_(std::move(fd)), peer_(std::move(peer)) {}
  Status authenticate(const std::string& password, Deadline deadline);
  Status send_bytes(std::string_view bytes, Deadline deadline);
  Result<RconPacket> receive(Deadline deadline, std::string_view what);
  int32_t take_id();

  UniqueFd fd_;
  std::string peer_;
  RconFramer framer_{kMaxPacketSize};
  int32_t next_id_ = 1;
  bool broken_ = false;
};

// One-shot: connect, authenticate, run command, close. Same errors as RconSession.
Result<std::string> rcon_command(const std::string& host, uint16_t port, const std::string& password,
                                 std::string_view command, std::chrono::milliseconds timeout,
                                 const RconSession::PeerCheck& verify_peer = {});

}  // namespace left4me::host
