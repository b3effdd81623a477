// A game server's A2S replies as the client decodes them (src/host/source_wire.h): simple replies of every
// type, and datagrams reassembled from split fragments. The input is a series of datagrams, each cut off by
// a length taken from the input. Invariants: decoded strings are valid UTF-8; a decoded reply encodes to
// bytes that decode and encode to the same bytes again; a reassembled reply never exceeds its limit; a player's
// duration, shown as whole seconds, stays in range.
#include <fuzzer/FuzzedDataProvider.h>

#include <string>

#include "base/utf8.h"
#include "fuzz/fuzz_check.h"
#include "host/live_player.h"
#include "host/source_wire.h"

namespace left4me::fuzz {
namespace {

void require_utf8(const std::string& text) { require(is_valid_utf8(text), "decoded strings are valid UTF-8"); }

void decode_simple(std::string_view reply) {
  (void)host::reply_type(reply);
  (void)host::decode_challenge_reply(reply);
  if (auto info = host::decode_info_reply(reply); info.ok()) {
    for (const std::string* text : {&info->name, &info->map, &info->folder, &info->game, &info->version}) {
      require_utf8(*text);
    }
    if (info->keywords) require_utf8(*info->keywords);
    if (info->sourcetv_name) require_utf8(*info->sourcetv_name);
    std::string encoded = host::encode_info_reply(*info);
    auto again = host::decode_info_reply(encoded);
    require(again.ok(), "an encoded INFO decodes");
    require(host::encode_info_reply(*again) == encoded, "INFO encodes the same after a round trip");
  }
  if (auto players = host::decode_player_reply(reply); players.ok()) {
    for (const host::A2sPlayer& player : *players) {
      require_utf8(player.name);
      // What `status --players` shows of it: any float the server sent becomes seconds in range.
      host::LivePlayer shown = host::to_live_player(player);
      require(shown.seconds >= 0 && shown.seconds <= host::kMaxPlayerSeconds, "a player's seconds stay in range");
    }
    std::string encoded = host::encode_player_reply(*players);
    auto again = host::decode_player_reply(encoded);
    require(again.ok(), "an encoded PLAYER decodes");
    require(host::encode_player_reply(*again) == encoded, "PLAYER encodes the same after a round trip");
  }
  if (auto rules = host::decode_rules_reply(reply); rules.ok()) {
    for (const host::A2sRule& rule : *rules) {
      require_utf8(rule.name);
      require_utf8(rule.value);
    }
    std::string encoded = host::encode_rules_reply(*rules);
    auto again = host::decode_rules_reply(encoded);
    require(again.ok(), "an encoded RULES decodes");
    require(host::encode_rules_reply(*again) == encoded, "RULES encodes the same after a round trip");
  }
}

}  // namespace
}  // namespace left4me::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace left4me;
  fuzz::decode_simple(fuzz::as_text(data, size));

  FuzzedDataProvider input(data, size);
  host::SplitAssembler assembler;
  while (input.remaining_bytes() > 0) {
    std::string datagram = input.ConsumeBytesAsString(input.ConsumeIntegralInRange<std::size_t>(0, 1400));
    if (!host::is_split_fragment(datagram)) {
      fuzz::decode_simple(datagram);
      continue;
    }
    auto fragment = host::decode_split_fragment(datagram);
    if (!fragment.ok()) continue;
    auto added = assembler.add(*fragment);
    if (!added.ok()) break;
    if (*added) {
      fuzz::require((*added)->size() <= host::SplitAssembler::kMaxReply, "a reassembled reply stays in bounds");
      fuzz::decode_simple(**added);
      break;
    }
  }
  return 0;
}
