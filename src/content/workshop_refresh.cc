#include "content/workshop_refresh.h"

namespace left4me::content {

Result<WorkshopRefresh> refresh_workshop_overlay(SteamWebApi& api, WorkshopCache& cache,
                                                 const std::vector<std::string>& ids, const std::string& overlay_dir,
                                                 const ItemProgress& progress) {
  WorkshopRefresh refresh;
  auto resolved = api.resolve(ids);
  if (!resolved.ok()) return resolved.error();
  refresh.resolution = std::move(*resolved);
  refresh.files = api.details(refresh.resolution.items);
  refresh.outcomes = cache.refresh(refresh.files, progress);
  for (const auto& file : refresh.files) {
    if (cache.record(file.id)) refresh.linked.push_back(file.id);
  }
  if (auto linked = cache.link_into(overlay_dir, refresh.linked, Prune::kYes); !linked.ok()) return linked.error();
  return refresh;
}

}  // namespace left4me::content
