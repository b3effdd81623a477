// SteamWebApi: the two calls of ISteamRemoteStorage the Workshop needs (protocols.md §4.4), over HTTP POST
// with libcurl: GetCollectionDetails, to expand collections (nested ones too, each once, cycles cut), and
// GetPublishedFileDetails, batched, to learn each item's file, size and last update. Replies are untrusted:
// each is size-limited, parsed with parse_json_limited, and checked field by field; what is wrong is
// reported per item. One owner; not synchronized.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "base/result.h"
#include "content/http_client.h"

namespace left4me::content {

inline constexpr std::uint32_t kL4d2AppId = 550;

struct SteamApiOptions {
  std::string base_url = "https://api.steampowered.com";  // tests point it at a stand-in
  HttpOptions http;
  std::size_t batch_size = 100;               // ids per request (Steam's own limit is about 100)
  std::size_t max_reply_bytes = 16u << 20;    // one reply
  std::size_t max_items = 5000;               // items a resolution may yield, all collections together
  int max_depth = 8;                          // collections inside collections
  std::uint64_t max_file_bytes = 4ull << 30;  // an item's file_size
};

// One item as GetPublishedFileDetails describes it. status says whether it can be used, and why not:
// kNotFound (removed, or never existed: result 9), kPermissionDenied (private, friends-only, banned: result
// 15, visibility 1 or 2), kInvalidArgument (not an L4D2 item, not a .vpk, a field missing or of the wrong
// type), kLimitReached (file_size past the limit), kFailed/kTimeout/kUnavailable/... (its request failed:
// nothing is known about the item, keep what you have).
struct PublishedFile {
  std::string id;
  Status status;
  std::string title;
  std::string filename;  // the basename of Steam's filename
  std::string file_url;  // "" when Steam gives none (then steamcmd is the way)
  std::uint64_t file_size = 0;
  std::int64_t time_updated = 0;  // Unix seconds
};

struct CollectionResolution {
  std::vector<std::string> items;        // every item, collections expanded in sort order, each once
  std::vector<std::string> collections;  // every collection met, given or nested, each once
  std::vector<Error> problems;           // what was left out and why (too deep, too many items)
  bool truncated = false;                // items were left out for max_items
};

struct CollectionGraph;  // steam_web_api.cc

class SteamWebApi {
 public:
  explicit SteamWebApi(SteamApiOptions options) : options_(std::move(options)) {}

  // Expands ids (Workshop item or collection ids, decimal): each collection becomes its children in
  // sortorder, recursively; a collection met again (a cycle, or in two places) is expanded only the first
  // time; an id that is not a collection stays an item. kInvalidArgument for an id that is not a decimal
  // number; a failed GetCollectionDetails request fails the whole resolution (nothing would be known).
  Result<CollectionResolution> resolve(const std::vector<std::string>& ids);

  // The details of ids (de-duplicated; order kept), one request per batch_size ids. Never fails as a
  // whole: a failed request marks each item of its batch with that error.
  std::vector<PublishedFile> details(const std::vector<std::string>& ids);

  // HTTP requests made so far (for the benchmark and tests).
  int requests() const { return requests_; }

 private:
  std::string url(std::string_view method) const;
  Result<std::string> post(std::string_view method, std::string_view count_field, const std::vector<std::string>& ids);
  Status fetch_collections(const std::vector<std::string>& ids, CollectionGraph& graph);
  void details_batch(const std::vector<std::string>& ids, std::vector<PublishedFile>& out);

  SteamApiOptions options_;
  int requests_ = 0;
};

// True for a Workshop id: 1 to 20 decimal digits.
bool is_workshop_id(std::string_view text);

// The Workshop id in what a user pasted: an id, or a Steam Community URL of an item or collection
// (http(s)://steamcommunity.com/sharedfiles/filedetails/?id=<id>, also /workshop/filedetails/, with other
// query parameters in any order). Surrounding blanks are ignored. kInvalidArgument naming the text otherwise.
Result<std::string> parse_workshop_reference(std::string_view text);

// One entry of a GetPublishedFileDetails reply checked into a PublishedFile.
PublishedFile check_published_file(const nlohmann::json& entry, const SteamApiOptions& options);

// A GetPublishedFileDetails reply body read into one PublishedFile per id (in order): a reply that cannot
// be read gives every id its error; an id the reply leaves out is kFailed. Pure; what details() does with
// each reply (exposed for the fuzz target).
std::vector<PublishedFile> parse_details_reply(std::string_view body, const std::vector<std::string>& ids,
                                               const SteamApiOptions& options);

}  // namespace left4me::content
