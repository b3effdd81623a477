#include "host/source_wire.h"

#include <gtest/gtest.h>

#include <cctype>

namespace left4me::host {
namespace {

// "ff ff 49" -> bytes; whitespace is ignored.
std::string hex(std::string_view text) {
  std::string out;
  int high = -1;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    int nibble = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10;
    if (high < 0) {
      high = nibble;
    } else {
      out.push_back(static_cast<char>(high * 16 + nibble));
      high = -1;
    }
  }
  return out;
}

// The real 164-byte L4D2 A2S_INFO capture from protocols.md §1.3.
const std::string kL4d2Capture = hex(R"(
  ff ff ff ff 49 11 5a 61 6d 62 69 4c 61 6e 64 20
  31 33 76 73 31 33 20 5b 32 2e 31 2e 32 2e 35 5d
  00 63 35 6d 31 5f 77 61 74 65 72 66 72 6f 6e 74
  00 6c 65 66 74 34 64 65 61 64 32 00 4c 65 66 74
  20 34 20 44 65 61 64 20 32 00 26 02 14 1b 00 64
  6c 00 01 32 2e 31 2e 32 2e 35 00 b1 87 69 07 48
  1b 05 33 11 40 01 76 65 72 73 75 73 2c 69 6e 63
  72 65 61 73 65 64 5f 6d 61 78 70 6c 61 79 65 72
  73 2c 6c 6f 6f 74 2c 6e 6f 2d 73 74 65 61 6d 2c
  72 61 6e 6b 2c 73 65 63 75 72 65 00 26 02 00 00
  00 00 00 00)");

TEST(SourceWireTest, DecodesRealL4d2InfoCaptureFieldByField) {
  ASSERT_EQ(kL4d2Capture.size(), 164u);
  auto info = decode_info_reply(kL4d2Capture);
  ASSERT_TRUE(info.ok()) << info.error().message();
  EXPECT_EQ(info->protocol, 17);
  EXPECT_EQ(info->name, "ZambiLand 13vs13 [2.1.2.5]");
  EXPECT_EQ(info->map, "c5m1_waterfront");
  EXPECT_EQ(info->folder, "left4dead2");
  EXPECT_EQ(info->game, "Left 4 Dead 2");
  EXPECT_EQ(info->app_id, 550);
  EXPECT_EQ(info->players, 20);
  EXPECT_EQ(info->max_players, 27);
  EXPECT_EQ(info->bots, 0);
  EXPECT_EQ(info->server_type, 'd');
  EXPECT_EQ(info->environment, 'l');
  EXPECT_EQ(info->visibility, 0);
  EXPECT_EQ(info->vac, 1);
  EXPECT_EQ(info->version, "2.1.2.5");
  EXPECT_EQ(info->port, 27015);
  EXPECT_EQ(info->steam_id, 90090903374088199ull);
  EXPECT_FALSE(info->sourcetv_port.has_value());
  EXPECT_FALSE(info->sourcetv_name.has_value());
  EXPECT_EQ(info->keywords, "versus,increased_maxplayers,loot,no-steam,rank,secure");
  EXPECT_EQ(info->game_id, 550u);
}

TEST(SourceWireTest, EncodesTheCaptureBackByteForByte) {
  auto info = decode_info_reply(kL4d2Capture);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(encode_info_reply(*info), kL4d2Capture);
}

TEST(SourceWireTest, EveryTruncationOfTheCaptureIsAnErrorNotAnOverRead) {
  // Cutting inside the EDF fields must fail; cutting right after the version is an old-style reply.
  size_t after_version = kL4d2Capture.find(std::string("2.1.2.5\0", 8), 0x50) + 8;
  for (size_t length = 0; length < kL4d2Capture.size(); ++length) {
    std::string cut = kL4d2Capture.substr(0, length);  // its own buffer, so ASan catches over-reads
    auto info = decode_info_reply(cut);
    EXPECT_EQ(info.ok(), length == after_version) << "length " << length;
  }
}

TEST(SourceWireTest, InfoRequestsMatchTheDocumentedBytes) {
  EXPECT_EQ(encode_info_request(std::nullopt), hex("ffffffff54536f7572636520456e67696e6520517565727900"));
  EXPECT_EQ(encode_info_request(0x3cd5f929), hex("ffffffff54536f7572636520456e67696e6520517565727900 29f9d53c"));
  EXPECT_EQ(encode_challenge_reply(0x3cd5f929), hex("ffffffff4129f9d53c"));
  EXPECT_EQ(encode_player_request(kA2sNoChallenge), hex("ffffffff55ffffffff"));
  EXPECT_EQ(encode_rules_request(0x01020304), hex("ffffffff5604030201"));
}

TEST(SourceWireTest, ChallengeReplyDecodes) {
  auto challenge = decode_challenge_reply(hex("ffffffff4129f9d53c"));
  ASSERT_TRUE(challenge.ok());
  EXPECT_EQ(*challenge, 0x3cd5f929u);
  EXPECT_FALSE(decode_challenge_reply(hex("ffffffff4129f9d5")).ok());
  EXPECT_FALSE(decode_challenge_reply(hex("ffffffff4929f9d53c")).ok());
}

TEST(SourceWireTest, RequestsDecodeWithTheChallengesRealClientsSend) {
  auto plain = decode_request(encode_info_request(std::nullopt));
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->type, kA2sInfoRequest);
  EXPECT_FALSE(plain->challenge.has_value());

