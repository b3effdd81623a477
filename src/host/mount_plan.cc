#include "host/mount_plan.h"

#include <fmt/format.h>

#include "base/strings.h"

namespace left4me::host {

std::string_view layer_root_name(LayerRoot root) {
  switch (root) {
    case LayerRoot::kInstallation:
      return "installation";
    case LayerRoot::kOverlays:
      return "overlays";
    case LayerRoot::kWorkshopCache:
      return "workshop_cache";
    case LayerRoot::kGlobalOverlayCache:
      return "global_overlay_cache";
  }
  return "";
}

AllowedRoots AllowedRoots::from_layout(const model::Layout& layout) {
  return {layout.installation(), layout.overlays(), layout.workshop_cache(), layout.global_overlay_cache()};
}

const std::string& AllowedRoots::path(LayerRoot root) const {
  switch (root) {
    case LayerRoot::kInstallation:
      return installation;
    case LayerRoot::kOverlays:
      return overlays;
    case LayerRoot::kWorkshopCache:
      return workshop_cache;
    case LayerRoot::kGlobalOverlayCache:
      return global_overlay_cache;
  }
  return installation;
}

std::vector<std::string> MountPlan::mountpoints() const {
  std::vector<std::string> result;
  for (const IdmapBind& bind : binds) result.push_back(bind.target);
  result.push_back(merged);
  return result;
}

namespace {

// The relative path of `path` below `root` ("" when equal), or nullopt if it is not within it.
std::optional<std::string> relative_below(std::string_view path, std::string_view root) {
  if (path == root) return std::string();
  if (path.size() > root.size() && path.starts_with(root) && path[root.size()] == '/') {
    return std::string(path.substr(root.size() + 1));
  }
  return std::nullopt;
}

}  // namespace

Result<MountPlan> make_mount_plan(const model::Layout& layout, const model::InstanceName& name,
                                  const std::vector<std::string>& resolved_lowerdirs, const AllowedRoots& roots,
                                  std::optional<Identity> identity) {
  if (resolved_lowerdirs.empty()) return Error::invalid("the layer stack is empty");
  if (resolved_lowerdirs.size() > kMaxLowerLayers) {
    return Error::invalid(
        fmt::format("{} layers; overlayfs stacks at most {}", resolved_lowerdirs.size(), kMaxLowerLayers));
  }
  MountPlan plan;
  plan.identity = identity;
  plan.merged = layout.merged(name);
  bool used[std::size(kLayerRoots)] = {};
  for (size_t i = 0; i < resolved_lowerdirs.size(); ++i) {
    const std::string& path = resolved_lowerdirs[i];
    for (size_t j = 0; j < i; ++j) {
      if (resolved_lowerdirs[j] == path) {
        return Error::invalid(fmt::format("layer {} '{}' repeats layer {}", i + 1, path, j + 1));
      }
    }
    std::optional<LowerLayer> layer;
    for (size_t r = 0; r < std::size(kLayerRoots) && !layer; ++r) {
      std::optional<std::string> relative = relative_below(path, roots.path(kLayerRoots[r]));
      if (!relative) continue;
      used[r] = true;
      layer = LowerLayer{path, kLayerRoots[r], *relative, path};
    }
    if (!layer) {
      return Error::invalid(fmt::format(
          "layer {} '{}' is outside the allowed roots (installation, overlays, workshop_cache, global_overlay_cache)",
          i + 1, path));
    }
    if (identity) {
      layer->mounted = layout.idmap(name, layer_root_name(layer->root));
      if (!layer->relative.empty()) layer->mounted += "/" + layer->relative;
    }
    plan.lowers.push_back(std::move(*layer));
  }
  if (used[0]) plan.installation_root = roots.path(LayerRoot::kInstallation);
  if (identity) {
    // The writable layer's bind comes first: upper and work must share one mount.
    std::string writable = layout.idmap(name, kWritableBindName);
    plan.binds.push_back({std::string(kWritableBindName), layout.runtime_dir(name), writable, Access::kReadWrite});
    for (size_t r = 0; r < std::size(kLayerRoots); ++r) {
      if (!used[r]) continue;
      std::string_view root_name = layer_root_name(kLayerRoots[r]);
      plan.binds.push_back(
          {std::string(root_name), roots.path(kLayerRoots[r]), layout.idmap(name, root_name), Access::kReadOnly});
    }
    // The layout names upper/work below runtime/<name>; through the bind they sit below `writable`.
    plan.upper = writable + layout.upper(name).substr(layout.runtime_dir(name).size());
    plan.work = writable + layout.work(name).substr(layout.runtime_dir(name).size());
  } else {
    plan.upper = layout.upper(name);
    plan.work = layout.work(name);
  }
  return plan;
}

std::vector<std::string> instance_mountpoints(const model::Layout& layout, const model::InstanceName& name) {
  std::vector<std::string> result = {layout.merged(name)};
  for (auto it = std::rbegin(kLayerRoots); it != std::rend(kLayerRoots); ++it) {
    result.push_back(layout.idmap(name, layer_root_name(*it)));
  }
  result.push_back(layout.idmap(name, kWritableBindName));
  return result;
}

Result<std::string> legacy_overlay_options(const std::vector<std::string>& lowerdirs, std::string_view upper,
                                           std::string_view work, std::size_t limit) {
  auto check = [](std::string_view path) -> Status {
    if (path.find_first_of(":,\\") != std::string_view::npos) {
      return Error::invalid(fmt::format("'{}' holds ':', ',' or '\\', which mount options cannot carry", path));
    }
    return ok_status();
  };
  std::string options = "lowerdir=";
  for (size_t i = 0; i < lowerdirs.size(); ++i) {
    if (Status status = check(lowerdirs[i]); !status) return status.error();
    if (i > 0) options += ':';
    options += lowerdirs[i];
  }
  if (Status status = check(upper); !status) return status.error();
  if (Status status = check(work); !status) return status.error();
  options += fmt::format(",upperdir={},workdir={}", upper, work);
  // mount(2) copies at most one page of options, including the terminating NUL.
  if (options.size() + 1 > limit) {
    return Error::invalid(fmt::format(
        "{} layers need a {}-byte lowerdir= option, over the {}-byte limit of mount(2) on kernels before 6.8",
        lowerdirs.size(), options.size() + 1, limit));
  }
  return options;
}

}  // namespace left4me::host
