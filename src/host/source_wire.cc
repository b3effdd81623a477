#include "host/source_wire.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "base/utf8.h"

namespace left4me::host {
namespace {

constexpr std::string_view kSimpleHeader("\xFF\xFF\xFF\xFF", 4);
constexpr std::string_view kSplitHeader("\xFE\xFF\xFF\xFF", 4);
constexpr std::string_view kInfoQuery("Source Engine Query\0", 20);

// Little-endian writer into a string.
class Writer {
 public:
  void u8(uint8_t value) { out_.push_back(static_cast<char>(value)); }
  void u16(uint16_t value) { little_endian(value, 2); }
  void u32(uint32_t value) { little_endian(value, 4); }
  void u64(uint64_t value) { little_endian(value, 8); }
  void i32(int32_t value) { u32(static_cast<uint32_t>(value)); }
  void f32(float value) {
    uint32_t bits = 0;
    std::memcpy(&bits, &value, sizeof bits);
    u32(bits);
  }
  void string(std::string_view text) {
    out_.append(text.substr(0, text.find('\0')));
    out_.push_back('\0');
  }
  void raw(std::string_view bytes) { out_.append(bytes); }
  std::string take() { return std::move(out_); }

 private:
  void little_endian(uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) out_.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
  }
  std::string out_;
};

// Little-endian reader over a byte view. Every read is bounds-checked; the first failure is kept (naming
// the field and offset) and later reads return zero values, so a decoder checks error() once at the end.
class Reader {
 public:
  Reader(std::string_view data, std::string_view what) : data_(data), what_(what) {}

  uint8_t u8(std::string_view field) { return static_cast<uint8_t>(little_endian(1, field)); }
  uint16_t u16(std::string_view field) { return static_cast<uint16_t>(little_endian(2, field)); }
  uint32_t u32(std::string_view field) { return static_cast<uint32_t>(little_endian(4, field)); }
  uint64_t u64(std::string_view field) { return little_endian(8, field); }
  int32_t i32(std::string_view field) { return static_cast<int32_t>(u32(field)); }
  float f32(std::string_view field) {
    uint32_t bits = u32(field);
    float value = 0;
    std::memcpy(&value, &bits, sizeof value);
    return value;
  }
  // A NUL-terminated string, made valid UTF-8: every A2S string a game server sends passes here, and from
  // here goes into JSON (which refuses ill-formed UTF-8) and onto terminals.
  std::string string(std::string_view field) {
    if (error_) return {};
    size_t end = data_.find('\0', offset_);
    if (end == std::string_view::npos) {
      fail(fmt::format("{} at byte {} has no terminating NUL", field, offset_));
      return {};
    }
    std::string text = make_valid_utf8(data_.substr(offset_, end - offset_));
    offset_ = end + 1;
    return text;
  }
  std::string_view take(size_t count, std::string_view field) {
    if (error_) return {};
    if (remaining() < count) {
      fail(fmt::format("truncated at byte {}: {} needs {} bytes, {} left", offset_, field, count, remaining()));
      return {};
    }
    std::string_view bytes = data_.substr(offset_, count);
    offset_ += count;
    return bytes;
  }
  void fail(std::string_view message) {
    if (!error_) error_ = Error::failed(fmt::format("{}: {}", what_, message));
  }
  size_t remaining() const { return data_.size() - offset_; }
  std::string_view rest() const { return data_.substr(offset_); }
  const std::optional<Error>& error() const { return error_; }

 private:
  uint64_t little_endian(size_t count, std::string_view field) {
    std::string_view bytes = take(count, field);
    uint64_t value = 0;
    for (size_t i = 0; i < bytes.size(); ++i) value |= uint64_t{static_cast<uint8_t>(bytes[i])} << (8 * i);
    return value;
  }

  std::string_view data_;
  std::string_view what_;
  size_t offset_ = 0;
  std::optional<Error> error_;
};

// Checks FF FF FF FF and the expected type byte; returns a reader positioned after the type.
Result<Reader> open_reply(std::string_view reply, uint8_t expected_type, std::string_view what) {
  auto type = reply_type(reply);
  if (!type.ok()) return type.error().with_context(what);
  if (*type != expected_type) {
    return Error::failed(fmt::format("{}: reply type is 0x{:02x}, expected 0x{:02x}", what, *type, expected_type));
  }
  return Reader(reply.substr(5), what);
}

}  // namespace

