// The monitor's live snapshot: written and read back, refused when it is not one, and shown by list only while
// it and the answer are fresh and of the same run.
#include "host/live_snapshot.h"

#include <gtest/gtest.h>

namespace left4me::host {
namespace {

constexpr std::int64_t kNow = 1'700'000'000'000;

LiveSnapshot snapshot_at(std::int64_t written) {
  LiveSnapshot snapshot{written, 2000, {}, {}};
  snapshot.answers["alpha"] = {4242, written - 500, "Alpha \"1\"", "c1m1_hotel", 3, 8, 0.4};
  snapshot.layers["alpha"] = {4242, written - 700, true, 5'000'000'000};
  return snapshot;
}

TEST(LiveSnapshot, RoundTrips) {
  auto parsed = parse_live_snapshot(live_snapshot_json(snapshot_at(kNow)), "x");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->written_unix_ms, kNow);
  EXPECT_EQ(parsed->interval_ms, 2000);
  ASSERT_EQ(parsed->answers.count("alpha"), 1u);
  const LiveAnswer& answer = parsed->answers.at("alpha");
  EXPECT_EQ(answer.pid, 4242);
  EXPECT_EQ(answer.hostname, "Alpha \"1\"");
  EXPECT_EQ(answer.map, "c1m1_hotel");
  EXPECT_EQ(answer.players, 3);
  EXPECT_EQ(answer.max_players, 8);
  ASSERT_EQ(parsed->layers.count("alpha"), 1u);
  const LayerFacts& layer = parsed->layers.at("alpha");
  EXPECT_EQ(layer.pid, 4242);
  EXPECT_EQ(layer.measured_unix_ms, kNow - 700);
  EXPECT_TRUE(layer.mounted);
  EXPECT_EQ(layer.upper_bytes, 5'000'000'000u);
}

// A monitor from before the layers were measured wrote none: its answers are still used.
TEST(LiveSnapshot, TakesOneWithoutLayersAndLeavesOutLayersThatAreNotOnes) {
  auto parsed = parse_live_snapshot(R"({"written":1,"interval_ms":2000,"answers":{}})", "x");
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->layers.empty());
  parsed = parse_live_snapshot(R"({"written":1,"interval_ms":2000,"answers":{},"layers":{)"
                               R"("../x":{"pid":1,"measured":1,"mounted":true,"upper_bytes":1},)"
                               R"("negative":{"pid":1,"measured":1,"mounted":true,"upper_bytes":-1},)"
                               R"("nopid":{"measured":1,"mounted":true,"upper_bytes":1},)"
                               R"("word":{"pid":1,"measured":1,"mounted":"yes","upper_bytes":1},)"
                               R"("good":{"pid":1,"measured":1,"mounted":false,"upper_bytes":0}}})",
                               "x");
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->layers.size(), 1u);
  EXPECT_EQ(parsed->layers.count("good"), 1u);
  EXPECT_FALSE(parse_live_snapshot(R"({"written":1,"interval_ms":2000,"answers":{},"layers":[]})", "x").ok());
}

TEST(LiveSnapshot, RejectsWhatIsNotOne) {
  for (std::string_view bad :
       {"", "[]", "{}", R"({"written":1,"interval_ms":0,"answers":{}})",
        R"({"written":"1","interval_ms":2000,"answers":{}})", R"({"written":1,"interval_ms":2000,"answers":[]})"}) {
    auto parsed = parse_live_snapshot(bad, "runtime/.monitor-live.json");
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.error().message().find("runtime/.monitor-live.json"), std::string::npos);
  }
}

TEST(LiveSnapshot, LeavesOutEntriesThatAreNotAnswers) {
  auto parsed = parse_live_snapshot(
      R"({"written":1,"interval_ms":2000,"answers":{)"
      R"("../x":{"pid":1,"answered":1,"hostname":"h","map":"m","players":1,"max_players":8,"query_ms":1},)"
      R"("big":{"pid":1,"answered":1,"hostname":"h","map":"m","players":300,"max_players":8,"query_ms":1},)"
      R"("nopid":{"answered":1,"hostname":"h","map":"m","players":1,"max_players":8,"query_ms":1},)"
      R"("good":{"pid":1,"answered":1,"hostname":"h","map":"m","players":1,"max_players":8,"query_ms":1}}})",
      "x");
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->answers.size(), 1u);
  EXPECT_EQ(parsed->answers.count("good"), 1u);
}

TEST(LiveSnapshot, FreshOnlyWithinTwoRoundsAndForTheSameRun) {
  LiveSnapshot snapshot = snapshot_at(kNow);
  EXPECT_TRUE(fresh_answer(snapshot, "alpha", 4242, kNow + 1000).has_value());
  EXPECT_FALSE(fresh_answer(snapshot, "alpha", 4243, kNow + 1000).has_value()) << "another run";
  EXPECT_FALSE(fresh_answer(snapshot, "beta", 4242, kNow + 1000).has_value()) << "no entry";
  // The snapshot older than two rounds: the monitor is gone or late.
  EXPECT_FALSE(fresh_answer(snapshot, "alpha", 4242, kNow + 4001).has_value());
  // A server that stopped answering keeps an old entry in a fresh snapshot.
  snapshot.answers["alpha"].answered_unix_ms = kNow - 3600;
  EXPECT_TRUE(fresh_answer(snapshot, "alpha", 4242, kNow + 400).has_value());
  EXPECT_FALSE(fresh_answer(snapshot, "alpha", 4242, kNow + 401).has_value());
  // A snapshot from the future (the clock was set back) is not trusted.
  EXPECT_FALSE(fresh_answer(snapshot_at(kNow + 5000), "alpha", 4242, kNow).has_value());
}

TEST(LiveSnapshot, LayerFreshOnlyWithinTwoRoundsAndForTheSameRun) {
  LiveSnapshot snapshot = snapshot_at(kNow);
  EXPECT_TRUE(fresh_layer(snapshot, "alpha", 4242, kNow + 1000).has_value());
  EXPECT_FALSE(fresh_layer(snapshot, "alpha", 4243, kNow + 1000).has_value()) << "another run";
  EXPECT_FALSE(fresh_layer(snapshot, "beta", 4242, kNow + 1000).has_value()) << "no entry";
  EXPECT_FALSE(fresh_layer(snapshot, "alpha", 4242, kNow + 4001).has_value()) << "the snapshot is old";
  snapshot.layers["alpha"].measured_unix_ms = kNow - 3600;
  EXPECT_TRUE(fresh_layer(snapshot, "alpha", 4242, kNow + 400).has_value());
  EXPECT_FALSE(fresh_layer(snapshot, "alpha", 4242, kNow + 401).has_value()) << "measured too long ago";
  EXPECT_FALSE(fresh_layer(snapshot_at(kNow + 5000), "alpha", 4242, kNow).has_value()) << "from the future";
}

}  // namespace
}  // namespace left4me::host
