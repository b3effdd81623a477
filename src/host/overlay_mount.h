// Mounting and unmounting one instance's overlay (see mount_plan.h for what is mounted and
// docs/design.md for why). Requires CAP_SYS_ADMIN; this is the code the left4me-overlay helper
// runs. Mounts land in the caller's mount namespace. Functions are thread-safe, but two calls for
// the same instance must not run at once (the supervisor serializes start/stop per instance).
#pragma once

#include <cstdint>
#include <string_view>

#include "base/result.h"
#include "host/instance_identity.h"
#include "host/mount_plan.h"
#include "model/instance_name.h"
#include "model/layout.h"

namespace left4me::host {

// How the lower layers reach the kernel.
enum class LowerdirApi {
  kAuto,    // pick by kernel release
  kFd,      // fsconfig(FSCONFIG_SET_FD, "lowerdir+") per layer: Linux 6.13+
  kAppend,  // fsconfig(FSCONFIG_SET_STRING, "lowerdir+") per layer: Linux 6.8+
  kLegacy,  // mount(2) with one "lowerdir=a:b:..." option string of at most one page
};

// The best API for a kernel release string such as "6.18.44-fc" (uname -r); kLegacy if unparsable.
LowerdirApi lowerdir_api_for_release(std::string_view release);

struct OverlayConfig {
  IdentityRange identity_range;
  LowerdirApi api = LowerdirApi::kAuto;
  // The page size mount(2) accepts for options (kLegacy only); a parameter so tests can shrink it.
  std::size_t legacy_option_limit = 4096;
};

// Mounts the instance: validates everything first (instance.env's L4D2_LOWERDIRS, each layer's
// canonical path under an allowed root, upper/work/merged real directories directly under
// runtime/<name>/, no fuse-overlayfs xattrs in upper/), then makes the plan's idmapped binds and
// the overlay, refusing before the overlay a layer other than the installation that holds a symlink
// out of the game tree (layer_links.h), walked on the descriptors it is given. Idempotent: an intact mount is success
// with nothing touched. A damaged one (binds without the overlay, stacked mounts, a foreign mount on merged) is
// unmounted and made anew. On failure nothing of this instance is left mounted.
Status mount_instance(const model::Layout& layout, const model::InstanceName& name, const OverlayConfig& config);

// Unmounts every mount an instance can have (instance_mountpoints), innermost first, each as often
// as it is stacked, and only those; then removes the kernel's root-owned work/work and the idmap
// mount point directories, never following a symlink. A clean or missing instance is success.
// Fails (after unmounting) if work/ is not a real directory, or if a mount is busy.
Status unmount_instance(const model::Layout& layout, const model::InstanceName& name);

// LEFT4ME_ROOT with its symlinks resolved: mount table paths and prefix checks compare with it. The two report
// functions below resolve it themselves (RootResolved::kNo, a realpath of four or more readlinks each time); a
// caller asking about many instances at once (`list`) resolves it once and passes that layout with kYes.
Result<model::Layout> resolved_layout(const model::Layout& layout);
enum class RootResolved { kNo, kYes };

enum class MountState {
  kUnmounted,  // none of the instance's mount points is mounted
  kMounted,    // merged is one overlay, nothing stacked
  kDamaged,    // anything else: needs unmount_instance (mount_instance repairs it)
};
// For reports (`l4d2ctl status`): asks the kernel about each mount point (mount_probe.h) and reads the
// mount table only when it cannot answer that way, so status does not load libmount on Linux 6.8+.
Result<MountState> instance_mount_state(const model::Layout& layout, const model::InstanceName& name,
                                        RootResolved resolved = RootResolved::kNo);

struct LayerUsage {
  std::uint64_t allocated_bytes = 0;  // disk blocks in use (du), hard links counted once
  std::uint64_t apparent_bytes = 0;   // sum of file sizes
  std::uint64_t entries = 0;
};
// What the instance's writable layer (runtime/<name>/upper only) holds.
Result<LayerUsage> writable_layer_usage(const model::Layout& layout, const model::InstanceName& name,
                                        RootResolved resolved = RootResolved::kNo);

}  // namespace left4me::host