std::string encode_info_request(std::optional<uint32_t> challenge) {
  Writer writer;
  writer.raw(kSimpleHeader);
  writer.u8(kA2sInfoRequest);
  writer.raw(kInfoQuery);
  if (challenge) writer.u32(*challenge);
  return writer.take();
}

std::string encode_player_request(uint32_t challenge) {
  Writer writer;
  writer.raw(kSimpleHeader);
  writer.u8(kA2sPlayerRequest);
  writer.u32(challenge);
  return writer.take();
}

std::string encode_rules_request(uint32_t challenge) {
  Writer writer;
  writer.raw(kSimpleHeader);
  writer.u8(kA2sRulesRequest);
  writer.u32(challenge);
  return writer.take();
}

Result<A2sRequest> decode_request(std::string_view datagram) {
  auto type = reply_type(datagram);
  if (!type.ok()) return type.error().with_context("a2s request");
  Reader reader(datagram.substr(5), "a2s request");
  A2sRequest request{.type = *type};
  switch (*type) {
    case kA2sInfoRequest:
      if (reader.take(kInfoQuery.size(), "query string") != kInfoQuery) {
        return Error::invalid("a2s request: INFO query string is not \"Source Engine Query\"");
      }
      break;
    case kA2sPlayerRequest:
    case kA2sRulesRequest:
    case kA2sLegacyChallenge:
      break;
    default:
      return Error::invalid(fmt::format("a2s request: unknown type 0x{:02x}", *type));
  }
  if (reader.remaining() >= 4) request.challenge = reader.u32("challenge");
  return request;
}

std::string encode_challenge_reply(uint32_t challenge) {
  Writer writer;
  writer.raw(kSimpleHeader);
  writer.u8(kA2sChallengeReply);
  writer.u32(challenge);
  return writer.take();
}

std::string encode_info_reply(const A2sInfo& info) {
  Writer writer;
  writer.raw(kSimpleHeader);
  writer.u8(kA2sInfoReply);
  writer.u8(info.protocol);
  writer.string(info.name);
  writer.string(info.map);
  writer.string(info.folder);
  writer.string(info.game);
  writer.u16(info.app_id);
  writer.u8(info.players);
  writer.u8(info.max_players);
  writer.u8(info.bots);
  writer.u8(static_cast<uint8_t>(info.server_type));
  writer.u8(static_cast<uint8_t>(info.environment));
  writer.u8(info.visibility);
  writer.u8(info.vac);
  writer.string(info.version);
  uint8_t edf = 0;
  if (info.port) edf |= kEdfPort;
  if (info.steam_id) edf |= kEdfSteamId;
  if (info.sourcetv_port) edf |= kEdfSourceTv;
  if (info.keywords) edf |= kEdfKeywords;
  if (info.game_id) edf |= kEdfGameId;
  writer.u8(edf);
  if (info.port) writer.u16(*info.port);
  if (info.steam_id) writer.u64(*info.steam_id);
  if (info.sourcetv_port) {
    writer.u16(*info.sourcetv_port);
    writer.string(info.sourcetv_name.value_or(""));
  }
  if (info.keywords) writer.string(*info.keywords);
  if (info.game_id) writer.u64(*info.game_id);
  return writer.take();
}

std::string encode_player_reply(const std::vector<A2sPlayer>& players) {
  size_t count = std::min<size_t>(players.size(), 255);
  Writer writer;
  writer.raw(kSimpleHeader);
  writer.u8(kA2sPlayerReply);
  writer.u8(static_cast<uint8_t>(count));
  for (size_t i = 0; i < count; ++i) {
    writer.u8(players[i].index);
    writer.string(players[i].name);
    writer.i32(players[i].score);
    writer.f32(players[i].duration_seconds);
  }
  return writer.take();
}

std::string encode_rules_reply(const std::vector<A2sRule>& rules) {
  size_t count = std::min<size_t>(rules.size(), 65535);
  Writer writer;
  writer.raw(kSimpleHeader);
  writer.u8(kA2sRulesReply);
  writer.u16(static_cast<uint16_t>(count));
  for (size_t i = 0; i < count; ++i) {
    writer.string(rules[i].name);
    writer.string(rules[i].value);
  }
  return writer.take();
}

