#include "host/a2s_client.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <functional>
#include <thread>

#include "testing/fake_srcds/running_fake_srcds.h"

namespace left4me::host {
namespace {

using std::chrono::milliseconds;
using testing::FakeSrcdsSetup;
using testing::RunningFakeSrcds;

std::unique_ptr<RunningFakeSrcds> start_fake(const FakeSrcdsSetup& setup) {
  auto server = RunningFakeSrcds::start(LEFT4ME_FAKE_SRCDS, setup);
  EXPECT_TRUE(server.ok()) << server.error().message();
  return server.ok() ? std::move(*server) : nullptr;
}

TEST(A2sClientTest, QueriesTheFakeWithChallengeAndSplitRules) {
  std::string cfg = "hostname \"Client Test\"\nsv_tags \"one,two\"\n";
  for (int i = 0; i < 200; ++i) cfg += "test_rule_" + std::to_string(i) + " value_" + std::to_string(i) + "\n";
  auto server = start_fake({.server_cfg = cfg,
                            .extra_args = {"-maxplayers", "6"},
                            .env = {"FAKE_SRCDS_PLAYERS=3"},
                            .map = "c5m1_waterfront"});
  ASSERT_TRUE(server);
  auto client = A2sClient::open("127.0.0.1", server->port());
  ASSERT_TRUE(client.ok()) << client.error().message();

  auto info = client->info(milliseconds(2000));
  ASSERT_TRUE(info.ok()) << info.error().message();
  EXPECT_EQ(info->name, "Client Test");
  EXPECT_EQ(info->map, "c5m1_waterfront");
  EXPECT_EQ(info->folder, "left4dead2");
  EXPECT_EQ(info->app_id, 550);
  EXPECT_EQ(info->players, 3);
  EXPECT_EQ(info->max_players, 6);
  EXPECT_EQ(info->port, server->port());
  EXPECT_EQ(info->keywords, "coop,one,two,secure");

  auto players = client->players(milliseconds(2000));
  ASSERT_TRUE(players.ok()) << players.error().message();
  ASSERT_EQ(players->size(), 3u);
  EXPECT_EQ((*players)[0].name, "Nick");
  EXPECT_GT((*players)[2].duration_seconds, 0);

  auto rules = client->rules(milliseconds(2000));
  ASSERT_TRUE(rules.ok()) << rules.error().message();
  EXPECT_GT(rules->size(), 200u);
  int found = 0;
  for (const A2sRule& rule : *rules) {
    if (rule.name.rfind("test_rule_", 0) == 0) {
      EXPECT_EQ(rule.value, "value_" + rule.name.substr(10));
      ++found;
    }
    EXPECT_NE(rule.name, "rcon_password");
  }
  EXPECT_EQ(found, 200);
}

TEST(A2sClientTest, QueriesTheFakeWithoutChallenge) {
  auto server = start_fake({.env = {"FAKE_SRCDS_NO_CHALLENGE=1"}});
  ASSERT_TRUE(server);
  auto info = query_info("127.0.0.1", server->port(), milliseconds(2000));
  ASSERT_TRUE(info.ok()) << info.error().message();
  EXPECT_EQ(info->name, "Left 4 Dead 2");
  auto players = query_players("localhost", server->port(), milliseconds(2000));
  ASSERT_TRUE(players.ok()) << players.error().message();
  EXPECT_TRUE(players->empty());
}

TEST(A2sClientTest, HungServerTimesOut) {
  auto server = start_fake({.env = {"FAKE_SRCDS_HANG_AFTER=0"}});
  ASSERT_TRUE(server);
  auto started = std::chrono::steady_clock::now();
  auto info = query_info("127.0.0.1", server->port(), milliseconds(300));
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().code(), ErrorCode::kTimeout) << info.error().message();
  EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds(1500));
}

TEST(A2sClientTest, ClosedPortIsUnavailable) {
  auto port = testing::free_port();
  ASSERT_TRUE(port.ok());
  auto info = query_info("127.0.0.1", *port, milliseconds(1000));
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().code(), ErrorCode::kUnavailable) << info.error().message();
}

TEST(A2sClientTest, UnknownHostIsNotFound) {
  auto info = query_info("no-such-host.invalid", 27015, milliseconds(1000));
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().code(), ErrorCode::kNotFound) << info.error().message();
}

