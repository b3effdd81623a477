// The monitor's list snapshot: written and read back, refused when it is not one, an entry that is not one left
// out, and an entry printed by list only while it is fresh and its directories stand as they did.
#include "host/list_snapshot.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>

#include "base/file.h"
#include "base/unique_fd.h"
#include "testing/test_support.h"

namespace left4me::host {
namespace {

constexpr std::int64_t kNow = 1'700'000'000'000;
const DirStamp kInstanceDir{11, 1'600'000'000'000'000'000, 1'600'000'000'000'000'001};
const DirStamp kRuntimeDir{12, 1'600'000'000'100'000'000, 1'600'000'000'100'000'000};

ListSnapshot snapshot_at(std::int64_t written) {
  ListSnapshot snapshot{written, 2000, "9000001", "play.example.org", {}};
  snapshot.entries["alpha"] = {kInstanceDir, kRuntimeDir, written - 300,
                               R"({"live":{"hostname":"Alpha \"1\" \u00e9"},"name":"alpha","state":"running"})",
                               R"({"live":{"player_list":[],"players":0},"name":"alpha","state":"running"})"};
  snapshot.entries["beta"] = {kInstanceDir, kRuntimeDir, written - 300, R"({"name":"beta"})", std::nullopt};
  return snapshot;
}

TEST(ListSnapshot, RoundTrips) {
  auto parsed = parse_list_snapshot(list_snapshot_text(snapshot_at(kNow)), "x");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->written_unix_ms, kNow);
  EXPECT_EQ(parsed->interval_ms, 2000);
  EXPECT_EQ(parsed->current_build, "9000001");
  EXPECT_EQ(parsed->public_host, "play.example.org");
  ASSERT_EQ(parsed->entries.count("alpha"), 1u);
  const ListEntry& entry = parsed->entries.at("alpha");
  EXPECT_EQ(entry.instance_dir, kInstanceDir);
  EXPECT_EQ(entry.runtime_dir, kRuntimeDir);
  EXPECT_EQ(entry.read_unix_ms, kNow - 300);
  EXPECT_EQ(entry.json, snapshot_at(kNow).entries.at("alpha").json);
  EXPECT_EQ(entry.players_json, snapshot_at(kNow).entries.at("alpha").players_json);
  ASSERT_EQ(parsed->entries.count("beta"), 1u);
  EXPECT_FALSE(parsed->entries.at("beta").players_json);

  // No build installed, no public address: "-" both ways.
  ListSnapshot bare{kNow, 2000, std::nullopt, std::nullopt, {}};
  parsed = parse_list_snapshot(list_snapshot_text(bare), "x");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_FALSE(parsed->current_build);
  EXPECT_FALSE(parsed->public_host);
}

TEST(ListSnapshot, AFileThatIsNotOneIsRefusedNamingIt) {
  for (const char* bad : {"", "{\"written\":1}", "left4me-monitor-list 2 1 2000 - -\n",
                          "left4me-monitor-list 1 1 0 - -\n", "left4me-monitor-list 1 x 2000 - -\n",
                          "left4me-monitor-list 1 1 2000 -\n", "left4me-monitor-list 1 1 2000 - - extra\n",
                          "left4me-monitor-list 1 1 2000 9000\r01 -\n", "left4me-monitor-list 1 1 2000 - h\xff\n"}) {
    auto parsed = parse_list_snapshot(bad, "runtime/.monitor-list");
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.error().message().find("runtime/.monitor-list"), std::string::npos);
  }
}

// Whoever wrote the file, a line is an entry only with a valid name, whole stamps and some text after them.
TEST(ListSnapshot, LeavesOutLinesThatAreNotEntries) {
  std::string header = "left4me-monitor-list 1 1700000000000 2000 - -\n";
  std::string stamps = " 11 5 6 12 7 8 1700000000000 ";
  std::string text = header + "alpha" + stamps + R"({"name":"alpha"})" + "\n" +           // the one good line
                     "../x" + stamps + R"({"name":"../x"})" + "\n" +                      // not an instance name
                     "omega 11 5 6 12 7 1700000000000 " + R"({"name":"omega"})" + "\n" +  // a stamp short
                     "zeta 0 5 6 12 7 8 1700000000000 " + R"({"name":"zeta"})" + "\n" +   // no inode
                     "eta 11 5 6 12 7 8 -1 " + R"({"name":"eta"})" + "\n" +               // a time before 1970
                     "theta" + stamps + "\n" +                                            // no entry
                     "iota" + stamps + R"({"name":"iota"})" + "\t\n" +                    // an empty players variant
                     "kappa" + stamps + R"({"name":"kappa"})" + "\t{}\t{}\n";             // a third part
  auto parsed = parse_list_snapshot(text, "x");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  ASSERT_EQ(parsed->entries.size(), 1u);
  EXPECT_EQ(parsed->entries.begin()->first, "alpha");
}

