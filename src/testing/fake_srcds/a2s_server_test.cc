#include "testing/fake_srcds/a2s_server.h"

#include <gtest/gtest.h>

#include "testing/test_support.h"

namespace left4me::fake_srcds {
namespace {

class A2sServerTest : public ::testing::Test {
 protected:
  A2sServerTest() : game_(options_, console_, Clock::now()) { game_.load_map({.map = "c1m1_hotel"}, true); }

  uint8_t type_of(const std::vector<std::string>& replies) {
    EXPECT_EQ(replies.size(), 1u);
    auto type = host::reply_type(replies.at(0));
    EXPECT_OK(type);
    return type.ok() ? *type : 0;
  }
  uint32_t challenge_of(const std::vector<std::string>& replies) {
    auto challenge = host::decode_challenge_reply(replies.at(0));
    EXPECT_OK(challenge);
    return challenge.ok() ? *challenge : 0;
  }

  Options options_;
  Console console_;
  Game game_;
};

TEST_F(A2sServerTest, OneChallengePerAddressServesAllThreeQueries) {
  A2sServer server(game_, InfoChallenge::kRequired);
  uint32_t challenge = challenge_of(server.handle(host::encode_info_request(std::nullopt), 1));
  EXPECT_NE(challenge, 0u);
  EXPECT_NE(challenge, host::kA2sNoChallenge);
  EXPECT_EQ(type_of(server.handle(host::encode_info_request(challenge), 1)), host::kA2sInfoReply);
  // gamedig sends the INFO challenge straight away with PLAYER and RULES.
  EXPECT_EQ(type_of(server.handle(host::encode_player_request(challenge), 1)), host::kA2sPlayerReply);
  EXPECT_EQ(type_of(server.handle(host::encode_rules_request(challenge), 1)), host::kA2sRulesReply);
  // npm source-server-query appends FF FF FF FF.
  EXPECT_EQ(type_of(server.handle(host::encode_rules_request(challenge) + "\xFF\xFF\xFF\xFF", 1)),
            host::kA2sRulesReply);
  // Another address does not share it; a wrong one gets a challenge again; so does the legacy request.
  EXPECT_EQ(type_of(server.handle(host::encode_info_request(challenge), 2)), host::kA2sChallengeReply);
  EXPECT_EQ(challenge_of(server.handle(host::encode_player_request(host::kA2sNoChallenge), 1)), challenge);
  EXPECT_EQ(challenge_of(server.handle(host::encode_player_request(0), 1)), challenge);
  EXPECT_EQ(challenge_of(server.handle(std::string("\xFF\xFF\xFF\xFF\x57", 5), 1)), challenge);
}

TEST_F(A2sServerTest, NoChallengeModeAnswersInfoDirectlyButNotPlayers) {
  A2sServer server(game_, InfoChallenge::kOff);
  auto replies = server.handle(host::encode_info_request(std::nullopt), 1);
  ASSERT_EQ(type_of(replies), host::kA2sInfoReply);
  EXPECT_EQ(host::decode_info_reply(replies[0])->map, "c1m1_hotel");
  EXPECT_EQ(type_of(server.handle(host::encode_player_request(host::kA2sNoChallenge), 1)), host::kA2sChallengeReply);
}

TEST_F(A2sServerTest, GarbageGetsNoAnswer) {
  A2sServer server(game_, InfoChallenge::kRequired);
  EXPECT_TRUE(server.handle("", 1).empty());
  EXPECT_TRUE(server.handle("\xFF\xFF\xFF\xFF\x54wrong", 1).empty());
  EXPECT_TRUE(server.handle("\xFE\xFF\xFF\xFF\x54", 1).empty());
}

TEST_F(A2sServerTest, LargeRuleSetsAreSplit) {
  for (int i = 0; i < 200; ++i) game_.execute("extra_rule_" + std::to_string(i) + " some_value");
  A2sServer server(game_, InfoChallenge::kRequired);
  uint32_t challenge = challenge_of(server.handle(host::encode_rules_request(host::kA2sNoChallenge), 1));
  auto fragments = server.handle(host::encode_rules_request(challenge), 1);
  ASSERT_GT(fragments.size(), 1u);
  host::SplitAssembler assembler;
  std::optional<std::string> whole;
  for (const std::string& fragment : fragments) {
    EXPECT_LE(fragment.size(), host::kA2sMaxPacket);
    auto added = assembler.add(*host::decode_split_fragment(fragment));
    ASSERT_OK(added);
    whole = *added;
  }
  ASSERT_TRUE(whole.has_value());
  auto rules = host::decode_rules_reply(*whole);
  ASSERT_OK(rules);
  EXPECT_GT(rules->size(), 200u);
}

}  // namespace
}  // namespace left4me::fake_srcds
