// StatusCache over the stand-in l4d2ctl: requests never wait for a running `l4d2ctl list`, jobs' fresh
// statuses win over an older list, and the refresher rests when nobody asks.
#include "web/status_cache.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "base/file.h"
#include "base/strings.h"
#include "testing/test_support.h"

namespace left4me::web {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

class StatusCacheTest : public ::testing::Test {
 protected:
  StatusCacheTest()
      : fake_(dir_.path() + "/fake"),
        ctl_(LEFT4ME_WEB_FAKE_CTL, {"LEFT4ME_ROOT=" + dir_.path(), "PATH=/usr/bin:/bin"}) {
    EXPECT_OK(make_directories(fake_));
  }

  void write(const std::string& name, const std::string& content) { std::ofstream(fake_ + "/" + name) << content; }
  void set_state(const std::string& server, const std::string& state) {
    write(server + ".spec", "port: 27015\n");
    write(server + ".state", state + "\n");
  }
  int list_calls() {
    std::ifstream in(fake_ + "/calls.log");
    std::stringstream text;
    text << in.rdbuf();
    int calls = 0;
    for (const std::string& line : split(text.str(), '\n')) calls += line.find("begin list") != std::string::npos;
    return calls;
  }
  static std::string state_of(StatusCache& cache, const std::string& server) {
    Result<std::shared_ptr<const StatusMap>> statuses = cache.snapshot();
    if (!statuses) return "error: " + statuses.error().message();
    auto it = (*statuses)->find(server);
    return it == (*statuses)->end() ? "absent" : it->second.value("state", "");
  }
  static bool eventually(const std::function<bool()>& check, milliseconds timeout = milliseconds(5000)) {
    for (auto deadline = Clock::now() + timeout; Clock::now() < deadline;) {
      if (check()) return true;
      std::this_thread::sleep_for(milliseconds(10));
    }
    return check();
  }

  test::TempDir dir_;
  std::string fake_;
  Ctl ctl_;
};

TEST_F(StatusCacheTest, UnknownUntilTheFirstRefreshThenServedWithoutWaiting) {
  set_state("alpha", "running");
  StatusCache cache(ctl_, milliseconds(100));
  Result<std::shared_ptr<const StatusMap>> before = cache.snapshot();
  ASSERT_FALSE(before.ok());
  EXPECT_EQ(before.error().code(), ErrorCode::kUnavailable);
  ASSERT_OK(cache.refresh());
  EXPECT_EQ(state_of(cache, "alpha"), "running");

  // A slow l4d2ctl list: every request still answers at once, with the previous statuses until it ends.
  write("list_delay", "0.5");
  set_state("alpha", "stopped");
  cache.start();
  auto asked = Clock::now();
  for (int i = 0; i < 20; ++i) EXPECT_EQ(state_of(cache, "alpha"), "running");
  EXPECT_LT(Clock::now() - asked, milliseconds(200));
  EXPECT_TRUE(eventually([&] { return state_of(cache, "alpha") == "stopped"; }));
}

TEST_F(StatusCacheTest, AJobsStatusWinsOverAListTakenBeforeIt) {
  set_state("alpha", "stopped");
  StatusCache cache(ctl_, milliseconds(100));
  ASSERT_OK(cache.refresh());
  write("list_delay", "0.5");
  std::thread slow_list([&] { ASSERT_OK(cache.refresh()); });
  std::this_thread::sleep_for(milliseconds(200));  // the list has read alpha's state by now
  cache.put("alpha", nlohmann::json{{"name", "alpha"}, {"state", "running"}});
  EXPECT_EQ(state_of(cache, "alpha"), "running");
  slow_list.join();
  EXPECT_EQ(state_of(cache, "alpha"), "running");
  cache.put("alpha", std::nullopt);
  EXPECT_EQ(state_of(cache, "alpha"), "absent");
}

TEST_F(StatusCacheTest, RefreshesWhileAskedAndRestsWhenNot) {
  set_state("alpha", "running");
  StatusCache cache(ctl_, milliseconds(50), milliseconds(300));
  cache.start();
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(list_calls(), 0) << "nobody asked yet";
  (void)cache.snapshot();
  EXPECT_TRUE(eventually([&] { return state_of(cache, "alpha") == "running"; }));
  std::this_thread::sleep_for(milliseconds(1000));  // rested by now
  int rested = list_calls();
  EXPECT_GE(rested, 2);
  std::this_thread::sleep_for(milliseconds(400));
  EXPECT_EQ(list_calls(), rested) << "l4d2ctl list ran while nobody asked";
  set_state("alpha", "stopped");
  (void)cache.snapshot();  // wakes it at once
  EXPECT_TRUE(eventually([&] { return state_of(cache, "alpha") == "stopped"; }));
}

// What is derived from a snapshot (the dashboard's cached rows) stays valid while nothing changed.
TEST_F(StatusCacheTest, AnUnchangedListKeepsTheSnapshotAndAChangeReplacesIt) {
  set_state("alpha", "running");
  StatusCache cache(ctl_, milliseconds(100));
  Result<std::shared_ptr<const StatusMap>> first = cache.refresh();
  ASSERT_OK(first);
  Result<std::shared_ptr<const StatusMap>> same = cache.refresh();
  ASSERT_OK(same);
  EXPECT_EQ(same->get(), first->get());
  cache.put("alpha", (**first).at("alpha"));  // a job's status equal to the listed one
  EXPECT_EQ(cache.snapshot()->get(), first->get());

  set_state("alpha", "stopped");
  Result<std::shared_ptr<const StatusMap>> changed = cache.refresh();
  ASSERT_OK(changed);
  EXPECT_NE(changed->get(), first->get());
  EXPECT_EQ(state_of(cache, "alpha"), "stopped");
  cache.put("alpha", nlohmann::json{{"name", "alpha"}, {"state", "running"}});
  EXPECT_NE(cache.snapshot()->get(), changed->get());
  EXPECT_EQ(state_of(cache, "alpha"), "running");
}

TEST_F(StatusCacheTest, AFailingListKeepsThePreviousStatuses) {
  set_state("alpha", "running");
  StatusCache cache(ctl_, milliseconds(100));
  ASSERT_OK(cache.refresh());
  write("list_fail", "");
  Result<std::shared_ptr<const StatusMap>> failed = cache.refresh();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().message(), "l4d2ctl list: l4d2ctl: list: broken on purpose");
  EXPECT_EQ(state_of(cache, "alpha"), "running");

