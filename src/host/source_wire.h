// Source engine wire formats: A2S queries over UDP (INFO, PLAYER, RULES, the S2C challenge and split
// packets) and RCON packets over TCP, both directions, as pure functions (see docs protocols.md §1, §2).
// Decoders never read past their input and report any malformed packet as an Error. Thread-safe (no state)
// except SplitAssembler and RconFramer, which are plain single-owner values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace left4me::host {

// ---- A2S ---------------------------------------------------------------------------------------------

// Message type bytes (the byte after FF FF FF FF).
inline constexpr uint8_t kA2sInfoRequest = 0x54;      // 'T'
inline constexpr uint8_t kA2sPlayerRequest = 0x55;    // 'U'
inline constexpr uint8_t kA2sRulesRequest = 0x56;     // 'V'
inline constexpr uint8_t kA2sLegacyChallenge = 0x57;  // 'W', deprecated A2S_SERVERQUERY_GETCHALLENGE
inline constexpr uint8_t kA2sChallengeReply = 0x41;   // 'A'
inline constexpr uint8_t kA2sInfoReply = 0x49;        // 'I'
inline constexpr uint8_t kA2sPlayerReply = 0x44;      // 'D'
inline constexpr uint8_t kA2sRulesReply = 0x45;       // 'E'
// The "give me a challenge" value for PLAYER/RULES requests.
inline constexpr uint32_t kA2sNoChallenge = 0xFFFFFFFF;
// Largest UDP payload a Source server sends; larger replies are split.
inline constexpr size_t kA2sMaxPacket = 1400;
// Payload bytes per split fragment (also the "size" field of the split header).
inline constexpr size_t kA2sSplitPayload = 1248;

// Extra-data flags (EDF) of A2S_INFO.
inline constexpr uint8_t kEdfPort = 0x80;
inline constexpr uint8_t kEdfSteamId = 0x10;
inline constexpr uint8_t kEdfSourceTv = 0x40;
inline constexpr uint8_t kEdfKeywords = 0x20;
inline constexpr uint8_t kEdfGameId = 0x01;

// A2S_INFO reply, Source format. Optional fields are present exactly when their EDF bit is set.
struct A2sInfo {
  uint8_t protocol = 17;
  std::string name;
  std::string map;
  std::string folder;
  std::string game;
  uint16_t app_id = 0;
  uint8_t players = 0;
  uint8_t max_players = 0;
  uint8_t bots = 0;
  char server_type = 'd';  // 'd' dedicated, 'l' listen, 'p' SourceTV
  char environment = 'l';  // 'l' Linux, 'w' Windows, 'm'/'o' Mac
  uint8_t visibility = 0;  // 1: password protected
  uint8_t vac = 0;
  std::string version;
  std::optional<uint16_t> port;
  std::optional<uint64_t> steam_id;
  std::optional<uint16_t> sourcetv_port;
  std::optional<std::string> sourcetv_name;
  std::optional<std::string> keywords;
  std::optional<uint64_t> game_id;

  bool operator==(const A2sInfo&) const = default;
};

struct A2sPlayer {
  uint8_t index = 0;
  std::string name;
  int32_t score = 0;
  float duration_seconds = 0;

  bool operator==(const A2sPlayer&) const = default;
};

struct A2sRule {
  std::string name;
  std::string value;

  bool operator==(const A2sRule&) const = default;
};

// A request as a server sees it.
struct A2sRequest {
  uint8_t type = 0;                   // kA2sInfoRequest, kA2sPlayerRequest, kA2sRulesRequest, kA2sLegacyChallenge
  std::optional<uint32_t> challenge;  // the 4 bytes after the query (INFO) or the type byte (PLAYER/RULES)
};

// Client side: requests. challenge nullopt sends the plain 25-byte INFO query.
std::string encode_info_request(std::optional<uint32_t> challenge);
std::string encode_player_request(uint32_t challenge);
std::string encode_rules_request(uint32_t challenge);

// Server side: parses a request datagram; trailing bytes after the challenge are ignored (real clients send
// them). Fails on anything that is not one of the four requests.
Result<A2sRequest> decode_request(std::string_view datagram);

// Server side: simple (unsplit) replies, each starting with FF FF FF FF and the type byte.
std::string encode_challenge_reply(uint32_t challenge);
std::string encode_info_reply(const A2sInfo& info);
std::string encode_player_reply(const std::vector<A2sPlayer>& players);  // at most 255 players are sent
std::string encode_rules_reply(const std::vector<A2sRule>& rules);       // at most 65535 rules are sent
// Splits a simple reply into Source split fragments (FE FF FF FF, id, total, number, size, payload) if it is
// longer than kA2sMaxPacket; otherwise returns it unchanged as the only datagram. id must have its top bit
// clear (that bit means bzip2). Replies needing more than 255 fragments are truncated to 255.
std::vector<std::string> split_reply(std::string_view reply, uint32_t id);

