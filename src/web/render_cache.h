// The render cache: text made once under a key that holds every input it was made from (a rendered part of a
// page, a whole page, a JSON body), for what every open browser or script polls: the dashboard and its rows, the
// servers list. Each entry keeps its gzip and brotli forms once a client has asked for them (compression.h), so a
// cached answer costs no compression. Keeps the 64 most recently used. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "web/compression.h"

namespace left4me::web {

// A cache key built from values, each length-prefixed or terminated, so two different inputs never give one
// key. Value type.
class CacheKey {
 public:
  CacheKey& add(std::string_view text);
  CacheKey& add(std::int64_t number);
  CacheKey& add(const std::optional<std::int64_t>& number);
  // An object's address: the caller pins the object for as long as the entry lives (see cached_text).
  CacheKey& add_address(const void* object);
  void reserve(std::size_t bytes) { text_.reserve(bytes); }
  std::string take() && { return std::move(text_); }

 private:
  std::string text_;
};

// The text made before under key (which must capture every input of make, down to the viewer's CSRF token), or
// make's text, kept under key. `pin` holds the objects whose addresses are part of the key while the entry lives,
// so no other object can take such an address meanwhile.
std::shared_ptr<const EncodedBody> cached_text(std::string key, std::shared_ptr<const void> pin,
                                               const std::function<std::string()>& make);

}  // namespace left4me::web
