#include "testing/fake_srcds/a2s_server.h"

namespace left4me::fake_srcds {
namespace {

// Enough for any test; past it the table starts over (clients then simply get a fresh challenge).
constexpr size_t kMaxClients = 4096;

}  // namespace

A2sServer::A2sServer(const Game& game, InfoChallenge info_challenge)
    : game_(game), info_challenge_(info_challenge), random_(std::random_device{}()) {}

uint32_t A2sServer::challenge_for(uint64_t client) {
  auto found = challenges_.find(client);
  if (found != challenges_.end()) return found->second;
  if (challenges_.size() >= kMaxClients) challenges_.clear();
  uint32_t challenge = 0;
  // 0 and -1 are what clients send to ask for a challenge; never hand them out.
  while (challenge == 0 || challenge == host::kA2sNoChallenge) challenge = random_();
  challenges_[client] = challenge;
  return challenge;
}

std::vector<std::string> A2sServer::handle(std::string_view datagram, uint64_t client) {
  auto request = host::decode_request(datagram);
  if (!request.ok()) return {};
  uint32_t expected = challenge_for(client);
  bool challenge_ok = request->challenge == expected;
  switch (request->type) {
    case host::kA2sInfoRequest:
      if (!challenge_ok && info_challenge_ == InfoChallenge::kRequired) return {host::encode_challenge_reply(expected)};
      return {host::encode_info_reply(game_.info())};
    case host::kA2sPlayerRequest:
      if (!challenge_ok) return {host::encode_challenge_reply(expected)};
      return host::split_reply(host::encode_player_reply(game_.players()), next_split_id_++ & 0x7FFFFFFF);
    case host::kA2sRulesRequest:
      if (!challenge_ok) return {host::encode_challenge_reply(expected)};
      return host::split_reply(host::encode_rules_reply(game_.rules()), next_split_id_++ & 0x7FFFFFFF);
    case host::kA2sLegacyChallenge:
      return {host::encode_challenge_reply(expected)};
    default:
      return {};
  }
}

}  // namespace left4me::fake_srcds
