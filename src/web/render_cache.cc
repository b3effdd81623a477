#include "web/render_cache.h"

#include <algorithm>
#include <map>
#include <mutex>

namespace left4me::web {
namespace {

// Keys are compared in full.
class RenderCache {
 public:
  std::shared_ptr<const EncodedBody> find(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return nullptr;
    it->second.last_use = ++clock_;
    return it->second.text;
  }

  void insert(std::string key, std::shared_ptr<const void> pin, std::shared_ptr<const EncodedBody> text) {
    std::lock_guard lock(mutex_);
    if (entries_.size() >= kCapacity && entries_.find(key) == entries_.end()) {
      auto oldest = std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
        return a.second.last_use < b.second.last_use;
      });
      entries_.erase(oldest);
    }
    entries_.insert_or_assign(std::move(key), Entry{std::move(text), std::move(pin), ++clock_});
  }

 private:
  static constexpr size_t kCapacity = 64;
  struct Entry {
    std::shared_ptr<const EncodedBody> text;
    std::shared_ptr<const void> pin;
    std::uint64_t last_use = 0;
  };
  std::mutex mutex_;
  std::map<std::string, Entry, std::less<>> entries_;
  std::uint64_t clock_ = 0;
};

RenderCache& render_cache() {
  static RenderCache cache;
  return cache;
}

}  // namespace

CacheKey& CacheKey::add(std::string_view text) {
  text_ += std::to_string(text.size());
  text_ += ':';
  text_ += text;
  return *this;
}

CacheKey& CacheKey::add(std::int64_t number) {
  text_ += std::to_string(number);
  text_ += ';';
  return *this;
}

CacheKey& CacheKey::add(const std::optional<std::int64_t>& number) {
  if (!number) {
    text_ += "-;";
    return *this;
  }
  return add(*number);
}

CacheKey& CacheKey::add_address(const void* object) {
  return add(static_cast<std::int64_t>(reinterpret_cast<std::uintptr_t>(object)));
}

std::shared_ptr<const EncodedBody> cached_text(std::string key, std::shared_ptr<const void> pin,
                                               const std::function<std::string()>& make) {
  if (std::shared_ptr<const EncodedBody> hit = render_cache().find(key)) return hit;
  auto out = std::make_shared<const EncodedBody>(make());
  render_cache().insert(std::move(key), std::move(pin), out);
  return out;
}

}  // namespace left4me::web
