#include "content/workshop_cache.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "base/file.h"
#include "content/steamcmd_download.h"
#include "testing/steam_standin.h"
#include "testing/test_archives.h"
#include "testing/test_support.h"

namespace left4me::content {
namespace {

using test::StandinItem;
using test::SteamStandin;

class WorkshopCacheTest : public test::TempDirTest {
 protected:
  void SetUp() override {
    auto started = SteamStandin::start();
    ASSERT_OK(started);
    standin_ = std::move(*started);
    auto layout = model::Layout::create(dir());
    ASSERT_OK(layout);
    layout_ = std::make_unique<model::Layout>(*layout);
  }

  SteamWebApi api() const {
    SteamApiOptions options;
    options.base_url = standin_->base_url();
    return SteamWebApi(options);
  }

  WorkshopCache cache(HttpOptions http = {}, SteamcmdDownload steamcmd = {}) const {
    return WorkshopCache(*layout_, WorkshopCacheOptions{.http = http, .steamcmd = std::move(steamcmd)});
  }

  void put(const std::string& id, std::size_t size = 5000, StandinItem::Serve serve = StandinItem::Serve::kNormal) {
    standin_->put_item(
        StandinItem{.id = id, .title = "Item " + id, .content = test::standin_vpk(id, size), .serve = serve});
  }

  std::vector<ItemOutcome> refresh(const std::vector<std::string>& ids, const WorkshopCache& with) {
    auto files = api().details(ids);
    return const_cast<WorkshopCache&>(with).refresh(files);
  }

  std::string cached(const std::string& id) const {
    auto text = read_file(layout_->workshop_item(id));
    return text.ok() ? *text : "<missing>";
  }

