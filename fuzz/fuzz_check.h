// What the fuzz targets share: input as text, and the check that turns a broken invariant into a crash
// libFuzzer reports (with the input saved). Single-threaded, like libFuzzer's runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace left4me::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Aborts, naming the invariant, unless condition holds.
inline void require(bool condition, const char* invariant) {
  if (condition) return;
  std::fprintf(stderr, "fuzz: broken invariant: %s\n", invariant);
  std::abort();
}

}  // namespace left4me::fuzz
