#include "host/rcon_client.h"

#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "base/utf8.h"

namespace left4me::host {
namespace {

// Packets a server may send during auth before its AUTH_RESPONSE (normally one empty RESPONSE_VALUE).
constexpr int kMaxPacketsBeforeAuthResponse = 16;

}  // namespace

Result<RconSession> RconSession::connect(const std::string& host, uint16_t port, const std::string& password,
                                         std::chrono::milliseconds timeout, const PeerCheck& verify_peer) {
  auto deadline = deadline_after(timeout);
  auto endpoint = resolve_endpoint(host, port);
  if (!endpoint.ok()) return endpoint.error().with_context("rcon");
  auto fd = connect_tcp(*endpoint, deadline);
  if (!fd.ok()) return fd.error().with_context("rcon");
  if (verify_peer) {
    if (auto verified = verify_peer(fd->get()); !verified.ok()) return verified.error().with_context("rcon");
  }
  RconSession session(std::move(*fd), endpoint->text);
  if (auto status = session.authenticate(password, deadline); !status.ok()) return status.error();
  return session;
}

int32_t RconSession::take_id() {
  int32_t id = next_id_;
  next_id_ = next_id_ == INT32_MAX ? 1 : next_id_ + 1;  // never -1 (the failure id) or 0
  return id;
}

Status RconSession::authenticate(const std::string& password, Deadline deadline) {
  std::string what = fmt::format("rcon {}: auth", peer_);
  if (password.empty()) return Error::invalid(fmt::format("{}: the password is empty", what));
  if (password.size() > kRconMaxRequestBody || password.find('\0') != std::string::npos) {
    return Error::invalid(
        fmt::format("{}: the password is longer than {} bytes or has a NUL", what, kRconMaxRequestBody));
  }
  int32_t id = take_id();
  if (auto sent = send_bytes(encode_rcon_packet({.id = id, .type = kRconAuth, .body = password}), deadline);
      !sent.ok()) {
    return sent.error().with_context(what);
  }
  // The empty RESPONSE_VALUE usually comes first, but may come after, or not at all; only AUTH_RESPONSE counts.
  for (int i = 0; i < kMaxPacketsBeforeAuthResponse; ++i) {
    auto packet = receive(deadline, what);
    if (!packet.ok()) return packet.error();
    if (packet->type != kRconAuthResponse) continue;
    if (packet->id == -1) return Error(ErrorCode::kPermissionDenied, fmt::format("{}: wrong password", what));
    if (packet->id != id) {
      broken_ = true;
      return Error::failed(fmt::format("{}: AUTH_RESPONSE has id {}, expected {}", what, packet->id, id));
    }
    return ok_status();
  }
  broken_ = true;
  return Error::failed(
      fmt::format("{}: no AUTH_RESPONSE among the first {} packets", what, kMaxPacketsBeforeAuthResponse));
}

Result<std::string> RconSession::command(std::string_view command, std::chrono::milliseconds timeout) {
  std::string what = fmt::format("rcon {}: '{}'", peer_, command.substr(0, 64));
  if (command.empty()) return Error::invalid(fmt::format("rcon {}: empty command", peer_));
  if (command.size() > kRconMaxRequestBody || command.find('\0') != std::string_view::npos) {
    return Error::invalid(fmt::format("{}: command is longer than {} bytes or has a NUL", what, kRconMaxRequestBody));
  }
  if (broken_) return Error::failed(fmt::format("{}: session unusable after an earlier error", what));
  auto deadline = deadline_after(timeout);
  int32_t id = take_id();
  int32_t end_id = take_id();
  // The command, then an empty RESPONSE_VALUE: the server answers in order, so its mirror of end_id marks
  // the end of the command's output.
  std::string request = encode_rcon_packet({.id = id, .type = kRconExecCommand, .body = std::string(command)}) +
                        encode_rcon_packet({.id = end_id, .type = kRconResponseValue});
  if (auto sent = send_bytes(request, deadline); !sent.ok()) return sent.error().with_context(what);
  std::string output;
  while (true) {
    auto packet = receive(deadline, what);
    if (!packet.ok()) return packet.error();
    // Made valid once whole: a character may be split across two packets.
    if (packet->id == end_id) return make_valid_utf8(output);
    // Anything else is a leftover of an earlier exchange (the end marker, a late auth packet): skipped.
    if (packet->id != id || packet->type != kRconResponseValue) continue;
    if (output.size() + packet->body.size() > kMaxOutput) {
      broken_ = true;
      return Error::failed(fmt::format("{}: output exceeds {} bytes", what, kMaxOutput));
    }
    output += packet->body;
  }
}

Status RconSession::send_bytes(std::string_view bytes, Deadline deadline) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    if (auto ready = wait_for(fd_.get(), POLLOUT, deadline, "send"); !ready.ok()) {
      broken_ = true;
      return ready.error();
    }
    ssize_t n = ::send(fd_.get(), bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n < 0) {
      broken_ = true;
      return Error::from_errno("send", errno);
    }
    sent += static_cast<size_t>(n);
  }
  return ok_status();
}

Result<RconPacket> RconSession::receive(Deadline deadline, std::string_view what) {
  char buffer[16384];
  while (true) {
    auto packet = framer_.next();
    if (!packet.ok()) {
      broken_ = true;
      return packet.error().with_context(what);
    }
    if (packet->has_value()) return std::move(**packet);
    if (auto ready = wait_for(fd_.get(), POLLIN, deadline, fmt::format("{}: no answer", what)); !ready.ok()) {
      broken_ = true;
      return ready.error();
    }
    ssize_t n = ::recv(fd_.get(), buffer, sizeof buffer, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n < 0) {
      broken_ = true;
      return Error::from_errno(fmt::format("{}: recv", what), errno);
    }
    if (n == 0) {
      broken_ = true;
      return Error::failed(fmt::format("{}: the server closed the connection", what));
    }
    framer_.feed(std::string_view(buffer, static_cast<size_t>(n)));
  }
}

Result<std::string> rcon_command(const std::string& host, uint16_t port, const std::string& password,
                                 std::string_view command, std::chrono::milliseconds timeout,
                                 const RconSession::PeerCheck& verify_peer) {
  auto deadline = deadline_after(timeout);
  auto session = RconSession::connect(host, port, password, timeout, verify_peer);
  if (!session.ok()) return session.error();
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return session->command(command, std::max(left, std::chrono::milliseconds(0)));
}

}  // namespace left4me::host