  auto with_challenge = decode_request(encode_info_request(0xAABBCCDD));
  ASSERT_TRUE(with_challenge.ok());
  EXPECT_EQ(with_challenge->challenge, 0xAABBCCDDu);

  // npm source-server-query appends FF FF FF FF to every request: the challenge is read where it belongs.
  auto trailing = decode_request(encode_info_request(0x11223344) + hex("ffffffff"));
  ASSERT_TRUE(trailing.ok());
  EXPECT_EQ(trailing->challenge, 0x11223344u);
  auto rules = decode_request(encode_rules_request(0x11223344) + hex("ffffffff"));
  ASSERT_TRUE(rules.ok());
  EXPECT_EQ(rules->type, kA2sRulesRequest);
  EXPECT_EQ(rules->challenge, 0x11223344u);

  auto short_player = decode_request(hex("ffffffff55"));
  ASSERT_TRUE(short_player.ok());
  EXPECT_FALSE(short_player->challenge.has_value());
}

TEST(SourceWireTest, BadRequestsAreRejected) {
  EXPECT_FALSE(decode_request("").ok());
  EXPECT_FALSE(decode_request(hex("ffffffff")).ok());
  EXPECT_FALSE(decode_request(hex("fffffffe54")).ok());
  EXPECT_FALSE(decode_request(hex("ffffffff58")).ok());
  EXPECT_FALSE(decode_request(hex("ffffffff54536f75726365")).ok());  // "Sourc", cut
  auto wrong_query = decode_request(hex("ffffffff54") + std::string("Source Engine Querz\0", 20));
  ASSERT_FALSE(wrong_query.ok());
  EXPECT_NE(wrong_query.error().message().find("Source Engine Query"), std::string::npos);
}

TEST(SourceWireTest, PlayersRoundTrip) {
  std::vector<A2sPlayer> players = {{.index = 0, .name = "Nick", .score = 12, .duration_seconds = 61.5f},
                                    {.index = 0, .name = "", .score = -3, .duration_seconds = 0}};
  std::string reply = encode_player_reply(players);
  EXPECT_EQ(reply.substr(0, 6), hex("ffffffff4402"));
  EXPECT_EQ(reply.substr(6, 14), hex("00 4e69636b00 0c000000 00007642"));  // 61.5f = 0x42760000
  auto decoded = decode_player_reply(reply);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message();
  EXPECT_EQ(*decoded, players);
}

TEST(SourceWireTest, PlayerCountLargerThanThePacketIsAnError) {
  auto lying = decode_player_reply(hex("ffffffff44ff 00 4e00 01000000 00000000"));
  ASSERT_FALSE(lying.ok());
  EXPECT_NE(lying.error().message().find("count 255"), std::string::npos) << lying.error().message();
  // Count fits the size check but a name runs off the end.
  EXPECT_FALSE(decode_player_reply(hex("ffffffff4401 00 4e4e4e4e4e4e4e4e4e4e4e4e")).ok());
  EXPECT_FALSE(decode_player_reply(hex("ffffffff45 00")).ok());
}

TEST(SourceWireTest, RulesRoundTripAndLyingCounts) {
  std::vector<A2sRule> rules = {{"mp_gamemode", "versus"}, {"sv_cheats", "0"}, {"empty", ""}};
  std::string reply = encode_rules_reply(rules);
  EXPECT_EQ(reply.substr(0, 7), hex("ffffffff450300"));
  auto decoded = decode_rules_reply(reply);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, rules);

  auto lying = decode_rules_reply(hex("ffffffff45ffff 6100 6200"));
  ASSERT_FALSE(lying.ok());
  EXPECT_NE(lying.error().message().find("count 65535"), std::string::npos);
  EXPECT_FALSE(decode_rules_reply(hex("ffffffff450200 6100 6200 6300 64")).ok());
  EXPECT_FALSE(decode_rules_reply(hex("ffffffff4502")).ok());
}

