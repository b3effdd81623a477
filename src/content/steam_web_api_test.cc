#include "content/steam_web_api.h"

#include <algorithm>

#include "testing/steam_standin.h"
#include "testing/test_support.h"

namespace left4me::content {
namespace {

using test::StandinCollection;
using test::StandinItem;
using test::SteamStandin;

class SteamWebApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = SteamStandin::start();
    ASSERT_OK(started);
    standin_ = std::move(*started);
  }

  SteamApiOptions options() const {
    SteamApiOptions options;
    options.base_url = standin_->base_url();
    options.http.timeout = std::chrono::seconds(10);
    return options;
  }

  void put(const std::string& id, std::size_t size = 100) {
    standin_->put_item(StandinItem{.id = id, .title = "Item " + id, .content = test::standin_vpk(id, size)});
  }

  std::unique_ptr<SteamStandin> standin_;
};

const PublishedFile& find(const std::vector<PublishedFile>& files, const std::string& id) {
  auto found = std::find_if(files.begin(), files.end(), [&](const auto& file) { return file.id == id; });
  if (found == files.end()) std::abort();
  return *found;
}

TEST_F(SteamWebApiTest, DetailsOfItemsHaveTheirFields) {
  put("2306920249", 1056);
  standin_->put_item(StandinItem{.id = "730544933",
                                 .title = "Dead Center Remix",
                                 .content = test::standin_vpk("b", 300),
                                 .filename = "maps/deadcenter_remix.vpk",
                                 .time_updated = 1710000000});
  SteamWebApi api(options());
  auto files = api.details({"2306920249", "730544933", "2306920249"});
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(api.requests(), 1);
  EXPECT_EQ(standin_->last_ids("GetPublishedFileDetails"), (std::vector<std::string>{"2306920249", "730544933"}));
  const PublishedFile& remix = files[1];
  ASSERT_OK(remix.status);
  EXPECT_EQ(remix.id, "730544933");
  EXPECT_EQ(remix.title, "Dead Center Remix");
  EXPECT_EQ(remix.filename, "deadcenter_remix.vpk");
  EXPECT_EQ(remix.file_size, 300u);
  EXPECT_EQ(remix.time_updated, 1710000000);
  EXPECT_EQ(remix.file_url, standin_->base_url() + "/files/730544933.vpk");
  EXPECT_EQ(files[0].file_size, 1056u);
}

TEST_F(SteamWebApiTest, DetailsAreAskedForAHundredAtATime) {
  std::vector<std::string> ids;
  for (int i = 0; i < 250; ++i) {
    ids.push_back(std::to_string(1000000 + i));
    put(ids.back());
  }
  SteamWebApi api(options());
  auto files = api.details(ids);
  ASSERT_EQ(files.size(), 250u);
  for (size_t i = 0; i < files.size(); ++i) {
    EXPECT_EQ(files[i].id, ids[i]);
    EXPECT_OK(files[i].status);
  }
  EXPECT_EQ(api.requests(), 3);
  EXPECT_EQ(standin_->api_requests("GetPublishedFileDetails"), 3);
  EXPECT_EQ(standin_->last_ids("GetPublishedFileDetails").size(), 50u);
}