  // Every name in the cache directory, sorted: no temporary file may be left behind.
  std::vector<std::string> cache_listing() const {
    std::vector<std::string> names;
    if (DIR* listing = ::opendir(layout_->workshop_cache().c_str())) {
      while (struct dirent* entry = ::readdir(listing)) {
        std::string name = entry->d_name;
        if (name != "." && name != "..") names.push_back(name);
      }
      ::closedir(listing);
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  std::unique_ptr<SteamStandin> standin_;
  std::unique_ptr<model::Layout> layout_;
};

TEST_F(WorkshopCacheTest, EachItemIsDownloadedOnceUntilItIsUpdated) {
  put("11");
  put("12", 70000);
  WorkshopCache workshop = cache();
  auto first = refresh({"11", "12"}, workshop);
  ASSERT_EQ(first.size(), 2u);
  for (const auto& outcome : first) {
    EXPECT_OK(outcome.status);
    EXPECT_EQ(outcome.action, ItemAction::kDownloaded);
    EXPECT_EQ(outcome.source, ItemSource::kFileUrl);
  }
  EXPECT_TRUE(cached("12") == test::standin_vpk("12", 70000)) << "cached item "
                                                              << "12";
  auto record = workshop.record("12");
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->title, "Item 12");
  EXPECT_EQ(record->file_size, 70000u);
  EXPECT_EQ(record->time_updated, 1700000000);

  auto second = refresh({"11", "12"}, workshop);
  EXPECT_EQ(second[0].action, ItemAction::kUpToDate);
  EXPECT_EQ(second[1].action, ItemAction::kUpToDate);
  EXPECT_EQ(standin_->file_requests("11"), 1);
  EXPECT_EQ(standin_->file_requests("12"), 1);

  standin_->set_time_updated("12", 1700000500, test::standin_vpk("12 v2", 6000));
  auto third = refresh({"11", "12"}, workshop);
  EXPECT_EQ(third[0].action, ItemAction::kUpToDate);
  EXPECT_EQ(third[1].action, ItemAction::kDownloaded);
  EXPECT_TRUE(cached("12") == test::standin_vpk("12 v2", 6000)) << "cached item "
                                                                << "12";
  EXPECT_EQ(workshop.record("12")->time_updated, 1700000500);
  EXPECT_EQ(standin_->file_requests("11"), 1);
  EXPECT_EQ(standin_->file_requests("12"), 2);
  EXPECT_EQ(cache_listing(), (std::vector<std::string>{"11.json", "11.vpk", "12.json", "12.vpk"}));
}

TEST_F(WorkshopCacheTest, ARemovedItemIsReportedAndTheOthersGoOn) {
  put("21");
  put("22");
  WorkshopCache workshop = cache();
  ASSERT_OK(refresh({"21", "22"}, workshop)[1].status);
  standin_->put_item(StandinItem{.id = "22", .result = 9});
  put("23");
  auto outcomes = refresh({"21", "22", "23"}, workshop);
  EXPECT_EQ(outcomes[0].action, ItemAction::kUpToDate);
  EXPECT_EQ(outcomes[1].action, ItemAction::kFailed);
  EXPECT_EQ(outcomes[1].status.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(outcomes[2].action, ItemAction::kDownloaded);
  EXPECT_TRUE(cached("22") == test::standin_vpk("22", 5000)) << "cached item "
                                                             << "22";  // the copy fetched before stays
}

TEST_F(WorkshopCacheTest, ATruncatedDownloadFailsAndLeavesNothing) {
  put("31", 50000, StandinItem::Serve::kTruncated);
  put("32");
  WorkshopCache workshop = cache();
  auto outcomes = refresh({"31", "32"}, workshop);
  ASSERT_EQ(outcomes[0].action, ItemAction::kFailed);
  EXPECT_EQ(outcomes[0].status.error().code(), ErrorCode::kFailed);
  EXPECT_NE(outcomes[0].status.error().message().find("GET " + standin_->base_url() + "/files/31.vpk: "),
            std::string::npos)
      << outcomes[0].status.error().message();
  EXPECT_OK(outcomes[1].status);
  EXPECT_FALSE(path_exists(layout_->workshop_item("31")));
  EXPECT_FALSE(workshop.record("31").has_value());
  EXPECT_EQ(cache_listing(), (std::vector<std::string>{"32.json", "32.vpk"}));
}

TEST_F(WorkshopCacheTest, ASlowDownloadReportsProgressOrTimesOut) {
  put("41", 40 * 1024, StandinItem::Serve::kSlow);
  standin_->set_slow_delay(std::chrono::milliseconds(20));
  WorkshopCache workshop = cache();
  std::vector<std::uint64_t> seen;
  auto files = api().details({"41"});
  auto outcome = workshop.refresh_one(files[0], [&](const std::string& id, std::uint64_t done, std::uint64_t total) {
    EXPECT_EQ(id, "41");
    EXPECT_EQ(total, 40u * 1024);
    if (seen.empty() || seen.back() != done) seen.push_back(done);
  });
  ASSERT_OK(outcome.status);
  EXPECT_GE(seen.size(), 5u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(seen.back(), 40u * 1024);

  ASSERT_OK(workshop.remove("41"));
  HttpOptions impatient;
  impatient.timeout = std::chrono::milliseconds(60);
  auto timed_out = cache(impatient).refresh_one(files[0]);
  ASSERT_FALSE(timed_out.status.ok());
  EXPECT_EQ(timed_out.status.error().code(), ErrorCode::kTimeout) << timed_out.status.error().message();
  EXPECT_FALSE(path_exists(layout_->workshop_item("41")));
}

TEST_F(WorkshopCacheTest, AFileOfTheWrongSizeOrNotAVpkIsRefused) {
  standin_->put_item(StandinItem{.id = "51", .content = test::standin_vpk("51", 100), .file_size_override = 200});
  standin_->put_item(StandinItem{.id = "52", .content = test::standin_vpk("52", 300), .file_size_override = 200});
  standin_->put_item(StandinItem{.id = "53", .content = std::string(100, 'P')});
  WorkshopCache workshop = cache();
  auto outcomes = refresh({"51", "52", "53"}, workshop);
  EXPECT_EQ(outcomes[0].status.error().message(), "file_url gave 100 bytes; steam gives its file_size as 200");
  EXPECT_EQ(outcomes[1].status.error().code(), ErrorCode::kLimitReached);
  EXPECT_EQ(outcomes[2].status.error().message(), "the downloaded file is not a VPK (no VPK header)");
  EXPECT_EQ(test::snapshot_tree(layout_->workshop_cache()), "");
}

TEST_F(WorkshopCacheTest, WithoutAFileUrlSteamcmdDownloadsTheItem) {
  standin_->put_item(
      StandinItem{.id = "61", .content = std::string(5000, 'x'), .serve = StandinItem::Serve::kNoFileUrl});
  standin_->put_item(
      StandinItem{.id = "62", .content = std::string(5000, 'x'), .serve = StandinItem::Serve::kNoFileUrl});
  SteamcmdDownloadOptions steamcmd{
      .steamcmd = LEFT4ME_FAKE_STEAMCMD,
      .steam_dir = layout_->steam(),
      .extra_env = {"FAKE_STEAMCMD_WORKSHOP_BYTES=5000", "FAKE_STEAMCMD_WORKSHOP_MISSING=62"}};
  WorkshopCache workshop = cache({}, steamcmd_download(steamcmd));
  auto outcomes = refresh({"61", "62"}, workshop);
  ASSERT_OK(outcomes[0].status);
  EXPECT_EQ(outcomes[0].source, ItemSource::kSteamcmd);
  auto written = read_file(layout_->steam() + "/steamapps/workshop/content/550/61/fake_addon_61.vpk");
  ASSERT_OK(written);
  EXPECT_TRUE(cached("61") == *written) << "cached item "
                                        << "61";
  ASSERT_FALSE(outcomes[1].status.ok());
  EXPECT_EQ(outcomes[1].status.error().message(), "steamcmd: ERROR! Download item 62 failed (Failure).");

  WorkshopCache without = cache();
  ASSERT_OK(without.remove("61"));
  auto unavailable = refresh({"61"}, without);
  EXPECT_EQ(unavailable[0].status.error().message(), "steam gives no file_url and no steamcmd is configured");
}

TEST_F(WorkshopCacheTest, PartialDownloadsLeftByAnInterruptedRefreshAreRemoved) {
  put("81");
  WorkshopCache workshop = cache();
  ASSERT_OK(refresh({"81"}, workshop)[0].status);
  ASSERT_OK(write_file_atomic(layout_->workshop_cache() + "/.81.vpk.part-0123456789abcdef", "half"));
  ASSERT_OK(write_file_atomic(layout_->workshop_cache() + "/.notes.part-1", "not ours"));
  auto removed = workshop.remove_partial_downloads();
  ASSERT_OK(removed);
  EXPECT_EQ(*removed, 1);
  EXPECT_EQ(cache_listing(), (std::vector<std::string>{".notes.part-1", "81.json", "81.vpk"}));
}

TEST(SteamcmdItemOutput, ReadsSuccessAndFailureLines) {
  auto success = parse_steamcmd_item_output(
      "Downloading item 7 ...\r\nSuccess. Downloaded item 7 to \"/s/steamapps/workshop/content/550/7\" (10 bytes) \n",
      "7");
  EXPECT_EQ(success.directory, "/s/steamapps/workshop/content/550/7");
  EXPECT_EQ(success.failure, "");
  auto failure = parse_steamcmd_item_output("Downloading item 8 ...ERROR! Download item 8 failed (Timeout).\n", "8");
  EXPECT_FALSE(failure.directory.has_value());
  EXPECT_EQ(failure.failure, "ERROR! Download item 8 failed (Timeout).");
  auto other = parse_steamcmd_item_output("Success. Downloaded item 9 to \"/x\" (1 bytes)\n", "90");
  EXPECT_FALSE(other.directory.has_value());
}

class LinkTest : public WorkshopCacheTest {
 protected:
  void SetUp() override {
    WorkshopCacheTest::SetUp();
    put("71");
    put("72");
    put("73");
    workshop_ = std::make_unique<WorkshopCache>(cache());
    for (const auto& outcome : refresh({"71", "72", "73"}, *workshop_)) ASSERT_OK(outcome.status);
    overlay_ = layout_->overlay("1");
    ASSERT_OK(make_directories(overlay_));
  }

  ino_t inode(const std::string& path) const {
    struct stat st;
    return ::lstat(path.c_str(), &st) == 0 ? st.st_ino : 0;
  }

  std::unique_ptr<WorkshopCache> workshop_;
  std::string overlay_;
};

TEST_F(LinkTest, ItemsAreHardLinkedIntoAddonsAndOthersPruned) {
  ASSERT_OK(workshop_->link_into(overlay_, {"71", "72"}, Prune::kYes));
  std::string addons = overlay_ + "/left4dead2/addons";
  EXPECT_EQ(inode(addons + "/71.vpk"), inode(layout_->workshop_item("71")));
  EXPECT_EQ(inode(addons + "/72.vpk"), inode(layout_->workshop_item("72")));
  ASSERT_OK(write_file_atomic(addons + "/mine.vpk", "kept: not a Workshop name"));
  ASSERT_OK(workshop_->link_into(overlay_, {"73", "72"}, Prune::kYes));
  std::string listing = test::snapshot_tree(overlay_);
  EXPECT_EQ(listing.find("/71.vpk"), std::string::npos) << listing;
  EXPECT_NE(listing.find("f 644 left4dead2/addons/72.vpk 5000 "), std::string::npos);
  EXPECT_NE(listing.find("f 644 left4dead2/addons/73.vpk 5000 "), std::string::npos);
  EXPECT_NE(listing.find("mine.vpk"), std::string::npos);
  EXPECT_EQ(listing.find("\nl "), std::string::npos);  // never a symlink
}

TEST_F(LinkTest, AnUpdatedItemIsRelinkedAndTheOldLinkKeptUntilThen) {
  ASSERT_OK(workshop_->link_into(overlay_, {"71"}, Prune::kNo));
  standin_->set_time_updated("71", 1800000000, test::standin_vpk("71 v2", 5000));
  ASSERT_EQ(refresh({"71"}, *workshop_)[0].action, ItemAction::kDownloaded);
  std::string linked = overlay_ + "/left4dead2/addons/71.vpk";
  EXPECT_TRUE(*read_file(linked) == test::standin_vpk("71", 5000));  // a running server's tree is untouched
  ASSERT_OK(workshop_->link_into(overlay_, {"71"}, Prune::kNo));
  EXPECT_TRUE(*read_file(linked) == test::standin_vpk("71 v2", 5000));
}

TEST_F(LinkTest, SymlinksOnTheWayAndUnknownItemsAreRefused) {
  std::string elsewhere = dir() + "/elsewhere";
  ASSERT_OK(make_directories(elsewhere));
  ASSERT_EQ(::symlink(elsewhere.c_str(), (overlay_ + "/left4dead2").c_str()), 0);
  auto through_symlink = workshop_->link_into(overlay_, {"71"}, Prune::kNo);
  ASSERT_FALSE(through_symlink.ok());
  EXPECT_EQ(through_symlink.error().message(),
            overlay_ + "/left4dead2: must be a real directory, found a symlink or a file");
  EXPECT_EQ(test::snapshot_tree(elsewhere), "");

  ASSERT_EQ(::unlink((overlay_ + "/left4dead2").c_str()), 0);
  auto unknown = workshop_->link_into(overlay_, {"71", "99"}, Prune::kNo);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(unknown.error().message(), "workshop item 99 is not in the cache");
  EXPECT_EQ(test::snapshot_tree(overlay_), "");
}

TEST_F(LinkTest, UnreferencedItemsAreThoseNoOverlayHolds) {
  std::string other = layout_->overlay("2");
  ASSERT_OK(make_directories(other + "/left4dead2/addons"));
  ASSERT_OK(workshop_->link_into(overlay_, {"71"}, Prune::kNo));
  // A copy (as across filesystems) counts by its name.
  ASSERT_OK(write_file_atomic(other + "/left4dead2/addons/72.vpk", cached("72")));
  auto unused = unreferenced_items(*layout_, {overlay_, other, layout_->overlay("3")});
  ASSERT_OK(unused);
  EXPECT_EQ(*unused, (std::vector<std::string>{"73"}));
  auto all = unreferenced_items(*layout_, {});
  ASSERT_OK(all);
  EXPECT_EQ(*all, (std::vector<std::string>{"71", "72", "73"}));
  ASSERT_OK(workshop_->remove("73"));
  EXPECT_FALSE(workshop_->record("73").has_value());
  EXPECT_EQ(*unreferenced_items(*layout_, {overlay_, other}), (std::vector<std::string>{}));
}

TEST(VpkHeader, SignatureAndVersion) {
  EXPECT_TRUE(has_vpk_header(std::string("\x34\x12\xaa\x55\x01\0\0\0\0\0\0\0", 12)));
  EXPECT_TRUE(has_vpk_header(std::string("\x34\x12\xaa\x55\x02\0\0\0\0\0\0\0", 12)));
  EXPECT_FALSE(has_vpk_header(std::string("\x34\x12\xaa\x55\x03\0\0\0\0\0\0\0", 12)));
  EXPECT_FALSE(has_vpk_header(std::string("\x34\x12\xaa\x55\x01\0\0", 7)));
  EXPECT_FALSE(has_vpk_header("PK\x03\x04 not a vpk"));
}

}  // namespace
}  // namespace left4me::content
