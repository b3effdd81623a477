// A2S client: asks a Source server for its INFO, PLAYER and RULES over UDP (protocols.md §1), following
// S2C challenges and reassembling split replies. Lying or broken replies become an Error, never a crash or
// an over-read. An A2sClient is single-owner (not synchronized); the query_* functions are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "host/source_wire.h"

namespace left4me::host {

class A2sClient {
 public:
  // Opens a UDP socket towards host:port (an address or a name). Nothing is sent yet.
  static Result<A2sClient> open(const std::string& host, uint16_t port);

  // Each query sends its request, answers up to kMaxChallengeRounds S2C challenges (the challenge is kept
  // and reused by the next query, as gamedig does) and returns the decoded reply. Errors:
  //   kTimeout      no complete reply before the timeout (a silent, loading or hung server)
  //   kUnavailable  the host reported the UDP port closed (ICMP port unreachable)
  //   kFailed       a malformed reply: truncated, wrong type, bad split header, counts that do not fit...
  Result<A2sInfo> info(std::chrono::milliseconds timeout);
  Result<std::vector<A2sPlayer>> players(std::chrono::milliseconds timeout);
  Result<std::vector<A2sRule>> rules(std::chrono::milliseconds timeout);

  const std::string& peer() const { return peer_; }

  static constexpr int kMaxChallengeRounds = 3;

 private:
  A2sClient(UniqueFd fd, std::string peer) : fd_(std::move(fd)), peer_(std::move(peer)) {}
  // Sends request_type until a reply of reply_type arrives; returns that reply (split ones reassembled).
  Result<std::string> exchange(uint8_t request_type, uint8_t reply_type, std::chrono::milliseconds timeout);
  Result<std::string> receive(std::chrono::steady_clock::time_point deadline, std::string_view what);

  UniqueFd fd_;
  std::string peer_;
  uint32_t challenge_ = kA2sNoChallenge;
};

// One-shot helpers: open, query, close.
Result<A2sInfo> query_info(const std::string& host, uint16_t port, std::chrono::milliseconds timeout);
Result<std::vector<A2sPlayer>> query_players(const std::string& host, uint16_t port, std::chrono::milliseconds timeout);
Result<std::vector<A2sRule>> query_rules(const std::string& host, uint16_t port, std::chrono::milliseconds timeout);

}  // namespace left4me::host
