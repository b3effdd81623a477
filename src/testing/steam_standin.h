// SteamStandin: a stand-in for the Steam Web API (ISteamRemoteStorage GetCollectionDetails and
// GetPublishedFileDetails, protocols.md §4.4) and the Workshop's file server, over real HTTP on 127.0.0.1
// (port 0). Its replies have the recorded shapes: ids and file_size as strings, result 9 for a removed item,
// nested collections with filetype 2. It serves each item's file_url itself, optionally slowly or cut short,
// and can be told to lie (a raw reply body instead of the real one). Test code only; thread-safe (a mutex
// guards the fixture; one thread per connection).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"

namespace left4me::test {

struct StandinItem {
  enum class Serve { kNormal, kSlow, kTruncated, kNoFileUrl };
  std::string id;
  std::string title;
  std::string content;   // the file's bytes; file_size is its length unless file_size_override
  std::string filename;  // "" means "<id>.vpk" under a made-up path
  std::int64_t time_updated = 1700000000;
  int result = 1;      // 9: removed
  int visibility = 0;  // 2: private
  std::uint32_t consumer_app_id = 550;
  Serve serve = Serve::kNormal;
  std::int64_t file_size_override = -1;
};

struct StandinCollection {
  std::string id;
  std::vector<std::pair<std::string, int>> children;  // id, filetype (0 item, 2 collection), in sort order
};

// The body of a VPK version 1 file of at least 12 bytes, derived from seed so two items differ.
std::string standin_vpk(std::string_view seed, std::size_t size);

class SteamStandin {
 public:
  static Result<std::unique_ptr<SteamStandin>> start();
  ~SteamStandin();

  std::string base_url() const;  // "http://127.0.0.1:<port>"

  void put_item(StandinItem item);
  void put_collection(StandinCollection collection);
  void set_time_updated(const std::string& id, std::int64_t time_updated, std::string content);
  // The next replies of method ("GetPublishedFileDetails", "GetCollectionDetails") are this body, as given.
  void lie(const std::string& method, std::string body);
  // A slow file is sent in 4 KiB pieces this far apart.
  void set_slow_delay(std::chrono::milliseconds delay);

  // Requests so far: to one API method, or for one item's file.
  int api_requests(const std::string& method) const;
  int file_requests(const std::string& id) const;
  // The ids of the last request to method, as the form gave them.
  std::vector<std::string> last_ids(const std::string& method) const;

 private:
  SteamStandin() = default;
  void accept_loop();
  void serve(UniqueFd connection);
  std::string collection_reply(const std::vector<std::string>& ids);
  std::string details_reply(const std::vector<std::string>& ids);
  void serve_file(int fd, const std::string& id);

  UniqueFd listener_;
  UniqueFd stop_;  // eventfd: wakes the accept loop
  int port_ = 0;
  std::thread acceptor_;
  mutable std::mutex mutex_;
  std::vector<std::thread> connections_;
  std::map<std::string, StandinItem> items_;
  std::map<std::string, StandinCollection> collections_;
  std::map<std::string, std::string> lies_;
  std::map<std::string, int> api_requests_;
  std::map<std::string, int> file_requests_;
  std::map<std::string, std::vector<std::string>> last_ids_;
  std::chrono::milliseconds slow_delay_{50};
};

}  // namespace left4me::test
