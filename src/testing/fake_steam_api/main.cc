// fake-steam-api: the stand-in Steam Web API (src/testing/steam_standin.h) as its own process, for tests
// of whole programs (the web app's Workshop overlays). Serves a fixed fixture on 127.0.0.1, prints its base
// URL as the first line of stdout, and runs until SIGTERM or SIGINT; SIGHUP publishes an update of every
// item (time_updated + 1000, new bytes). The fixture:
//   collection 900 = [1001, collection 901, 1002], 901 = [1003, collection 902, 1001], 902 = [1004, 900]
//   1001..1004   VPKs of 5000 bytes;  1005 a slow one (40 KiB, 50 ms per 4 KiB);  1006 cut short
//   1007         removed (result 9);  1008 private (visibility 2, no file_url);  1009 no file_url (steamcmd)
#include <signal.h>

#include <cstdio>
#include <string>

#include "testing/steam_standin.h"

using namespace left4me::test;

namespace {

void put_fixture(SteamStandin& standin, std::int64_t time_updated, const std::string& version) {
  auto item = [&](const std::string& id, std::size_t size, StandinItem::Serve serve) {
    standin.put_item(StandinItem{.id = id,
                                 .title = "Stand-in map " + id,
                                 .content = standin_vpk(id + version, size),
                                 .time_updated = time_updated,
                                 .serve = serve});
  };
  for (const char* id : {"1001", "1002", "1003", "1004"}) item(id, 5000, StandinItem::Serve::kNormal);
  item("1005", 40 * 1024, StandinItem::Serve::kSlow);
  item("1006", 50000, StandinItem::Serve::kTruncated);
  standin.put_item(StandinItem{.id = "1007", .result = 9});
  standin.put_item(StandinItem{.id = "1008", .content = "x", .visibility = 2, .serve = StandinItem::Serve::kNoFileUrl});
  item("1009", 5000, StandinItem::Serve::kNoFileUrl);
}

}  // namespace

int main() {
  sigset_t signals;
  sigemptyset(&signals);
  for (int signal_number : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&signals, signal_number);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts: they all inherit it
  auto standin = SteamStandin::start();
  if (!standin.ok()) {
    std::fprintf(stderr, "fake-steam-api: %s\n", standin.error().message().c_str());
    return 1;
  }
  (*standin)->put_collection(StandinCollection{.id = "900", .children = {{"1001", 0}, {"901", 2}, {"1002", 0}}});
  (*standin)->put_collection(StandinCollection{.id = "901", .children = {{"1003", 0}, {"902", 2}, {"1001", 0}}});
  (*standin)->put_collection(StandinCollection{.id = "902", .children = {{"1004", 0}, {"900", 2}}});
  std::int64_t time_updated = 1700000000;
  int version = 0;
  put_fixture(**standin, time_updated, "");
  (*standin)->set_slow_delay(std::chrono::milliseconds(50));
  std::printf("%s\n", (*standin)->base_url().c_str());
  std::fflush(stdout);
  while (true) {
    int received = 0;
    if (sigwait(&signals, &received) != 0 || received != SIGHUP) break;
    time_updated += 1000;
    put_fixture(**standin, time_updated, " v" + std::to_string(++version));
  }
  return 0;
}