TEST_F(SteamWebApiTest, RemovedPrivateAndForeignItemsFailAloneWithTheirReason) {
  put("1");
  standin_->put_item(StandinItem{.id = "2", .result = 9});
  standin_->put_item(StandinItem{.id = "3", .content = "x", .visibility = 2, .serve = StandinItem::Serve::kNoFileUrl});
  standin_->put_item(StandinItem{.id = "4", .result = 15});
  standin_->put_item(StandinItem{.id = "5", .content = "x", .consumer_app_id = 730});
  standin_->put_item(StandinItem{.id = "6", .content = "x", .filename = "mods/pack.zip"});
  put("7");
  SteamWebApi api(options());
  auto files = api.details({"1", "2", "3", "4", "5", "6", "7", "8"});
  EXPECT_OK(find(files, "1").status);
  EXPECT_OK(find(files, "7").status);
  auto expect = [&](const std::string& id, ErrorCode code, const std::string& message) {
    const Status& status = find(files, id).status;
    ASSERT_FALSE(status.ok()) << id;
    EXPECT_EQ(status.error().code(), code) << id;
    EXPECT_EQ(status.error().message(), message) << id;
  };
  expect("2", ErrorCode::kNotFound, "removed from the Workshop, or never existed (result 9)");
  expect("3", ErrorCode::kPermissionDenied, "private (visibility 2)");
  expect("4", ErrorCode::kPermissionDenied, "private (result 15: access denied)");
  expect("5", ErrorCode::kInvalidArgument, "an item of app 730, not of Left 4 Dead 2 (550)");
  expect("6", ErrorCode::kInvalidArgument, "not a VPK (its file is 'pack.zip')");
  expect("8", ErrorCode::kNotFound, "removed from the Workshop, or never existed (result 9)");
}

TEST_F(SteamWebApiTest, ALongTitleIsCutBetweenCharacters) {
  std::string title = std::string(255, 'a') + "\xc3\xa9 and more";  // 'é' straddles byte 256
  standin_->put_item(StandinItem{.id = "9", .title = title, .content = test::standin_vpk("9", 20)});
  SteamWebApi api(options());
  auto files = api.details({"9"});
  ASSERT_OK(files[0].status);
  EXPECT_EQ(files[0].title, std::string(255, 'a'));
}

TEST_F(SteamWebApiTest, OlderReplyShapesWithNumbersAreAccepted) {
  standin_->lie("GetPublishedFileDetails",
                R"({"response":{"result":1,"resultcount":1,"publishedfiledetails":[{"publishedfileid":"42",)"
                R"("result":1,"consumer_app_id":550,"filename":"a.vpk","file_size":772518,"file_url":"",)"
                R"("time_updated":"1700000001","title":null,"banned":false}]}})");
  SteamWebApi api(options());
  auto files = api.details({"42"});
  ASSERT_EQ(files.size(), 1u);
  ASSERT_OK(files[0].status);
  EXPECT_EQ(files[0].file_size, 772518u);
  EXPECT_EQ(files[0].time_updated, 1700000001);
  EXPECT_EQ(files[0].file_url, "");
}

struct Lie {
  const char* name;
  std::string body;
  ErrorCode code;
  std::string message_42;  // the error item 42 gets
};

