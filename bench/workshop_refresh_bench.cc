// Benchmark (not a test): refreshing a Workshop overlay of a 200-item collection (150 items and a nested
// collection of 50) where nothing changed, against the stand-in Steam Web API on 127.0.0.1
// (src/testing/steam_standin.h). Prints the API round trips and file downloads of one refresh and the wall
// time of each; the goal (issue 14) is one batched GetPublishedFileDetails per 100 items, not one per item.
// Usage: workshop_refresh_bench [RUNS] [ITEM_BYTES]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "base/file.h"
#include "content/workshop_refresh.h"
#include "testing/steam_standin.h"

using namespace left4me;

namespace {

constexpr int kItems = 200;
constexpr int kNested = 50;

void fail(const std::string& message) {
  std::fprintf(stderr, "workshop_refresh_bench: %s\n", message.c_str());
  std::exit(1);
}

int total_api_requests(const test::SteamStandin& standin) {
  return standin.api_requests("GetCollectionDetails") + standin.api_requests("GetPublishedFileDetails");
}

}  // namespace

int main(int argc, char** argv) {
  int runs = argc > 1 ? std::atoi(argv[1]) : 20;
  std::size_t item_bytes = argc > 2 ? static_cast<std::size_t>(std::atol(argv[2])) : 256 * 1024;
  auto standin = test::SteamStandin::start();
  if (!standin.ok()) fail(standin.error().message());
  test::StandinCollection top{.id = "3000000001"};
  test::StandinCollection nested{.id = "3000000002"};
  for (int i = 0; i < kItems; ++i) {
    std::string id = std::to_string(2000000000 + i);
    (*standin)->put_item(
        test::StandinItem{.id = id, .title = "Map " + id, .content = test::standin_vpk(id, item_bytes)});
    (i < kItems - kNested ? top : nested).children.emplace_back(id, 0);
  }
  top.children.emplace_back(nested.id, 2);
  (*standin)->put_collection(top);
  (*standin)->put_collection(nested);

  char pattern[] = "/tmp/left4me-workshop-bench-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) fail("mkdtemp failed");
  auto layout = model::Layout::create(pattern);
  if (!layout.ok() || !make_directories(layout->overlay("1")).ok()) fail("cannot make the overlay directory");
  content::SteamApiOptions options;
  options.base_url = (*standin)->base_url();
  content::SteamWebApi api(options);
  content::WorkshopCache cache(*layout, {});

  auto first = content::refresh_workshop_overlay(api, cache, {top.id}, layout->overlay("1"));
  if (!first.ok()) fail(first.error().message());
  if (first->linked.size() != kItems)
    fail("the first refresh linked " + std::to_string(first->linked.size()) + " items");
  int first_requests = total_api_requests(**standin);

  std::vector<double> milliseconds;
  int requests_per_refresh = 0;
  int downloads = 0;
  for (int run = 0; run < runs; ++run) {
    int before = total_api_requests(**standin);
    auto start = std::chrono::steady_clock::now();
    auto again = content::refresh_workshop_overlay(api, cache, {top.id}, layout->overlay("1"));
    auto end = std::chrono::steady_clock::now();
    if (!again.ok()) fail(again.error().message());
    for (const auto& outcome : again->outcomes) downloads += outcome.action == content::ItemAction::kDownloaded;
    requests_per_refresh = total_api_requests(**standin) - before;
    milliseconds.push_back(std::chrono::duration<double, std::milli>(end - start).count());
  }
  std::sort(milliseconds.begin(), milliseconds.end());
  int file_requests = 0;
  for (int i = 0; i < kItems; ++i) file_requests += (*standin)->file_requests(std::to_string(2000000000 + i));
  std::printf("items: %d (%d in the collection, %d in a nested one), %zu bytes each\n", kItems, kItems - kNested,
              kNested, item_bytes);
  std::printf("first refresh: %d API requests, %d file downloads\n", first_requests, file_requests);
  std::printf(
      "refresh with nothing changed (%d runs): %d API requests each (GetCollectionDetails %d in all, "
      "GetPublishedFileDetails %d in all), %d downloads in all\n",
      runs, requests_per_refresh, (*standin)->api_requests("GetCollectionDetails"),
      (*standin)->api_requests("GetPublishedFileDetails"), downloads);
  std::printf("wall time: median %.1f ms, min %.1f ms, max %.1f ms\n", milliseconds[milliseconds.size() / 2],
              milliseconds.front(), milliseconds.back());
  (void)remove_tree(pattern);
  return downloads == 0 ? 0 : 1;
}
