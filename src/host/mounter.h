// Mounter: the seam through which start/stop mount and unmount an instance's overlay. The real
// ones run the privileged left4me-overlay helper (through `sudo -n` when not root) or, when
// already root, call the mount code directly; tests may substitute a fake. Each Mounter is
// thread-compatible; calls for one instance must not overlap.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "model/instance_name.h"
#include "model/layout.h"

namespace left4me::host {

class Mounter {
 public:
  virtual ~Mounter() = default;
  // Makes runtime/<name>/merged the instance's overlay; idempotent, repairs a damaged mount.
  virtual Status mount(const model::InstanceName& name) = 0;
  // Removes every mount of the instance; a clean instance is success.
  virtual Status unmount(const model::InstanceName& name) = 0;
  // True when merged is the instance's overlay, intact (from the mount table; needs no privilege).
  virtual Result<bool> is_mounted(const model::InstanceName& name) = 0;
};

// Runs `[sudo -n] <helper> mount|umount <name>`; `helper` is HostConfig::overlay_helper
// (LEFT4ME_OVERLAY_HELPER from host.env or the environment, else /usr/local/libexec/left4me/left4me-overlay).
// sudo is used when the effective uid is not 0. A failing helper becomes an Error carrying its one-line message.
std::unique_ptr<Mounter> make_helper_mounter(const model::Layout& layout, const std::string& helper);

// LEFT4ME_INSTANCE_UID_BASE / LEFT4ME_INSTANCE_UID_COUNT as configured (host.env, the environment on
// top: HostConfig::values), unchecked until a mount needs them; nullopt: the default.
struct UidRangeSetting {
  std::optional<std::string> base;
  std::optional<std::string> count;
};

// Calls mount_instance/unmount_instance in this process (must be root), with the instance uid range
// from the same host.env keys the helper reads.
std::unique_ptr<Mounter> make_direct_mounter(const model::Layout& layout, UidRangeSetting uid_range);

}  // namespace left4me::host