TEST_F(SteamWebApiTest, LyingRepliesGiveEachItemAClearError) {
  auto entry = [](const std::string& fields) {
    return R"({"response":{"result":1,"publishedfiledetails":[{"publishedfileid":"42","result":1,)" + fields + "}]}}";
  };
  const std::string good = R"("consumer_app_id":550,"filename":"a.vpk","file_size":"10","time_updated":1)";
  const Lie lies[] = {
      {"bad JSON", R"({"response":{"result":1,)", ErrorCode::kInvalidArgument,
       "GetPublishedFileDetails: steam's reply: not valid JSON at byte 25"},
      {"not an object", "[1,2,3]", ErrorCode::kInvalidArgument,
       "GetPublishedFileDetails: steam's reply has no response object"},
      {"no list", R"({"response":{"result":1,"publishedfiledetails":{"a":1}}})", ErrorCode::kInvalidArgument,
       "GetPublishedFileDetails: steam's reply has no response.publishedfiledetails list"},
      {"deep", std::string(100, '[') + std::string(100, ']'), ErrorCode::kInvalidArgument,
       "GetPublishedFileDetails: steam's reply: JSON nested deeper than 8 levels"},
      {"size an object", entry(R"("consumer_app_id":550,"filename":"a.vpk","file_size":{"n":1},"time_updated":1)"),
       ErrorCode::kInvalidArgument, "steam's reply has a file_size that is not a whole number"},
      {"size negative text", entry(R"("consumer_app_id":550,"filename":"a.vpk","file_size":"-5","time_updated":1)"),
       ErrorCode::kInvalidArgument, "steam's reply has a file_size that is not a whole number"},
      {"size zero", entry(R"("consumer_app_id":550,"filename":"a.vpk","file_size":0,"time_updated":1)"),
       ErrorCode::kInvalidArgument, "steam gives no file size (file_size 0)"},
      {"size huge", entry(R"("consumer_app_id":550,"filename":"a.vpk","file_size":"999999999999","time_updated":1)"),
       ErrorCode::kLimitReached, "file of 999999999999 bytes, over the limit of 4294967296"},
      {"no time", entry(R"("consumer_app_id":550,"filename":"a.vpk","file_size":"10")"), ErrorCode::kInvalidArgument,
       "steam's reply has no time_updated"},
      {"no app", entry(R"("filename":"a.vpk","file_size":"10","time_updated":1)"), ErrorCode::kInvalidArgument,
       "steam's reply has no consumer_app_id"},
      {"filename a number", entry(R"("consumer_app_id":550,"filename":7,"file_size":"10","time_updated":1)"),
       ErrorCode::kInvalidArgument, "steam's reply has a filename that is not text"},
      {"url a list", entry(good + R"(,"file_url":["x"])"), ErrorCode::kInvalidArgument,
       "steam's reply has a file_url that is not text"},
      {"result text", R"({"response":{"publishedfiledetails":[{"publishedfileid":"42","result":"ok"}]}})",
       ErrorCode::kInvalidArgument, "steam's reply has a result that is not a whole number"},
      {"item missing", R"({"response":{"publishedfiledetails":[{"publishedfileid":"43","result":1}]}})",
       ErrorCode::kFailed, "steam's reply does not mention this item"},
      {"entry not an object", R"({"response":{"publishedfiledetails":[42, "42", null]}})", ErrorCode::kFailed,
       "steam's reply does not mention this item"},
      {"huge", "{\"response\":{\"x\":\"" + std::string(2 << 20, 'a') + "\"}}", ErrorCode::kLimitReached,
       "reply larger than 1048576 bytes (the limit)"},
  };
  for (const Lie& lie : lies) {
    SCOPED_TRACE(lie.name);
    standin_->lie("GetPublishedFileDetails", lie.body);
    SteamApiOptions lying = options();
    lying.max_reply_bytes = 1 << 20;
    SteamWebApi api(lying);
    auto files = api.details({"42"});
    ASSERT_EQ(files.size(), 1u);
    ASSERT_FALSE(files[0].status.ok());
    EXPECT_EQ(files[0].status.error().code(), lie.code);
    const std::string& message = files[0].status.error().message();
    EXPECT_TRUE(message.size() >= lie.message_42.size() &&
                message.compare(message.size() - lie.message_42.size(), std::string::npos, lie.message_42) == 0)
        << message;
  }
}

TEST_F(SteamWebApiTest, NoServerFailsEveryItemAsUnavailable) {
  SteamApiOptions nowhere = options();
  nowhere.base_url = "http://127.0.0.1:1";
  SteamWebApi api(nowhere);
  auto files = api.details({"1", "2"});
  ASSERT_EQ(files.size(), 2u);
  for (const auto& file : files) {
    ASSERT_FALSE(file.status.ok());
    EXPECT_EQ(file.status.error().code(), ErrorCode::kUnavailable) << file.status.error().message();
    EXPECT_NE(file.status.error().message().find("POST http://127.0.0.1:1/ISteamRemoteStorage/"), std::string::npos);
  }
}

TEST_F(SteamWebApiTest, NotAnIdIsRefusedAlone) {
  put("1");
  SteamWebApi api(options());
  auto files = api.details({"1", "12a", ""});
  ASSERT_EQ(files.size(), 3u);
  EXPECT_OK(files[0].status);
  EXPECT_EQ(files[1].status.error().message(), "not a Workshop id (1 to 20 digits)");
  EXPECT_FALSE(files[2].status.ok());
}