std::vector<std::string> split_reply(std::string_view reply, uint32_t id) {
  if (reply.size() <= kA2sMaxPacket) return {std::string(reply)};
  size_t total = std::min<size_t>((reply.size() + kA2sSplitPayload - 1) / kA2sSplitPayload, 255);
  std::vector<std::string> fragments;
  for (size_t number = 0; number < total; ++number) {
    Writer writer;
    writer.raw(kSplitHeader);
    writer.u32(id & 0x7FFFFFFF);
    writer.u8(static_cast<uint8_t>(total));
    writer.u8(static_cast<uint8_t>(number));
    writer.u16(static_cast<uint16_t>(kA2sSplitPayload));
    writer.raw(reply.substr(number * kA2sSplitPayload, kA2sSplitPayload));
    fragments.push_back(writer.take());
  }
  return fragments;
}

Result<uint8_t> reply_type(std::string_view reply) {
  if (reply.size() < 5) return Error::failed(fmt::format("packet of {} bytes is too short", reply.size()));
  if (reply.substr(0, 4) != kSimpleHeader) return Error::failed("packet does not start with FF FF FF FF");
  return static_cast<uint8_t>(reply[4]);
}

Result<uint32_t> decode_challenge_reply(std::string_view reply) {
  auto reader = open_reply(reply, kA2sChallengeReply, "a2s challenge");
  if (!reader.ok()) return reader.error();
  uint32_t challenge = reader->u32("challenge");
  if (reader->error()) return *reader->error();
  return challenge;
}

Result<A2sInfo> decode_info_reply(std::string_view reply) {
  auto opened = open_reply(reply, kA2sInfoReply, "a2s info");
  if (!opened.ok()) return opened.error();
  Reader& reader = *opened;
  A2sInfo info;
  info.protocol = reader.u8("protocol");
  info.name = reader.string("name");
  info.map = reader.string("map");
  info.folder = reader.string("folder");
  info.game = reader.string("game");
  info.app_id = reader.u16("app id");
  info.players = reader.u8("players");
  info.max_players = reader.u8("max players");
  info.bots = reader.u8("bots");
  info.server_type = static_cast<char>(reader.u8("server type"));
  info.environment = static_cast<char>(reader.u8("environment"));
  info.visibility = reader.u8("visibility");
  info.vac = reader.u8("vac");
  info.version = reader.string("version");
  if (reader.error()) return *reader.error();
  // Old servers end here, without extra-data flags.
  if (reader.remaining() == 0) return info;
  uint8_t edf = reader.u8("extra data flags");
  if (edf & kEdfPort) info.port = reader.u16("game port");
  if (edf & kEdfSteamId) info.steam_id = reader.u64("steam id");
  if (edf & kEdfSourceTv) {
    info.sourcetv_port = reader.u16("sourcetv port");
    info.sourcetv_name = reader.string("sourcetv name");
  }
  if (edf & kEdfKeywords) info.keywords = reader.string("keywords");
  if (edf & kEdfGameId) info.game_id = reader.u64("game id");
  if (reader.error()) return *reader.error();
  return info;
}

Result<std::vector<A2sPlayer>> decode_player_reply(std::string_view reply) {
  auto opened = open_reply(reply, kA2sPlayerReply, "a2s players");
  if (!opened.ok()) return opened.error();
  Reader& reader = *opened;
  uint8_t count = reader.u8("player count");
  // The smallest player record is 10 bytes (index, empty name, score, duration).
  if (!reader.error() && size_t{count} * 10 > reader.remaining()) {
    reader.fail(fmt::format("count {} does not fit the {} bytes that follow", count, reader.remaining()));
  }
  std::vector<A2sPlayer> players;
  for (int i = 0; i < count && !reader.error(); ++i) {
    A2sPlayer player;
    player.index = reader.u8("player index");
    player.name = reader.string("player name");
    player.score = reader.i32("player score");
    player.duration_seconds = reader.f32("player duration");
    players.push_back(std::move(player));
  }
  if (reader.error()) return *reader.error();
  return players;
}

Result<std::vector<A2sRule>> decode_rules_reply(std::string_view reply) {
  auto opened = open_reply(reply, kA2sRulesReply, "a2s rules");
  if (!opened.ok()) return opened.error();
  Reader& reader = *opened;
  uint16_t count = reader.u16("rule count");
  // The smallest rule is 2 bytes (two empty strings).
  if (!reader.error() && size_t{count} * 2 > reader.remaining()) {
    reader.fail(fmt::format("count {} does not fit the {} bytes that follow", count, reader.remaining()));
  }
  std::vector<A2sRule> rules;
  for (int i = 0; i < count && !reader.error(); ++i) {
    A2sRule rule;
    rule.name = reader.string("rule name");
    rule.value = reader.string("rule value");
    rules.push_back(std::move(rule));
  }
  if (reader.error()) return *reader.error();
  return rules;
}

