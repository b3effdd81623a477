// HostCtls: the Ctl of each host the panel uses (hosts.h): the local l4d2ctl for `local`, an SSH-reached one for each
// remote host whose key is confirmed. Rebuilt from the records whenever one changes; users take a shared_ptr, so a
// Ctl being replaced finishes what it runs. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "web/ctl.h"
#include "web/hosts.h"

namespace left4me::web {

class HostCtls {
 public:
  // Makes the Ctl of a remote host (Ctl::over_ssh with its pinned key).
  using Factory = std::function<Result<std::shared_ptr<const Ctl>>(const Host& host)>;

  HostCtls(std::shared_ptr<const Ctl> local, Factory remote) : local_(std::move(local)), remote_(std::move(remote)) {}

  // Takes the hosts as they are now: local, and each usable remote host. A host whose Ctl cannot be made is left
  // out (its error is logged and kept for last_error).
  void rebuild(const std::vector<Host>& hosts);
  // The host's Ctl; kUnavailable naming the host when it has none (unknown, key not confirmed, or not made).
  Result<std::shared_ptr<const Ctl>> get(std::int64_t host_id) const;
  const Ctl& local() const { return *local_; }
  std::shared_ptr<const Ctl> local_shared() const { return local_; }

  struct Entry {
    std::int64_t id = 0;
    std::string name;
    std::shared_ptr<const Ctl> ctl;  // nullptr when the host has none
    std::string problem;             // then: why (its key is not confirmed, or the Ctl could not be made)
  };
  // The host's entry, nullopt when no host has the id.
  std::optional<Entry> find(std::int64_t host_id) const;
  // Every host, by id (local first).
  std::vector<Entry> all() const;

 private:
  std::shared_ptr<const Ctl> local_;
  Factory remote_;
  mutable std::mutex mutex_;
  std::map<std::int64_t, Entry> entries_;
};

}  // namespace left4me::web