TEST(WorkshopReference, IdsAndCommunityUrls) {
  const std::pair<const char*, const char*> good[] = {
      {"2306920249", "2306920249"},
      {"  730544933\t", "730544933"},
      {"https://steamcommunity.com/sharedfiles/filedetails/?id=1101449362", "1101449362"},
      {"http://www.steamcommunity.com/workshop/filedetails/?searchtext=&id=123#comments", "123"},
      {"steamcommunity.com/sharedfiles/filedetails/?l=german&id=42&tscn=1", "42"},
  };
  for (const auto& [text, id] : good) {
    auto parsed = parse_workshop_reference(text);
    ASSERT_OK(parsed);
    EXPECT_EQ(*parsed, id);
  }
  for (const char* text : {"", "12a", "https://example.com/sharedfiles/filedetails/?id=1",
                           "https://steamcommunity.com/sharedfiles/filedetails/?id=", "https://steamcommunity.com/id=5",
                           "https://steamcommunity.com/sharedfiles/filedetails/?xid=5"}) {
    auto parsed = parse_workshop_reference(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.error().code(), ErrorCode::kInvalidArgument);
  }
  EXPECT_EQ(parse_workshop_reference("12a").error().message(),
            "'12a' is neither a Workshop id nor a steamcommunity.com/sharedfiles/filedetails/?id= link");
}

class ResolveTest : public SteamWebApiTest {
 protected:
  void SetUp() override {
    SteamWebApiTest::SetUp();
    // 100 = [11, 200, 12]; 200 = [13, 300, 11]; 300 = [14, 100 (a cycle back to the top)].
    standin_->put_collection(StandinCollection{.id = "100", .children = {{"11", 0}, {"200", 2}, {"12", 0}}});
    standin_->put_collection(StandinCollection{.id = "200", .children = {{"13", 0}, {"300", 2}, {"11", 0}}});
    standin_->put_collection(StandinCollection{.id = "300", .children = {{"14", 0}, {"100", 2}}});
  }
};

TEST_F(ResolveTest, NestedCollectionsExpandInOrderEachOnce) {
  SteamWebApi api(options());
  auto resolved = api.resolve({"15", "100", "14"});
  ASSERT_OK(resolved);
  EXPECT_EQ(resolved->items, (std::vector<std::string>{"15", "11", "13", "14", "12"}));
  EXPECT_EQ(resolved->collections, (std::vector<std::string>{"100", "200", "300"}));
  EXPECT_TRUE(resolved->problems.empty());
  EXPECT_EQ(api.requests(), 3);  // one per level: {15, 100, 14}, {200}, {300}
}

TEST_F(ResolveTest, TooDeepAndTooManyAreReported) {
  SteamApiOptions shallow = options();
  shallow.max_depth = 1;
  shallow.max_items = 2;
  SteamWebApi api(shallow);
  auto resolved = api.resolve({"100"});
  ASSERT_OK(resolved);
  EXPECT_EQ(resolved->items, (std::vector<std::string>{"11", "13"}));
  ASSERT_EQ(resolved->problems.size(), 2u);
  EXPECT_EQ(resolved->problems[0].message(), "collections nested deeper than 1 levels; the deeper ones are left out");
  EXPECT_EQ(resolved->problems[1].message(), "more than 2 items in all; the rest are left out");
  EXPECT_TRUE(resolved->truncated);
}

TEST_F(ResolveTest, ABadIdOrABadReplyFailsTheResolution) {
  SteamWebApi api(options());
  auto bad_id = api.resolve({"100", "https://steamcommunity.com/"});
  ASSERT_FALSE(bad_id.ok());
  EXPECT_EQ(bad_id.error().message(), "'https://steamcommunity.com/' is not a Workshop id (1 to 20 digits)");
  standin_->lie("GetCollectionDetails", "<html>502 Bad Gateway</html>");
  auto bad_reply = api.resolve({"100"});
  ASSERT_FALSE(bad_reply.ok());
  EXPECT_EQ(bad_reply.error().message(), "GetCollectionDetails: steam's reply: not valid JSON at byte 1");
}

}  // namespace
}  // namespace left4me::content