bool is_split_fragment(std::string_view datagram) { return datagram.substr(0, 4) == kSplitHeader; }

Result<SplitFragment> decode_split_fragment(std::string_view datagram) {
  if (!is_split_fragment(datagram)) return Error::failed("a2s split: packet does not start with FE FF FF FF");
  Reader reader(datagram.substr(4), "a2s split");
  SplitFragment fragment;
  fragment.id = reader.u32("id");
  fragment.total = reader.u8("total");
  fragment.number = reader.u8("number");
  fragment.size = reader.u16("size");
  if (reader.error()) return *reader.error();
  if (fragment.id & 0x80000000) return Error::failed("a2s split: bzip2-compressed replies are not supported");
  if (fragment.total == 0) return Error::failed("a2s split: total is 0");
  if (fragment.number >= fragment.total) {
    return Error::failed(fmt::format("a2s split: fragment {} of {} is out of range", fragment.number, fragment.total));
  }
  fragment.payload = reader.rest();
  return fragment;
}

Result<std::optional<std::string>> SplitAssembler::add(const SplitFragment& fragment) {
  if (!id_) {
    id_ = fragment.id;
    total_ = fragment.total;
  }
  if (fragment.id != *id_) {
    return Error::failed(fmt::format("a2s split: fragment of reply {:#x} while assembling {:#x}", fragment.id, *id_));
  }
  if (fragment.total != total_) {
    return Error::failed(
        fmt::format("a2s split: fragment says {} fragments, an earlier one said {}", fragment.total, total_));
  }
  if (parts_.count(fragment.number) > 0) return std::optional<std::string>();
  if (bytes_ + fragment.payload.size() > kMaxReply) {
    return Error::failed(fmt::format("a2s split: reply exceeds {} bytes", kMaxReply));
  }
  bytes_ += fragment.payload.size();
  parts_.emplace(fragment.number, std::string(fragment.payload));
  if (parts_.size() < total_) return std::optional<std::string>();
  std::string whole;
  whole.reserve(bytes_);
  for (const auto& [number, payload] : parts_) whole += payload;
  return std::optional<std::string>(std::move(whole));
}

std::string encode_rcon_packet(const RconPacket& packet) {
  Writer writer;
  writer.i32(static_cast<int32_t>(8 + packet.body.size() + 1 + packet.tail.size()));
  writer.i32(packet.id);
  writer.i32(packet.type);
  writer.raw(packet.body);
  writer.u8(0);
  writer.raw(packet.tail);
  return writer.take();
}

RconPacket rcon_end_marker(int32_t id) {
  return RconPacket{.id = id, .type = kRconResponseValue, .body = "", .tail = std::string("\x01\0\0\0\0", 5)};
}

Result<std::optional<RconPacket>> RconFramer::next() {
  if (failed_) return *failed_;
  if (buffer_.size() < 4) return std::optional<RconPacket>();
  Reader header(buffer_, "rcon");
  int32_t size = header.i32("size");
  if (size < kRconMinSize || size > max_size_) {
    failed_ = Error::failed(fmt::format("rcon: packet size {} is outside {}..{}", size, kRconMinSize, max_size_));
    return *failed_;
  }
  if (buffer_.size() < 4 + static_cast<size_t>(size)) return std::optional<RconPacket>();
  Reader reader(std::string_view(buffer_).substr(4, static_cast<size_t>(size)), "rcon");
  RconPacket packet;
  packet.id = reader.i32("id");
  packet.type = reader.i32("type");
  std::string_view rest = reader.rest();
  size_t nul = rest.find('\0');
  if (nul == std::string_view::npos) {
    failed_ = Error::failed(fmt::format("rcon: body of packet id {} is not NUL-terminated", packet.id));
    return *failed_;
  }
  packet.body = std::string(rest.substr(0, nul));
  packet.tail = std::string(rest.substr(nul + 1));
  buffer_.erase(0, 4 + static_cast<size_t>(size));
  return std::optional<RconPacket>(std::move(packet));
}

}  // namespace left4me::host
