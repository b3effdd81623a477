// A game server's RCON byte stream as the client frames it (RconFramer, src/host/source_wire.h), fed in
// chunks whose sizes come from the input. Invariants: every packet's size is within the framer's limits and
// its body has no NUL; a packet encodes back to bytes that frame to the same packet; a failed framer stays
// failed.
#include <fuzzer/FuzzedDataProvider.h>

#include <string>

#include "fuzz/fuzz_check.h"
#include "host/source_wire.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace left4me;
  FuzzedDataProvider input(data, size);
  host::RconFramer framer(input.ConsumeIntegralInRange<std::int32_t>(host::kRconMinSize, 8192));
  while (input.remaining_bytes() > 0) {
    framer.feed(input.ConsumeBytesAsString(input.ConsumeIntegralInRange<std::size_t>(1, 4200)));
    while (true) {
      auto packet = framer.next();
      if (!packet.ok()) {
        fuzz::require(!framer.next().ok(), "a failed framer stays failed");
        return 0;
      }
      if (!*packet) break;
      const host::RconPacket& got = **packet;
      fuzz::require(got.body.find('\0') == std::string::npos, "a body ends at its NUL");
      host::RconFramer again;
      again.feed(host::encode_rcon_packet(got));
      auto reframed = again.next();
      // size = id + type + body + its NUL + tail; only a packet the default framer's limit admits frames back.
      if (got.body.size() + 1 + got.tail.size() + 8 <= static_cast<std::size_t>(host::kRconMaxSize)) {
        fuzz::require(reframed.ok() && *reframed && **reframed == got, "a packet frames back to itself");
      }
    }
  }
  return 0;
}