// A UDP server on 127.0.0.1 that answers each request with whatever the script returns.
class LyingUdpServer {
 public:
  using Script = std::function<std::vector<std::string>(std::string_view request, int index)>;

  explicit LyingUdpServer(Script script) : script_(std::move(script)) {
    fd_.reset(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    socklen_t length = sizeof address;
    ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~LyingUdpServer() {
    stop_ = true;
    thread_.join();
  }
  uint16_t port() const { return port_; }

 private:
  void serve() {
    int index = 0;
    while (!stop_) {
      pollfd entry{.fd = fd_.get(), .events = POLLIN, .revents = 0};
      if (::poll(&entry, 1, 20) <= 0) continue;
      char buffer[2048];
      sockaddr_in from{};
      socklen_t length = sizeof from;
      ssize_t n = ::recvfrom(fd_.get(), buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from), &length);
      if (n < 0) continue;
      for (const std::string& reply : script_(std::string_view(buffer, static_cast<size_t>(n)), index++)) {
        ::sendto(fd_.get(), reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), length);
      }
    }
  }

  Script script_;
  UniqueFd fd_;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

A2sInfo sample_info() { return A2sInfo{.name = "liar", .map = "c1m1_hotel", .folder = "left4dead2", .port = 1}; }

Error info_error_from(LyingUdpServer::Script script) {
  LyingUdpServer server(std::move(script));
  auto info = query_info("127.0.0.1", server.port(), milliseconds(500));
  EXPECT_FALSE(info.ok());
  return info.ok() ? Error::failed("unexpectedly ok") : info.error();
}

TEST(A2sClientTest, FollowsTheChallengeAndResendsIt) {
  std::vector<std::string> requests;
  {
    LyingUdpServer server([&requests](std::string_view request, int index) -> std::vector<std::string> {
      requests.emplace_back(request);
      if (index == 0) return {encode_challenge_reply(0x01020304)};
      return {encode_info_reply(sample_info())};
    });
    auto info = query_info("127.0.0.1", server.port(), milliseconds(1000));
    ASSERT_TRUE(info.ok()) << info.error().message();
    EXPECT_EQ(info->name, "liar");
  }
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0], encode_info_request(std::nullopt));
  EXPECT_EQ(requests[1], encode_info_request(0x01020304));
}

TEST(A2sClientTest, TruncatedInfoIsAnError) {
  Error error = info_error_from([](std::string_view, int) -> std::vector<std::string> {
    std::string reply = encode_info_reply(sample_info());
    return {reply.substr(0, reply.size() - 5)};
  });
  EXPECT_EQ(error.code(), ErrorCode::kFailed);
  EXPECT_NE(error.message().find("truncated"), std::string::npos) << error.message();
}

TEST(A2sClientTest, WrongReplyTypeIsAnError) {
  Error error =
      info_error_from([](std::string_view, int) -> std::vector<std::string> { return {encode_player_reply({})}; });
  EXPECT_NE(error.message().find("reply type is 0x44, expected 0x49"), std::string::npos) << error.message();
}

TEST(A2sClientTest, EndlessChallengesAreAnError) {
  Error error = info_error_from([](std::string_view, int index) -> std::vector<std::string> {
    return {encode_challenge_reply(static_cast<uint32_t>(index + 7))};
  });
  EXPECT_NE(error.message().find("challenges in a row"), std::string::npos) << error.message();
}

TEST(A2sClientTest, GarbageIsAnError) {
  Error error = info_error_from([](std::string_view, int) -> std::vector<std::string> { return {"hello"}; });
  EXPECT_NE(error.message().find("FF FF FF FF"), std::string::npos) << error.message();
}

TEST(A2sClientTest, SilenceIsATimeout) {
  Error error = info_error_from([](std::string_view, int) -> std::vector<std::string> { return {}; });
  EXPECT_EQ(error.code(), ErrorCode::kTimeout);
  EXPECT_NE(error.message().find("A2S_INFO"), std::string::npos) << error.message();
}

TEST(A2sClientTest, OversizedPlayerCountIsAnError) {
  LyingUdpServer server([](std::string_view, int) -> std::vector<std::string> {
    std::string reply = encode_player_reply({{.name = "only one"}});
    reply[5] = static_cast<char>(200);
    return {reply};
  });
  auto players = query_players("127.0.0.1", server.port(), milliseconds(500));
  ASSERT_FALSE(players.ok());
  EXPECT_NE(players.error().message().find("count 200"), std::string::npos) << players.error().message();
}

