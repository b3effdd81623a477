#include "web/host_ctls.h"

#include <fmt/format.h>

#include "base/log.h"

namespace left4me::web {

void HostCtls::rebuild(const std::vector<Host>& hosts) {
  std::map<std::int64_t, Entry> entries;
  entries[kLocalHostId] = Entry{kLocalHostId, std::string(kLocalHostName), local_, ""};
  for (const Host& host : hosts) {
    if (host.local()) continue;
    Entry entry{host.id, host.name, nullptr, ""};
    if (!host.usable()) {
      entry.problem = fmt::format("the key of host '{}' is not confirmed", host.name);
    } else if (Result<std::shared_ptr<const Ctl>> ctl =
                   remote_ ? remote_(host) : Error::unavailable("this panel has no SSH transport");
               !ctl) {
      log::warning("host '{}': {}", host.name, ctl.error().message());
      entry.problem = ctl.error().message();
    } else {
      entry.ctl = std::move(*ctl);
    }
    entries[host.id] = std::move(entry);
  }
  std::lock_guard<std::mutex> guard(mutex_);
  entries_ = std::move(entries);
}

Result<std::shared_ptr<const Ctl>> HostCtls::get(std::int64_t host_id) const {
  if (host_id == kLocalHostId) return local_;
  std::lock_guard<std::mutex> guard(mutex_);
  auto found = entries_.find(host_id);
  if (found == entries_.end()) return Error::unavailable(fmt::format("host {} is not known", host_id));
  if (!found->second.ctl) return Error::unavailable(found->second.problem);
  return found->second.ctl;
}

std::optional<HostCtls::Entry> HostCtls::find(std::int64_t host_id) const {
  std::lock_guard<std::mutex> guard(mutex_);
  auto found = entries_.find(host_id);
  if (found != entries_.end()) return found->second;
  if (host_id == kLocalHostId) return Entry{kLocalHostId, std::string(kLocalHostName), local_, ""};
  return std::nullopt;
}

std::vector<HostCtls::Entry> HostCtls::all() const {
  std::lock_guard<std::mutex> guard(mutex_);
  std::vector<Entry> entries;
  if (entries_.empty()) entries.push_back(Entry{kLocalHostId, std::string(kLocalHostName), local_, ""});
  for (const auto& [id, entry] : entries_) entries.push_back(entry);
  return entries;
}

}  // namespace left4me::web
