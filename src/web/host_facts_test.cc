#include "web/host_facts.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "testing/test_support.h"

namespace left4me::web {
namespace {

using namespace std::chrono_literals;

// A reader that answers host 3 with an error and every other host with build "<id>00", counting its reads.
struct CountingReader {
  std::atomic<int> reads{0};
  std::chrono::milliseconds delay{0};
  HostFacts::Reader reader() {
    return [this](std::int64_t id) -> Result<GameBuilds> {
      ++reads;
      std::this_thread::sleep_for(delay);
      if (id == 3) return Error::unavailable("host 3: Connection refused");
      GameBuilds builds;
      builds.current = std::to_string(id) + "00";
      builds.disk = Disk{"/data", 5, 10};
      return builds;
    };
  }
};

TEST(HostFactsTest, ReadsEachHostOnceWithinMaxAgeAndKeepsAFailureWithItsReason) {
  CountingReader counting;
  HostFacts facts(counting.reader(), 30s);
  EXPECT_TRUE(facts.known({1, 3}).empty());
  std::map<std::int64_t, HostFact> first = facts.get({1, 3});
  EXPECT_EQ(counting.reads, 2);
  ASSERT_TRUE(first[1].builds);
  EXPECT_EQ(first[1].builds->current, "100");
  EXPECT_EQ(first[1].builds->disk->free_bytes, 5u);
  EXPECT_FALSE(first[3].builds);
  EXPECT_EQ(first[3].error, "host 3: Connection refused");
  EXPECT_GT(first[3].at, 0);
  facts.get({1, 3});
  EXPECT_EQ(counting.reads, 2) << "read again within max_age";
  facts.get({1, 2});
  EXPECT_EQ(counting.reads, 3) << "only the host never read is read";
  facts.forget(1);
  EXPECT_EQ(facts.known({1, 2}).size(), 1u);
  facts.get({1});
  EXPECT_EQ(counting.reads, 4) << "a forgotten host is read again";
}

TEST(HostFactsTest, ReadsAgainOnceOlderThanMaxAge) {
  CountingReader counting;
  HostFacts facts(counting.reader(), 0ms);
  facts.get({1});
  facts.get({1});
  EXPECT_EQ(counting.reads, 2);
}

TEST(HostFactsTest, ReadsTheHostsDueInParallel) {
  CountingReader counting;
  counting.delay = 300ms;
  HostFacts facts(counting.reader(), 30s);
  auto start = std::chrono::steady_clock::now();
  std::map<std::int64_t, HostFact> read = facts.get({1, 2, 4, 5});
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(read.size(), 4u);
  EXPECT_LT(took, 900ms) << "four reads of 300 ms one after the other would take 1200 ms";
}

}  // namespace
}  // namespace left4me::web
