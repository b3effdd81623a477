#include "host/a2s_client.h"

#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

#include "host/net_client.h"

namespace left4me::host {
namespace {

std::string_view request_name(uint8_t type) {
  switch (type) {
    case kA2sInfoRequest:
      return "A2S_INFO";
    case kA2sPlayerRequest:
      return "A2S_PLAYER";
    default:
      return "A2S_RULES";
  }
}

std::string encode_request(uint8_t type, uint32_t challenge) {
  switch (type) {
    case kA2sInfoRequest:
      // The first INFO request is the plain 25-byte query; the challenge is appended once known.
      return encode_info_request(challenge == kA2sNoChallenge ? std::nullopt : std::optional(challenge));
    case kA2sPlayerRequest:
      return encode_player_request(challenge);
    default:
      return encode_rules_request(challenge);
  }
}

}  // namespace

Result<A2sClient> A2sClient::open(const std::string& host, uint16_t port) {
  auto endpoint = resolve_endpoint(host, port);
  if (!endpoint.ok()) return endpoint.error().with_context("a2s");
  auto fd = open_udp(*endpoint);
  if (!fd.ok()) return fd.error().with_context("a2s");
  return A2sClient(std::move(*fd), endpoint->text);
}

Result<A2sInfo> A2sClient::info(std::chrono::milliseconds timeout) {
  auto reply = exchange(kA2sInfoRequest, kA2sInfoReply, timeout);
  if (!reply.ok()) return reply.error();
  auto info = decode_info_reply(*reply);
  if (!info.ok()) return info.error().with_context(peer_);
  return info;
}

Result<std::vector<A2sPlayer>> A2sClient::players(std::chrono::milliseconds timeout) {
  auto reply = exchange(kA2sPlayerRequest, kA2sPlayerReply, timeout);
  if (!reply.ok()) return reply.error();
  auto players = decode_player_reply(*reply);
  if (!players.ok()) return players.error().with_context(peer_);
  return players;
}

Result<std::vector<A2sRule>> A2sClient::rules(std::chrono::milliseconds timeout) {
  auto reply = exchange(kA2sRulesRequest, kA2sRulesReply, timeout);
  if (!reply.ok()) return reply.error();
  auto rules = decode_rules_reply(*reply);
  if (!rules.ok()) return rules.error().with_context(peer_);
  return rules;
}

Result<std::string> A2sClient::exchange(uint8_t request_type, uint8_t reply_type, std::chrono::milliseconds timeout) {
  auto deadline = deadline_after(timeout);
  std::string what = fmt::format("a2s {}: {}", peer_, request_name(request_type));
  for (int round = 0; round <= kMaxChallengeRounds; ++round) {
    std::string request = encode_request(request_type, challenge_);
    if (::send(fd_.get(), request.data(), request.size(), MSG_NOSIGNAL) < 0) {
      return Error::from_errno(fmt::format("{}: send", what), errno);
    }
    auto reply = receive(deadline, what);
    if (!reply.ok()) return reply.error();
    auto type = host::reply_type(*reply);
    if (!type.ok()) return type.error().with_context(what);
    if (*type == kA2sChallengeReply) {
      auto challenge = decode_challenge_reply(*reply);
      if (!challenge.ok()) return challenge.error().with_context(what);
      challenge_ = *challenge;
      continue;
    }
    if (*type != reply_type) {
      return Error::failed(fmt::format("{}: reply type is 0x{:02x}, expected 0x{:02x}", what, *type, reply_type));
    }
    return reply;
  }
  return Error::failed(fmt::format("{}: the server answered {} challenges in a row", what, kMaxChallengeRounds + 1));
}

Result<std::string> A2sClient::receive(std::chrono::steady_clock::time_point deadline, std::string_view what) {
  SplitAssembler assembler;
  std::string buffer(65536, '\0');
  while (true) {
    if (auto ready = wait_for(fd_.get(), POLLIN, deadline, fmt::format("{}: no reply", what)); !ready.ok()) {
      return ready.error();
    }
    ssize_t n = ::recv(fd_.get(), buffer.data(), buffer.size(), 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n < 0 && errno == ECONNREFUSED) {
      return Error::unavailable(fmt::format("{}: connection refused (nothing listens on that UDP port)", what));
    }
    if (n < 0) return Error::from_errno(fmt::format("{}: recv", what), errno);
    std::string_view datagram(buffer.data(), static_cast<size_t>(n));
    if (!is_split_fragment(datagram)) return std::string(datagram);
    auto fragment = decode_split_fragment(datagram);
    if (!fragment.ok()) return fragment.error().with_context(what);
    auto whole = assembler.add(*fragment);
    if (!whole.ok()) return whole.error().with_context(what);
    if (whole->has_value()) return std::move(**whole);
  }
}

Result<A2sInfo> query_info(const std::string& host, uint16_t port, std::chrono::milliseconds timeout) {
  auto client = A2sClient::open(host, port);
  if (!client.ok()) return client.error();
  return client->info(timeout);
}

Result<std::vector<A2sPlayer>> query_players(const std::string& host, uint16_t port,
                                             std::chrono::milliseconds timeout) {
  auto client = A2sClient::open(host, port);
  if (!client.ok()) return client.error();
  return client->players(timeout);
}

Result<std::vector<A2sRule>> query_rules(const std::string& host, uint16_t port, std::chrono::milliseconds timeout) {
  auto client = A2sClient::open(host, port);
  if (!client.ok()) return client.error();
  return client->rules(timeout);
}

}  // namespace left4me::host
