// Mounter: the seam through which start/stop mount and unmount an instance's overlay. The real
// ones run the privileged left4me-overlay helper (through `sudo -n` when not root) or, when
// already root, call the mount code directly; tests use the in-process FakeMounter
// (src/testing/fake_mounter.h). Each Mounter is
// thread-compatible; calls for one instance must not overlap.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "host/instance_identity.h"
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
  // is_mounted, given the layout with LEFT4ME_ROOT already resolved (resolved_layout in overlay_mount.h), which
  // `list` does once for every instance. The same answer; a mounter that reads no mount table may ignore it.
  virtual Result<bool> is_mounted_resolved(const model::Layout& resolved, const model::InstanceName& name) {
    (void)resolved;
    return is_mounted(name);
  }
  // Every mount point at runtime/<name> or below it, the instance's own or not, in mount table order
  // (needs no privilege). Empty when nothing is mounted there.
  virtual Result<std::vector<std::string>> mounts_below(const model::InstanceName& name) = 0;
};

// Runs `[sudo -n] <helper> mount|umount <name>`; `helper` is HostConfig::overlay_helper
// (LEFT4ME_OVERLAY_HELPER from host.env or the environment, else /usr/local/libexec/left4me/left4me-overlay).
// sudo is used when the effective uid is not 0. A failing helper becomes an Error carrying its one-line message.
std::unique_ptr<Mounter> make_helper_mounter(const model::Layout& layout, const std::string& helper);

// Calls mount_instance/unmount_instance in this process (must be root), allocating instance uids from
// `uid_range` (host.env's, as HostConfig loaded it: the same keys the helper reads).
std::unique_ptr<Mounter> make_direct_mounter(const model::Layout& layout, const IdentityRange& uid_range);

}  // namespace left4me::host