// What list prints for an instance is one JSON object naming it, whoever wrote the file: checked when printed.
TEST(ListSnapshot, AnEntryIsOneJsonObjectNamingItsInstance) {
  EXPECT_TRUE(is_list_entry_of(R"({"name":"alpha"})", "alpha"));
  EXPECT_TRUE(is_list_entry_of(R"( {"build":{"name":"x"},"live":[{"name":1}],"name":"alpha","pid":null} )", "alpha"))
      << "only the top-level name counts";
  for (const char* bad : {R"({"name":"gamma"})",                   // names another instance
                          R"({"name":"alpha"},{"name":"delta"})",  // two values
                          R"({"name":"alpha"}])",                  // something after it
                          R"(["name","alpha"])",                   // not an object
                          R"("alpha")",                            // a string
                          R"({"name":"alpha")",                    // cut short
                          R"({})",                                 // names nothing
                          R"({"build":{"name":"alpha"}})",         // named only inside
                          R"({"name":["alpha"]})",                 // not a string
                          R"({"name":"alpha","name":5})",          // a second name that is not one
                          R"({"name":"alpha","name":"beta"})",     // a second name, another instance
                          R"({"name":"alpha","x":1,})",            // not JSON
                          "", "{\"name\":\"alpha\"}\x01"}) {
    EXPECT_FALSE(is_list_entry_of(bad, "alpha")) << bad;
  }
  std::string deep = R"({"name":"alpha","x":)" + std::string(70, '[') + std::string(70, ']') + "}";
  EXPECT_FALSE(is_list_entry_of(deep, "alpha")) << "deeper than the JSON parser's limit";
  std::string within = R"({"name":"alpha","x":)" + std::string(60, '[') + std::string(60, ']') + "}";
  EXPECT_TRUE(is_list_entry_of(within, "alpha"));

  // fresh_entry prints only such an entry.
  ListSnapshot snapshot{kNow, 2000, std::nullopt, std::nullopt, {}};
  snapshot.entries["alpha"] = {kInstanceDir, kRuntimeDir, kNow, R"({"name":"gamma"})", R"({"name":"alpha"})"};
  EXPECT_EQ(fresh_entry(snapshot, "alpha", kInstanceDir, kRuntimeDir, kNow), nullptr);
  EXPECT_NE(fresh_entry(snapshot, "alpha", kInstanceDir, kRuntimeDir, kNow, true), nullptr);
  snapshot.entries["alpha"].players_json = "[]";
  EXPECT_EQ(fresh_entry(snapshot, "alpha", kInstanceDir, kRuntimeDir, kNow, true), nullptr);
}

// A host whose address is not one token cannot be matched: the file then has no entries.
TEST(ListSnapshot, WritesNoEntriesItCouldNotMatch) {
  ListSnapshot snapshot = snapshot_at(kNow);
  snapshot.public_host = "two words";
  auto parsed = parse_list_snapshot(list_snapshot_text(snapshot), "x");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_TRUE(parsed->entries.empty());
}

