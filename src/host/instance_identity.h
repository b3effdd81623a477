// Per-instance identity: each instance's server runs as its own uid (gid = uid) taken from a
// configured range, allocated once and recorded in instances/<name>/uid. Only root allocates (the
// overlay mount, left4me-systemctl, the built-in supervisor as root); anyone may read. Thread-safe;
// allocation is serialized across processes by flock on the instances directory.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string_view>

#include "base/result.h"
#include "model/instance_name.h"
#include "model/layout.h"

namespace left4me::host {

// 0x70000000: above systemd's container range (0x80000..0x6FFFFFFF), below the foreign range
// 0x7FFE0000 and below 2^31 (see docs/design.md).
inline constexpr uid_t kDefaultInstanceUidBase = 0x70000000;
inline constexpr std::uint32_t kDefaultInstanceUidCount = 65536;

struct IdentityRange {
  uid_t base = kDefaultInstanceUidBase;
  std::uint32_t count = kDefaultInstanceUidCount;

  bool contains(uid_t uid) const { return uid >= base && uid - base < count; }
  // From LEFT4ME_INSTANCE_UID_BASE / LEFT4ME_INSTANCE_UID_COUNT values (nullopt: the default).
  // Fails unless 65536 <= base, 1 <= count and base + count <= 2^31.
  static Result<IdentityRange> create(std::optional<std::string_view> base, std::optional<std::string_view> count);
};

// Reads instances/<name>/uid: nullopt if not yet allocated; an error if it is malformed.
Result<std::optional<uid_t>> read_instance_uid(const model::Layout& layout, const model::InstanceName& name);

// Returns the instance's uid, allocating the lowest free one in `range` if none is recorded.
// Fails if the recorded uid is outside the range, equals `service_uid`, or is also recorded for
// another instance (the record lives in a directory the service user owns, so it is re-checked).
// `layout` must have a canonical root.
Result<uid_t> ensure_instance_uid(const model::Layout& layout, const model::InstanceName& name,
                                  const IdentityRange& range, uid_t service_uid);

// The owner of the data root: the service user, since only root could have made it anyone else. The
// root path and its parents are root's to choose (host.env), so it is stat'ed following symlinks.
struct DataRootOwner {
  uid_t uid = 0;
  gid_t gid = 0;
};
Result<DataRootOwner> data_root_owner(const model::Layout& layout);

// The one answer to "which uid does this instance's server run as": nullopt when the data root belongs
// to root (there is no service user to separate from, and the overlay is not idmapped); otherwise the
// instance's own uid, allocated on first use and re-validated on every call (ensure_instance_uid), since
// the record lives in a directory the service user owns. Used by the overlay mount, left4me-systemctl
// and the built-in supervisor running as root.
Result<std::optional<uid_t>> instance_server_uid(const model::Layout& layout, const model::InstanceName& name,
                                                 const IdentityRange& range);

}  // namespace left4me::host
