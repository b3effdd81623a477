// MountPlan: the exact mounts that make up one instance's game tree (an overlayfs at
// runtime/<name>/merged over idmapped binds), derived from L4D2_LOWERDIRS and the layout.
// Pure: no I/O, value types; thread-safe.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "model/instance_name.h"
#include "model/layout.h"

namespace left4me::host {

// The kernel's overlayfs stack limit (FILESYSTEM_MAX_STACK_DEPTH * ... = 500 lower layers).
inline constexpr std::size_t kMaxLowerLayers = 500;

// The four directories a lower layer may come from. Each idmapped bind is named after its root.
enum class LayerRoot { kInstallation, kOverlays, kWorkshopCache, kGlobalOverlayCache };
inline constexpr LayerRoot kLayerRoots[] = {LayerRoot::kInstallation, LayerRoot::kOverlays, LayerRoot::kWorkshopCache,
                                            LayerRoot::kGlobalOverlayCache};
// "installation", "overlays", "workshop_cache", "global_overlay_cache".
std::string_view layer_root_name(LayerRoot root);

// Canonical (symlink-free, absolute) paths of the four roots.
struct AllowedRoots {
  std::string installation;
  std::string overlays;
  std::string workshop_cache;
  std::string global_overlay_cache;

  // The roots exactly as the layout names them (for a layout whose root is already canonical).
  static AllowedRoots from_layout(const model::Layout& layout);
  const std::string& path(LayerRoot root) const;
};

// The bind holding the instance's writable layer (runtime/<name>, seen through the idmap).
inline constexpr std::string_view kWritableBindName = "writable";

// Per-instance identity: on-disk files of the service user appear (and are created) as the
// instance's own uid/gid through the idmapped binds; root stays root so overlayfs can work.
struct Identity {
  uid_t service_uid = 0;
  gid_t service_gid = 0;
  uid_t instance_uid = 0;
  gid_t instance_gid = 0;
  bool operator==(const Identity&) const = default;
};

enum class Access { kReadOnly, kReadWrite };

// One idmapped bind: `source` (a canonical directory) appears at `target` = runtime/<name>/idmap/<name>.
struct IdmapBind {
  std::string name;  // a layer root name or kWritableBindName
  std::string source;
  std::string target;
  Access access = Access::kReadOnly;
  bool operator==(const IdmapBind&) const = default;
};

struct LowerLayer {
  std::string resolved;  // the canonical directory on disk
  LayerRoot root = LayerRoot::kInstallation;
  std::string relative;  // below its root; empty when the layer is the root itself
  std::string mounted;   // the path overlayfs is given (through the idmapped bind when identity is on)
  bool operator==(const LowerLayer&) const = default;
};

struct MountPlan {
  std::optional<Identity> identity;  // nullopt: plain overlay of the real directories
  std::vector<IdmapBind> binds;      // in mount order; empty without identity
  std::vector<LowerLayer> lowers;    // top first, the installation last
  std::string upper;                 // as given to overlayfs
  std::string work;
  std::string merged;
  // The canonical installation root the stack's layers come from; "" when no layer does.
  std::string installation_root;

  // Every mount point the plan creates, in mount order (binds, then merged).
  std::vector<std::string> mountpoints() const;
};

// Builds the plan from canonical lowerdirs (top first). Fails if a lowerdir is not equal to or below
// one of `roots`, or appears twice. Only the roots the stack uses get a bind.
Result<MountPlan> make_mount_plan(const model::Layout& layout, const model::InstanceName& name,
                                  const std::vector<std::string>& resolved_lowerdirs, const AllowedRoots& roots,
                                  std::optional<Identity> identity);

// Every path any plan of this instance may mount, innermost first (merged, then each possible bind).
// Independent of instance.env, so unmount also finds mounts made from an older layer stack.
std::vector<std::string> instance_mountpoints(const model::Layout& layout, const model::InstanceName& name);

// The legacy mount(2) option string "lowerdir=a:b,upperdir=u,workdir=w". Fails if a path holds
// ':', ',' or '\\' (the option syntax cannot carry them unescaped) or the string exceeds `limit`
// bytes (one page for mount(2)), naming the layer count and the size.
Result<std::string> legacy_overlay_options(const std::vector<std::string>& lowerdirs, std::string_view upper,
                                           std::string_view work, std::size_t limit);

}  // namespace left4me::host
