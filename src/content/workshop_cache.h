// WorkshopCache: the host's one copy of each Workshop item, workshop_cache/<id>.vpk beside a record of what
// the Steam Web API said when it was fetched (<id>.json), shared by every overlay that uses the item. Items
// are fetched from their file_url (else with steamcmd), checked (the size the API gave, a VPK header) and
// renamed into place, so a reader sees the old file or the new one; an item is fetched again only when its
// time_updated changes. Overlays get hard links (copies across filesystems) in left4dead2/addons/, never
// symlinks. One owner per cache directory; not synchronized (the web app runs one refresh job at a time).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "content/http_client.h"
#include "content/steam_web_api.h"
#include "model/layout.h"

namespace left4me::content {

// Downloads one item with steamcmd and returns the path of the .vpk it wrote (steamcmd_download.h).
using SteamcmdDownload = std::function<Result<std::string>(const std::string& item_id)>;

struct WorkshopCacheOptions {
  HttpOptions http;
  SteamcmdDownload steamcmd;  // for items without a file_url; empty: such items fail
};

// What the cache holds for an item, as recorded when it was fetched.
struct CacheRecord {
  std::string id;
  std::string title;
  std::string filename;
  std::uint64_t file_size = 0;
  std::int64_t time_updated = 0;
};

enum class ItemAction {
  kUpToDate,    // the cached file is the current one: nothing fetched
  kDownloaded,  // fetched now
  kFailed,      // status says why; a copy fetched earlier (if any) is still in the cache
};

enum class ItemSource { kNone, kFileUrl, kSteamcmd };

struct ItemOutcome {
  std::string id;
  ItemAction action = ItemAction::kFailed;
  ItemSource source = ItemSource::kNone;
  Status status;
};

// Called while an item downloads: bytes so far and the expected total.
using ItemProgress = std::function<void(const std::string& id, std::uint64_t done, std::uint64_t total)>;

enum class Prune { kNo, kYes };

class WorkshopCache {
 public:
  WorkshopCache(model::Layout layout, WorkshopCacheOptions options)
      : layout_(std::move(layout)), options_(std::move(options)) {}

  // Brings each item up to date (see the file comment), one after another. An item whose details failed is
  // kFailed with that status and nothing is fetched for it; the others go on whatever one item does.
  std::vector<ItemOutcome> refresh(const std::vector<PublishedFile>& files, const ItemProgress& progress = {});
  ItemOutcome refresh_one(const PublishedFile& file, const ItemProgress& progress = {});

  // The record of a cached item; nullopt when the item (file or record) is not in the cache.
  std::optional<CacheRecord> record(const std::string& id) const;

  // Makes overlay_dir/left4dead2/addons/<id>.vpk the cached file of each id (a hard link, or a copy when the
  // overlay is on another filesystem), replacing what was there with one rename; with Prune::kYes also
  // removes the other <digits>.vpk files there. Creates left4dead2/addons as needed; refuses (kInvalidArgument)
  // when overlay_dir or a directory on the way is a symlink or not a directory; kNotFound for an id not in
  // the cache (nothing is changed then).
  Status link_into(const std::string& overlay_dir, const std::vector<std::string>& ids, Prune prune) const;

  // Removes an item's file and record from the cache (missing is success).
  Status remove(const std::string& id) const;

  // Removes the temporary files an interrupted refresh left in the cache (".<id>.vpk.part-<hex>"). Call it
  // only while no refresh runs (when the web app starts). Returns how many it removed.
  Result<int> remove_partial_downloads() const;

 private:
  Result<ItemSource> fetch(const PublishedFile& file, const ItemProgress& progress);

  model::Layout layout_;
  WorkshopCacheOptions options_;
};

// The ids of the cached items that none of overlay_dirs uses: no file in its left4dead2/addons/ is the
// cached file (same inode) or named <id>.vpk (a copy). Sorted. For collecting the cache; the caller removes
// them (WorkshopCache::remove) when no refresh is running.
Result<std::vector<std::string>> unreferenced_items(const model::Layout& layout,
                                                    const std::vector<std::string>& overlay_dirs);

// True when data starts like a VPK file: signature 0x55AA1234 (little-endian), version 1 or 2.
bool has_vpk_header(std::string_view data);

}  // namespace left4me::content