// A server's strings reach JSON and terminals: what is not UTF-8 arrives as U+FFFD, whatever the field.
TEST(SourceWireTest, InvalidUtf8InStringsBecomesReplacementCharacters) {
  const std::string kFffd = "\xEF\xBF\xBD";
  A2sInfo info = *decode_info_reply(kL4d2Capture);
  info.name = "caf\xE9 \xE2\x82";       // Latin-1, then a character cut short
  info.map = "c1m1\xC0\xAF";            // an overlong '/'
  info.keywords = "coop,\xED\xA0\x80";  // a surrogate
  auto decoded = decode_info_reply(encode_info_reply(info));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message();
  EXPECT_EQ(decoded->name, "caf" + kFffd + " " + kFffd);
  EXPECT_EQ(decoded->map, "c1m1" + kFffd + kFffd);
  EXPECT_EQ(decoded->keywords, "coop," + kFffd + kFffd + kFffd);
  EXPECT_EQ(decoded->folder, "left4dead2");

  auto players = decode_player_reply(encode_player_reply({{.name = "Zo\xEB"}, {.name = "\xF0\x9F\x8E\xAE ok"}}));
  ASSERT_TRUE(players.ok());
  EXPECT_EQ((*players)[0].name, "Zo" + kFffd);
  EXPECT_EQ((*players)[1].name, "\xF0\x9F\x8E\xAE ok");  // valid UTF-8 is kept as it is
  auto rules = decode_rules_reply(encode_rules_reply({{"sv_\xFF", "\xF4\x90\x80\x80"}}));
  ASSERT_TRUE(rules.ok());
  EXPECT_EQ((*rules)[0].name, "sv_" + kFffd);
  EXPECT_EQ((*rules)[0].value, kFffd + kFffd + kFffd + kFffd);
}

TEST(SourceWireTest, SplitHeaderMatchesTheDocumentedExample) {
  std::string reply = hex("ffffffff45") + std::string(3000, 'x');
  auto fragments = split_reply(reply, 0x12345678);
  ASSERT_EQ(fragments.size(), 3u);
  EXPECT_EQ(fragments[0].substr(0, 12), hex("fe ff ff ff 78 56 34 12 03 00 e0 04"));
  EXPECT_EQ(fragments[2].substr(0, 12), hex("fe ff ff ff 78 56 34 12 03 02 e0 04"));
  EXPECT_LE(fragments[0].size(), kA2sMaxPacket);
  EXPECT_EQ(split_reply("short", 1), std::vector<std::string>{"short"});
}

TEST(SourceWireTest, SplitFragmentsReassembleInAnyOrder) {
  std::vector<A2sRule> rules;
  for (int i = 0; i < 300; ++i) rules.push_back({"rule_" + std::to_string(i), std::string(i % 40, 'v')});
  std::string reply = encode_rules_reply(rules);
  auto fragments = split_reply(reply, 7);
  ASSERT_GT(fragments.size(), 3u);
  SplitAssembler assembler;
  std::optional<std::string> whole;
  for (size_t i = fragments.size(); i-- > 0;) {
    auto fragment = decode_split_fragment(fragments[i]);
    ASSERT_TRUE(fragment.ok()) << fragment.error().message();
    auto added = assembler.add(*fragment);
    ASSERT_TRUE(added.ok()) << added.error().message();
    if (i > 0) {
      EXPECT_FALSE(added->has_value());
    }
    if (i == fragments.size() - 1) {  // a repeated fragment changes nothing
      ASSERT_TRUE(assembler.add(*fragment).ok());
    }
    whole = *added;
  }
  ASSERT_TRUE(whole.has_value());
  EXPECT_EQ(*whole, reply);
  auto decoded = decode_rules_reply(*whole);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, rules);
}

TEST(SourceWireTest, BadSplitHeadersAreErrors) {
  EXPECT_FALSE(decode_split_fragment(hex("feffffff 78563412 03")).ok());             // short header
  EXPECT_FALSE(decode_split_fragment(hex("feffffff 78563412 00 00 e004 aa")).ok());  // total 0
  EXPECT_FALSE(decode_split_fragment(hex("feffffff 78563412 02 02 e004 aa")).ok());  // number >= total
  auto compressed = decode_split_fragment(hex("feffffff 78563492 02 00 e004 aa"));
  ASSERT_FALSE(compressed.ok());
  EXPECT_NE(compressed.error().message().find("bzip2"), std::string::npos);
  EXPECT_FALSE(decode_split_fragment(hex("ffffffff 78563412 02 00 e004 aa")).ok());

  SplitAssembler assembler;
  ASSERT_TRUE(assembler.add(*decode_split_fragment(hex("feffffff 01000000 03 00 e004 aa"))).ok());
  EXPECT_FALSE(assembler.add(*decode_split_fragment(hex("feffffff 02000000 03 01 e004 aa"))).ok());  // other id
  EXPECT_FALSE(assembler.add(*decode_split_fragment(hex("feffffff 01000000 04 01 e004 aa"))).ok());  // other total
}