// Client side: the type byte of a simple reply (checks the FF FF FF FF header).
Result<uint8_t> reply_type(std::string_view reply);
// Client side: decoders of whole simple replies (header and type byte included). Every count and string is
// checked against the bytes actually present. Strings come back as valid UTF-8: ill-formed sequences (a
// Latin-1 name, a multibyte character cut short) become U+FFFD (base/utf8.h).
Result<uint32_t> decode_challenge_reply(std::string_view reply);
Result<A2sInfo> decode_info_reply(std::string_view reply);
Result<std::vector<A2sPlayer>> decode_player_reply(std::string_view reply);
Result<std::vector<A2sRule>> decode_rules_reply(std::string_view reply);

// One fragment of a split reply.
struct SplitFragment {
  uint32_t id = 0;
  uint8_t total = 0;
  uint8_t number = 0;
  uint16_t size = 0;
  std::string_view payload;  // points into the datagram given to decode_split_fragment
};

// True if the datagram starts with the split header FE FF FF FF.
bool is_split_fragment(std::string_view datagram);
// Parses a split fragment (Orange Box layout, with the size field). Fails on a short header, total 0,
// number >= total, or a compressed (bzip2) reply, which left4me does not support.
Result<SplitFragment> decode_split_fragment(std::string_view datagram);

// Reassembles the fragments of one split reply. Single owner; not synchronized.
class SplitAssembler {
 public:
  // Adds a fragment. Returns the whole reply (starting with FF FF FF FF) once every fragment arrived,
  // nullopt while some are missing. Fails if the fragment belongs to a different id or total than the
  // first one, or if the reassembled reply would exceed kMaxReply. A repeated fragment is ignored.
  Result<std::optional<std::string>> add(const SplitFragment& fragment);

  static constexpr size_t kMaxReply = 255 * kA2sSplitPayload;

 private:
  std::optional<uint32_t> id_;
  uint8_t total_ = 0;
  size_t bytes_ = 0;
  std::map<uint8_t, std::string> parts_;
};

// ---- RCON --------------------------------------------------------------------------------------------

inline constexpr int32_t kRconAuth = 3;           // client -> server
inline constexpr int32_t kRconExecCommand = 2;    // client -> server
inline constexpr int32_t kRconAuthResponse = 2;   // server -> client
inline constexpr int32_t kRconResponseValue = 0;  // both directions
// Largest value of the size field (bytes after it) of a request a Source server accepts (Valve wiki).
inline constexpr int32_t kRconMaxSize = 4096;
inline constexpr int32_t kRconMinSize = 10;
// Largest command body that fits one request.
inline constexpr size_t kRconMaxRequestBody = kRconMaxSize - kRconMinSize;
// Output chunk per RESPONSE_VALUE. Real servers send bodies of up to 4096 bytes (size field 4106, seen with
// `cvarlist`), and Debian's rconclt only looks for more fragments after a body of 4096 bytes.
inline constexpr size_t kRconResponseChunk = 4096;

struct RconPacket {
  int32_t id = 0;
  int32_t type = 0;
  std::string body;  // up to the first NUL
  // Bytes after the body's NUL, before the end (normally one NUL; the end marker has 00 01 00 00 00 00).
  std::string tail = std::string(1, '\0');

  bool operator==(const RconPacket&) const = default;
};

// size | id | type | body | tail. Body and tail are written as given (the caller keeps size <= kRconMaxSize).
std::string encode_rcon_packet(const RconPacket& packet);
// The second packet a server sends after mirroring an empty RESPONSE_VALUE: size 14, type 0, bytes
// 00 01 00 00 00 00 after the type (§2.4).
RconPacket rcon_end_marker(int32_t id);

// Splits a TCP byte stream into RCON packets. Single owner; not synchronized.
class RconFramer {
 public:
  RconFramer() = default;
  explicit RconFramer(int32_t max_size) : max_size_(max_size) {}

  void feed(std::string_view bytes) { buffer_.append(bytes); }
  // The next complete packet, nullopt if more bytes are needed. Fails (and stays failed: the stream cannot
  // be resynchronized) on a size field outside [kRconMinSize, max_size] or a body without its NUL.
  Result<std::optional<RconPacket>> next();
  size_t buffered() const { return buffer_.size(); }

 private:
  int32_t max_size_ = kRconMaxSize;
  std::string buffer_;
  std::optional<Error> failed_;
};

}  // namespace left4me::host