TEST(ListSnapshot, AnEntryIsFreshForTwoRoundsWhileItsDirectoriesStand) {
  ListSnapshot snapshot = snapshot_at(kNow);
  EXPECT_NE(fresh_entry(snapshot, "alpha", kInstanceDir, kRuntimeDir, kNow + 3600), nullptr);
  const std::string* with_players = fresh_entry(snapshot, "alpha", kInstanceDir, kRuntimeDir, kNow, true);
  ASSERT_NE(with_players, nullptr);
  EXPECT_EQ(*with_players, *snapshot.entries.at("alpha").players_json);
  EXPECT_EQ(fresh_entry(snapshot, "beta", kInstanceDir, kRuntimeDir, kNow, true), nullptr) << "beta has players";
  EXPECT_NE(fresh_entry(snapshot, "beta", kInstanceDir, kRuntimeDir, kNow), nullptr);
  EXPECT_EQ(fresh_entry(snapshot, "gamma", kInstanceDir, kRuntimeDir, kNow), nullptr) << "no entry";
  EXPECT_EQ(fresh_entry(snapshot, "alpha", kInstanceDir, kRuntimeDir, kNow + 4001), nullptr) << "snapshot too old";
  EXPECT_EQ(fresh_entry(snapshot, "alpha", kInstanceDir, kRuntimeDir, kNow - 1), nullptr) << "from the future";
  snapshot.entries.at("alpha").read_unix_ms = kNow - 4001;
  EXPECT_EQ(fresh_entry(snapshot, "alpha", kInstanceDir, kRuntimeDir, kNow), nullptr) << "entry too old";
  snapshot = snapshot_at(kNow);
  for (DirStamp changed : {DirStamp{13, kRuntimeDir.mtime_ns, kRuntimeDir.ctime_ns},
                           DirStamp{12, kRuntimeDir.mtime_ns + 1, kRuntimeDir.ctime_ns},
                           DirStamp{12, kRuntimeDir.mtime_ns, kRuntimeDir.ctime_ns + 1}}) {
    EXPECT_EQ(fresh_entry(snapshot, "alpha", kInstanceDir, changed, kNow), nullptr);
    EXPECT_EQ(fresh_entry(snapshot, "alpha", changed, kRuntimeDir, kNow), nullptr);
  }
}

class DirStampTest : public test::TempDirTest {};

// Every way status' files change in a directory changes its stamp: a file renamed in, created, removed; the
// directory swapped for another.
TEST_F(DirStampTest, ChangesWithEveryEntryChange) {
  ASSERT_OK(make_directories(dir() + "/d"));
  UniqueFd parent(::open(dir().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(parent.valid());
  auto stamp = [&] {
    auto taken = dir_stamp(parent.get(), "d");
    EXPECT_TRUE(taken.has_value());
    return taken.value_or(DirStamp{});
  };
  // Wait out the coarse clock's tick between changes, as the monitor's settling time does.
  auto tick = [] { ::usleep(20'000); };
  DirStamp before = stamp();
  tick();
  ASSERT_OK(write_file_atomic(dir() + "/d/state.json", "{}"));
  DirStamp renamed_in = stamp();
  EXPECT_NE(renamed_in, before);
  tick();
  ASSERT_OK(write_file_atomic(dir() + "/d/state.json", "{\"again\":1}"));
  DirStamp replaced = stamp();
  EXPECT_NE(replaced, renamed_in);
  tick();
  ASSERT_EQ(::unlink((dir() + "/d/state.json").c_str()), 0);
  DirStamp removed = stamp();
  EXPECT_NE(removed, replaced);
  ASSERT_OK(make_directories(dir() + "/e"));
  ASSERT_EQ(::renameat2(AT_FDCWD, (dir() + "/e").c_str(), AT_FDCWD, (dir() + "/d").c_str(), RENAME_EXCHANGE), 0);
  EXPECT_NE(stamp().inode, removed.inode);

  EXPECT_FALSE(dir_stamp(parent.get(), "missing").has_value());
  ASSERT_OK(write_file_atomic(dir() + "/file", "x"));
  EXPECT_FALSE(dir_stamp(parent.get(), "file").has_value()) << "not a directory";
  ASSERT_EQ(::symlink("d", (dir() + "/link").c_str()), 0);
  EXPECT_FALSE(dir_stamp(parent.get(), "link").has_value()) << "a symlink is not followed";
}

TEST(ListSnapshot, ADirectoryChangedWithinTheSettlingTimeIsNotSettled) {
  DirStamp stamp{1, 5'000'000'000, 5'000'000'000};
  EXPECT_TRUE(settled(stamp, 5'000'000'000 + kSettleNs));
  EXPECT_FALSE(settled(stamp, 5'000'000'000 + kSettleNs - 1));
  stamp.ctime_ns = 5'050'000'000;  // a chmod after the last entry change
  EXPECT_FALSE(settled(stamp, 5'000'000'000 + kSettleNs));
}

}  // namespace
}  // namespace left4me::host