TEST(SourceWireTest, RconPacketsMatchTheDocumentedBytes) {
  EXPECT_EQ(encode_rcon_packet({.id = 1, .type = kRconAuth, .body = "secret"}),
            hex("10 00 00 00 01 00 00 00 03 00 00 00 73 65 63 72 65 74 00 00"));
  EXPECT_EQ(encode_rcon_packet({.id = 1, .type = kRconResponseValue}),
            hex("0a 00 00 00 01 00 00 00 00 00 00 00 00 00"));
  EXPECT_EQ(encode_rcon_packet({.id = 1, .type = kRconAuthResponse}), hex("0a 00 00 00 01 00 00 00 02 00 00 00 00 00"));
  EXPECT_EQ(encode_rcon_packet({.id = -1, .type = kRconAuthResponse}),
            hex("0a 00 00 00 ff ff ff ff 02 00 00 00 00 00"));
  EXPECT_EQ(encode_rcon_packet({.id = 2, .type = kRconExecCommand, .body = "status"}),
            hex("10 00 00 00 02 00 00 00 02 00 00 00 73 74 61 74 75 73 00 00"));
  EXPECT_EQ(encode_rcon_packet(rcon_end_marker(5)), hex("0e 00 00 00 05 00 00 00 00 00 00 00 00 01 00 00 00 00"));
}

TEST(SourceWireTest, RconFramerSplitsCoalescedAndFragmentedStreams) {
  std::string stream =
      hex("0a 00 00 00 01 00 00 00 00 00 00 00 00 00") + hex("0a 00 00 00 01 00 00 00 02 00 00 00 00 00") +
      encode_rcon_packet({.id = 2, .type = 0, .body = "hello"}) + encode_rcon_packet(rcon_end_marker(3));
  // Byte by byte, then all at once.
  for (size_t chunk : {size_t{1}, stream.size()}) {
    RconFramer framer;
    std::vector<RconPacket> packets;
    for (size_t offset = 0; offset < stream.size(); offset += chunk) {
      framer.feed(std::string_view(stream).substr(offset, chunk));
      while (true) {
        auto packet = framer.next();
        ASSERT_TRUE(packet.ok()) << packet.error().message();
        if (!packet->has_value()) break;
        packets.push_back(**packet);
      }
    }
    ASSERT_EQ(packets.size(), 4u);
    EXPECT_EQ(packets[0].type, kRconResponseValue);
    EXPECT_EQ(packets[1].type, kRconAuthResponse);
    EXPECT_EQ(packets[2].body, "hello");
    EXPECT_EQ(packets[3], rcon_end_marker(3));
    EXPECT_EQ(framer.buffered(), 0u);
  }
}

TEST(SourceWireTest, RconFramerRejectsBadSizesForGood) {
  RconFramer small;
  small.feed(hex("09 00 00 00 01 00 00 00 00 00 00 00 00"));
  EXPECT_FALSE(small.next().ok());
  small.feed(encode_rcon_packet({.id = 1, .type = 0}));
  EXPECT_FALSE(small.next().ok()) << "a framer that lost sync must stay failed";

  RconFramer big;
  big.feed(hex("01 10 00 00"));  // 4097
  auto error = big.next();
  ASSERT_FALSE(error.ok());
  EXPECT_NE(error.error().message().find("4097"), std::string::npos);

  RconFramer negative;
  negative.feed(hex("ff ff ff ff"));
  EXPECT_FALSE(negative.next().ok());

  RconFramer no_nul;
  no_nul.feed(hex("0a 00 00 00 01 00 00 00 00 00 00 00 41 41"));
  EXPECT_FALSE(no_nul.next().ok());

  RconFramer larger_limit(64 * 1024);
  larger_limit.feed(encode_rcon_packet({.id = 9, .type = 0, .body = std::string(5000, 'x')}));
  auto packet = larger_limit.next();
  ASSERT_TRUE(packet.ok());
  ASSERT_TRUE(packet->has_value());
  EXPECT_EQ((*packet)->body.size(), 5000u);
}

}  // namespace
}  // namespace left4me::host