// A2S_PLAYER with the challenge step: the first request asks for a challenge (-1), the second carries it.
TEST(A2sClientTest, PlayersFollowTheChallenge) {
  std::vector<std::string> requests;
  {
    LyingUdpServer server([&requests](std::string_view request, int index) -> std::vector<std::string> {
      requests.emplace_back(request);
      if (index == 0) return {encode_challenge_reply(0x0A0B0C0D)};
      return {encode_player_reply({{.name = "Zo\xEB", .score = 4, .duration_seconds = 12.5f}})};
    });
    auto players = query_players("127.0.0.1", server.port(), milliseconds(1000));
    ASSERT_TRUE(players.ok()) << players.error().message();
    ASSERT_EQ(players->size(), 1u);
    EXPECT_EQ((*players)[0].name, "Zo\xEF\xBF\xBD");  // Latin-1 from the server: U+FFFD
  }
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0], encode_player_request(kA2sNoChallenge));
  EXPECT_EQ(requests[1], encode_player_request(0x0A0B0C0D));
}

// Every malformed PLAYER reply shape is an error, never a crash or a read past the datagram.
TEST(A2sClientTest, MalformedPlayerRepliesAreErrors) {
  std::string two = encode_player_reply({{.name = "Nick", .score = 1}, {.name = "Ellis", .score = 2}});
  std::vector<std::string> shapes = {
      two.substr(0, 5),                                            // no count
      two.substr(0, two.size() - 1),                               // the last float cut short
      two.substr(0, 10),                                           // a name without its NUL
      std::string("\xFF\xFF\xFF\xFF\x44\x03", 6) + two.substr(6),  // says 3, holds 2
      std::string("\xFF\xFF\xFF\x44\x01", 5),                      // a wrong header
  };
  for (const std::string& shape : shapes) {
    LyingUdpServer server([&shape](std::string_view, int) -> std::vector<std::string> { return {shape}; });
    auto players = query_players("127.0.0.1", server.port(), milliseconds(300));
    EXPECT_FALSE(players.ok()) << "a reply of " << shape.size() << " bytes was accepted";
    if (!players.ok()) {
      EXPECT_NE(players.error().code(), ErrorCode::kTimeout) << players.error().message();
    }
  }
}

std::vector<A2sRule> many_rules() {
  std::vector<A2sRule> rules;
  for (int i = 0; i < 150; ++i) rules.push_back({"rule_" + std::to_string(i), std::string(20, 'x')});
  return rules;
}

TEST(A2sClientTest, ReassemblesSplitRulesSentBackwards) {
  LyingUdpServer server([](std::string_view, int) -> std::vector<std::string> {
    auto fragments = split_reply(encode_rules_reply(many_rules()), 99);
    return {fragments.rbegin(), fragments.rend()};
  });
  auto rules = query_rules("127.0.0.1", server.port(), milliseconds(1000));
  ASSERT_TRUE(rules.ok()) << rules.error().message();
  EXPECT_EQ(*rules, many_rules());
}

TEST(A2sClientTest, BadSplitHeadersAreErrors) {
  struct Case {
    std::function<void(std::vector<std::string>&)> corrupt;
    std::string expected;
  };
  std::vector<Case> cases = {
      {[](auto& fragments) { fragments[1][9] = 9; }, "out of range"},                 // number >= total
      {[](auto& fragments) { fragments[0][7] = static_cast<char>(0x80); }, "bzip2"},  // compressed flag
      {[](auto& fragments) { fragments[1][4] = 1; }, "while assembling"},             // other id
      {[](auto& fragments) { fragments[1][8] = 2; }, "earlier one said"},             // other total
      {[](auto& fragments) { fragments[0].resize(10); }, "truncated"},                // short header
      {[](auto& fragments) { fragments.pop_back(); }, "no reply"},                    // a fragment never comes
  };
  for (const Case& test : cases) {
    LyingUdpServer server([&test](std::string_view, int) -> std::vector<std::string> {
      auto fragments = split_reply(encode_rules_reply(many_rules()), 99);
      test.corrupt(fragments);
      return fragments;
    });
    auto rules = query_rules("127.0.0.1", server.port(), milliseconds(300));
    ASSERT_FALSE(rules.ok()) << test.expected;
    EXPECT_NE(rules.error().message().find(test.expected), std::string::npos) << rules.error().message();
  }
}

}  // namespace
}  // namespace left4me::host
