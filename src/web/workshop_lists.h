// Workshop overlays' lists: the Workshop item and collection ids a user gave an overlay (pasted as ids or Steam
// Community URLs), the items the last refresh resolved them to, each with its title, size, last update and where it
// stands (ok, queued, downloading with its bytes so far, failed and why), and the overlay's last refresh. The files
// are the content library's (workshop_cache/, linked into the overlay). Thread-safe (through Database).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "web/database.h"
#include "web/states.h"

namespace left4me::web {

// The most ids one overlay's list may hold (a collection counts as one).
inline constexpr std::size_t kMaxWorkshopEntries = 1000;

struct WorkshopItem {
  std::string id;
  std::string title;
  std::int64_t file_size = 0;
  std::int64_t time_updated = 0;  // Unix seconds, as Steam gave it (0: unknown)
  WorkshopItemState state = WorkshopItemState::kQueued;
  std::string error;  // failed: why
  std::int64_t bytes_done = 0;
  std::int64_t checked_at = 0;
};

struct WorkshopList {
  std::vector<std::string> entries;  // ids as given (items and collections), in order
  std::vector<WorkshopItem> items;   // what the last refresh resolved them to, in order
  std::optional<std::int64_t> refreshed_at;
  std::string error;  // why the last refresh of the whole overlay failed ("" when it did not)
};

// The ids in what a user pasted: one entry per line, or separated by blanks or commas; each an id or a Steam
// Community URL of an item or collection (content::parse_workshop_reference). Repeats are kept once.
// kInvalidArgument naming the first bad entry and its place ("entry 3: ..."), or too many entries.
Result<std::vector<std::string>> parse_workshop_entries(std::string_view text);
// The same for entries given one by one (the API's array).
Result<std::vector<std::string>> parse_workshop_entries(const std::vector<std::string>& given);

class WorkshopLists {
 public:
  explicit WorkshopLists(Database& database) : database_(database) {}

  Result<WorkshopList> get(std::int64_t overlay_id);
  // Replaces the overlay's ids (already checked by parse_workshop_entries).
  Status set_entries(std::int64_t overlay_id, const std::vector<std::string>& ids);

  // For the refresh job: replaces the overlay's items with these (what the API said of them now).
  Status set_items(std::int64_t overlay_id, const std::vector<WorkshopItem>& items);
  // One item's state, error and bytes so far.
  Status set_item_state(std::int64_t overlay_id, const std::string& item_id, WorkshopItemState state,
                        const std::string& error, std::int64_t bytes_done);
  // The end of an overlay's refresh: when, and why it failed as a whole ("" when it did not).
  Status finish_refresh(std::int64_t overlay_id, std::int64_t at, const std::string& error);
  // Every Workshop overlay's id, in id order.
  Result<std::vector<std::int64_t>> workshop_overlays();

 private:
  Database& database_;
};

}  // namespace left4me::web
