// A Workshop overlay's refresh, as the web app's job runs it: the overlay's ids (items and collections)
// resolved through the Steam Web API, the items' details asked for in batches, each item brought up to date
// in the cache, and the overlay's left4dead2/addons/ made to hold exactly the cached items. Not synchronized
// (one refresh per cache at a time).
#pragma once

#include <string>
#include <vector>

#include "content/steam_web_api.h"
#include "content/workshop_cache.h"

namespace left4me::content {

struct WorkshopRefresh {
  CollectionResolution resolution;
  std::vector<PublishedFile> files;   // each item's details (title, size, time_updated), in order
  std::vector<ItemOutcome> outcomes;  // one per file, same order
  std::vector<std::string> linked;    // the items now in the overlay's addons/
};

// Runs the refresh (see the file comment). Items that fail are reported in outcomes and never stop the
// others; an item that fails but has a copy in the cache stays linked (a network failure or an item made
// private later does not take a map away from its server). Fails as a whole only when the ids cannot be
// resolved (no GetCollectionDetails answer) or the overlay cannot be linked (link_into's errors).
Result<WorkshopRefresh> refresh_workshop_overlay(SteamWebApi& api, WorkshopCache& cache,
                                                 const std::vector<std::string>& ids, const std::string& overlay_dir,
                                                 const ItemProgress& progress = {});

}  // namespace left4me::content