  StatusCache never(ctl_, milliseconds(100));
  ASSERT_FALSE(never.refresh().ok());
  EXPECT_EQ(state_of(never, "alpha"), "error: l4d2ctl list: l4d2ctl: list: broken on purpose");
}

// Three hosts whose `l4d2ctl list` takes 0.4 s each: polled in parallel, a refresh takes about one host's time,
// not three; the refresh's timing says so, counting the hosts and the refreshes.
TEST_F(StatusCacheTest, HostsArePolledInParallelAndTheRefreshTimed) {
  std::vector<std::shared_ptr<const Ctl>> ctls;
  for (const char* host : {"a", "b", "c"}) {
    std::string root = dir_.path() + "/" + host;
    ASSERT_OK(make_directories(root + "/fake"));
    std::ofstream(root + "/fake/" + host + ".spec") << "port: 27015\n";
    std::ofstream(root + "/fake/" + host + ".state") << "running\n";
    std::ofstream(root + "/fake/list_delay") << "0.4";
    ctls.push_back(std::make_shared<const Ctl>(LEFT4ME_WEB_FAKE_CTL,
                                               std::vector<std::string>{"LEFT4ME_ROOT=" + root, "PATH=/usr/bin:/bin"}));
  }
  StatusCache cache(
      [&ctls] {
        std::vector<PolledHost> hosts;
        for (std::size_t i = 0; i < ctls.size(); ++i) {
          hosts.push_back(PolledHost{static_cast<std::int64_t>(i + 2), fmt::format("h{}", i), ctls[i], ""});
        }
        return hosts;
      },
      nullptr, milliseconds(100));
  EXPECT_EQ(cache.last_refresh().number, 0);
  ASSERT_OK(cache.refresh());
  for (const char* host : {"a", "b", "c"}) EXPECT_EQ(state_of(cache, host), "running");
  RefreshTiming timing = cache.last_refresh();
  EXPECT_EQ(timing.number, 1);
  EXPECT_EQ(timing.hosts, 3);
  EXPECT_GE(timing.wall, milliseconds(400));
  EXPECT_LT(timing.wall, milliseconds(1000));  // one after another: 1.2 s and more
  for (const auto& [id, poll] : cache.host_polls()) {
    EXPECT_TRUE(poll.answered) << id;
    EXPECT_GE(poll.round_trip, milliseconds(400)) << id;
    EXPECT_LE(poll.round_trip, timing.wall) << id;
  }
  ASSERT_OK(cache.refresh());
  EXPECT_EQ(cache.last_refresh().number, 2);
}

}  // namespace
}  // namespace left4me::web
