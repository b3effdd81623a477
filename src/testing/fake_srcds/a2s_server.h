// The fake server's A2S responder: answers INFO, PLAYER and RULES datagrams from the game state, with one
// S2C challenge per client address valid for all three (as gamedig expects). Single-threaded.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "testing/fake_srcds/game.h"

namespace left4me::fake_srcds {

enum class InfoChallenge { kRequired, kOff };

class A2sServer {
 public:
  A2sServer(const Game& game, InfoChallenge info_challenge);

  // The datagrams to send back to `client` (an opaque address key) for one request; empty for anything
  // that is not a valid request (real servers stay silent). Split rules replies give several datagrams.
  std::vector<std::string> handle(std::string_view datagram, uint64_t client);

 private:
  uint32_t challenge_for(uint64_t client);

  const Game& game_;
  InfoChallenge info_challenge_;
  std::mt19937 random_;
  std::unordered_map<uint64_t, uint32_t> challenges_;
  uint32_t next_split_id_ = 1;
};

}  // namespace left4me::fake_srcds
