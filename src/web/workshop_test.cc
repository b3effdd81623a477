// Workshop overlays over real HTTP: the web app on 127.0.0.1 with a real SQLite file, the Steam Web API stand-in on
// 127.0.0.1 named by STEAM_WEB_API_URL (as an administrator sets it in web.env), the cache and overlays on disk.
#include <gtest/gtest.h>

#include "testing/steam_standin.h"
#include "web/web_fixture.h"

namespace left4me::web::testing {
namespace {

class WorkshopTest : public WebFixture {
 protected:
  void SetUp() override {
    auto standin = test::SteamStandin::start();
    ASSERT_OK(standin);
    steam_ = std::move(*standin);
    for (const char* id : {"101", "102", "103", "104"}) {
      steam_->put_item({.id = id, .title = std::string("Map ") + id, .content = test::standin_vpk(id, 6000)});
    }
    steam_->put_collection({.id = "900", .children = {{"102", 0}, {"901", 2}}});
    steam_->put_collection({.id = "901", .children = {{"103", 0}, {"900", 2}}});  // nested, and a cycle
    start({{"STEAM_WEB_API_URL", steam_->base_url()}});
    Result<User> alice = app_->accounts->create_user("alice", "password-alice", Role::kUser);
    ASSERT_OK(alice);
    alice_ = alice->id;
    create_user("bob", Role::kUser);
  }

  // A Workshop overlay of alice's, its directory made (as the overlay pages do).
  Overlay make_overlay(const std::string& name, std::optional<std::int64_t> owner) {
    Result<Overlay> overlay = app_->overlays->create(owner, name, OverlayKind::kWorkshop);
    EXPECT_OK(overlay);
    EXPECT_OK(make_directories(root() + "/overlays/" + overlay->directory));
    return *overlay;
  }
  std::int64_t alice_id() const { return alice_; }
  std::string root() const { return dir_.path() + "/data/root"; }
  std::string addon(const Overlay& overlay, const std::string& id) const {
    return root() + "/overlays/" + overlay.directory + "/left4dead2/addons/" + id + ".vpk";
  }
  static std::string file_text(const std::string& file) {
    Result<std::string> text = read_file(file);
    return text ? *text : "";
  }
  static std::string path(const Overlay& overlay) { return "/api/v1/overlays/" + std::to_string(overlay.id); }

  // Refreshes the overlay through the API and waits for the job; its final state.
  std::string refresh(Browser& browser, const Overlay& overlay) {
    HttpReply queued = browser.post(path(overlay) + "/workshop/refresh");
    EXPECT_EQ(queued.status, 202) << queued.body;
    return wait_job(browser, queued.json()["job"]["id"], std::chrono::seconds(30));
  }
  // A job's stored log, a line each. (The reply's JSON is kept in a variable: a range-for over a member of the
  // temporary json() returns would read it after it is gone, and found no lines.)
  std::string log_of(Browser& browser, const std::string& job) {
    HttpReply reply = browser.get("/api/v1/jobs/" + job + "/lines");
    EXPECT_EQ(reply.status, 200) << reply.body;
    nlohmann::json answer = reply.json();
    std::string lines;
    for (const nlohmann::json& line : answer["lines"]) lines += line["line"].get<std::string>() + "\n";
    return lines;
  }
  nlohmann::json items(Browser& browser, const Overlay& overlay) {
    return browser.get(path(overlay) + "/workshop").json()["workshop"]["items"];
  }

  std::unique_ptr<test::SteamStandin> steam_;
  std::int64_t alice_ = 0;
};

// Refreshes of different overlays share the Workshop cache, which takes one refresh at a time: they share a lane.
TEST(WorkshopJobLane, EveryRefreshTakesTheOneWorkshopLane) {
  Job one{.type = JobType::kRefreshWorkshop, .target = "workshop overlay 'maps'", .overlay_id = 1};
  Job other{.type = JobType::kRefreshWorkshop, .target = "workshop overlay 'mods'", .overlay_id = 2};
  Job daily{.type = JobType::kRefreshWorkshop, .target = std::string(kWorkshopOverlaysTarget)};
  EXPECT_EQ(one.lane(), other.lane());
  EXPECT_EQ(one.lane(), daily.lane());
  Job managed{.type = JobType::kRefreshManaged, .target = "overlay 3"};
  EXPECT_NE(managed.lane(), one.lane());
}

TEST_F(WorkshopTest, ItemsAndNestedCollectionsLandAndOnlyChangesAreDownloadedAgain) {
  Overlay overlay = make_overlay("maps", alice_id());
  Browser alice = logged_in("alice");
  HttpReply put = alice.request("PUT", path(overlay) + "/workshop",
                                {{"entries",
                                  {"https://steamcommunity.com/sharedfiles/filedetails/?id=101", " 900 ",
                                   "https://steamcommunity.com/workshop/filedetails/?id=101"}}});
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.json()["workshop"]["entries"], nlohmann::json({"101", "900"}));

  EXPECT_EQ(refresh(alice, overlay), "succeeded");
  nlohmann::json listed = items(alice, overlay);
  ASSERT_EQ(listed.size(), 3u) << listed;
  for (const auto& [index, id] : std::vector<std::pair<int, std::string>>{{0, "101"}, {1, "102"}, {2, "103"}}) {
    EXPECT_EQ(listed[index]["id"], id);
    EXPECT_EQ(listed[index]["state"], "ok") << listed[index];
    EXPECT_EQ(listed[index]["title"], "Map " + id);
    EXPECT_EQ(listed[index]["file_size"], 6000);
    EXPECT_EQ(file_text(addon(overlay, id)), test::standin_vpk(id, 6000));
  }
  EXPECT_FALSE(path_exists(addon(overlay, "104")));
  // What the overlay holds counts toward alice's quota, as an upload's bytes would.
  EXPECT_EQ(alice.get(path(overlay)).json()["overlay"]["size_bytes"], 3 * 6000);

  // Nothing changed: nothing is downloaded, and one details request covers every item.
  int details = steam_->api_requests("GetPublishedFileDetails");
  EXPECT_EQ(refresh(alice, overlay), "succeeded");
  for (const char* id : {"101", "102", "103"}) EXPECT_EQ(steam_->file_requests(id), 1) << id;
  EXPECT_EQ(steam_->api_requests("GetPublishedFileDetails"), details + 1);

  // An update on Steam (a new time_updated) is downloaded again, and the overlay gets the new file.
  steam_->set_time_updated("102", 1800000000, test::standin_vpk("102-new", 7000));
  EXPECT_EQ(refresh(alice, overlay), "succeeded");
  EXPECT_EQ(steam_->file_requests("102"), 2);
  EXPECT_EQ(steam_->file_requests("101"), 1);
  EXPECT_EQ(file_text(addon(overlay, "102")), test::standin_vpk("102-new", 7000));
  EXPECT_EQ(items(alice, overlay)[1]["time_updated"], 1800000000);

  // An item taken off the list leaves the overlay, and the cache once no overlay holds it.
  ASSERT_EQ(alice.request("PUT", path(overlay) + "/workshop", {{"entries", {"101"}}}).status, 200);
  EXPECT_EQ(refresh(alice, overlay), "succeeded");
  EXPECT_FALSE(path_exists(addon(overlay, "102")));
  EXPECT_FALSE(path_exists(root() + "/workshop_cache/102.vpk"));
  EXPECT_TRUE(path_exists(root() + "/workshop_cache/101.vpk"));
}

TEST_F(WorkshopTest, RemovedAndPrivateItemsAreReportedAndTheOthersLand) {
  steam_->put_item({.id = "201", .title = "Gone", .content = "x", .result = 9});
  steam_->put_item({.id = "202", .title = "Hidden", .content = test::standin_vpk("202", 100), .visibility = 2});
  Overlay overlay = make_overlay("mixed", alice_id());
  Browser alice = logged_in("alice");
  ASSERT_EQ(alice.request("PUT", path(overlay) + "/workshop", {{"entries", {"201", "101", "202", "104"}}}).status, 200);
  HttpReply queued = alice.post(path(overlay) + "/workshop/refresh");
  ASSERT_EQ(queued.status, 202);
  std::string job = std::to_string(job_of(queued));
  // A viewer following the log as the job runs (the job page's stream).
  testing::StreamReader stream(port_, "/api/v1/jobs/" + job + "/log",
                               {{"Cookie", "l4d2_session=" + alice.cookies()["l4d2_session"]}});
  EXPECT_EQ(wait_job(alice, job_of(queued), std::chrono::seconds(30)), "succeeded");
  nlohmann::json listed = items(alice, overlay);
  ASSERT_EQ(listed.size(), 4u) << listed;
  EXPECT_EQ(listed[0]["state"], "failed");
  EXPECT_NE(listed[0]["error"].get<std::string>(), "");
  EXPECT_EQ(listed[1]["state"], "ok");
  EXPECT_EQ(listed[2]["state"], "failed");
  EXPECT_EQ(listed[3]["state"], "ok");
  EXPECT_TRUE(path_exists(addon(overlay, "101")));
  EXPECT_TRUE(path_exists(addon(overlay, "104")));
  EXPECT_FALSE(path_exists(addon(overlay, "201")));
  EXPECT_FALSE(path_exists(addon(overlay, "202")));
  // The job log has a line per item (its outcome), in the stored lines and in the stream. (A removed or private
  // item has no title: the API's answer is not used for it.)
  std::string lines = log_of(alice, job);
  for (const char* expected :
       {"item 201: failed: ", "item 101 'Map 101': downloaded (6000 bytes)", "item 202: failed: private",
        "item 104 'Map 104': downloaded (6000 bytes)", "overlay 'mixed': 2 item(s) linked, 2 failed"}) {
    EXPECT_NE(lines.find(expected), std::string::npos) << expected << " in:\n" << lines;
  }
  ASSERT_TRUE(stream.wait_for("event: end", std::chrono::seconds(10))) << stream.received();
  EXPECT_NE(stream.received().find("data: item 101 'Map 101': downloaded"), std::string::npos) << stream.received();
  // The page's section shows each failure with its reason.
  HttpReply section = alice.get("/overlays/" + std::to_string(overlay.id) + "/workshop");
  EXPECT_EQ(section.status, 200);
  EXPECT_NE(section.body.find(listed[0]["error"].get<std::string>()), std::string::npos) << section.body;
}

// Bug: the refresh_workshop job's log had no line for an item that was already up to date (only downloads and
// failures were written), so a refresh where nothing changed listed no items at all.
TEST_F(WorkshopTest, TheJobLogHasALinePerItemWhenNothingChanged) {
  Overlay overlay = make_overlay("maps", alice_id());
  Browser alice = logged_in("alice");
  ASSERT_EQ(alice.request("PUT", path(overlay) + "/workshop", {{"entries", {"101", "102"}}}).status, 200);
  ASSERT_EQ(refresh(alice, overlay), "succeeded");
  HttpReply queued = alice.post(path(overlay) + "/workshop/refresh");
  ASSERT_EQ(queued.status, 202);
  std::string job = std::to_string(job_of(queued));
  ASSERT_EQ(wait_job(alice, job_of(queued), std::chrono::seconds(30)), "succeeded");
  std::string lines = log_of(alice, job);
  EXPECT_NE(lines.find("item 101 'Map 101': up to date (6000 bytes)"), std::string::npos) << lines;
  EXPECT_NE(lines.find("item 102 'Map 102': up to date (6000 bytes)"), std::string::npos) << lines;
  EXPECT_EQ(steam_->file_requests("101"), 1);  // nothing was downloaded again
}

TEST_F(WorkshopTest, BadEntriesAreRefusedNamingTheEntryAndLoseNothing) {
  Overlay overlay = make_overlay("maps", alice_id());
  Browser alice = logged_in("alice");
  ASSERT_EQ(alice.request("PUT", path(overlay) + "/workshop", {{"entries", {"101"}}}).status, 200);
  for (const nlohmann::json& entries :
       {nlohmann::json{"102", "not-an-id"}, nlohmann::json{"102", "https://evil.example/filedetails/?id=5"},
        nlohmann::json{"102", 7}, nlohmann::json("101")}) {
    HttpReply reply = alice.request("PUT", path(overlay) + "/workshop", {{"entries", entries}});
    EXPECT_EQ(reply.status, 422) << entries;
    if (entries.is_array()) {
      EXPECT_NE(reply.body.find("entry 2"), std::string::npos) << reply.body;
    }
  }
  EXPECT_EQ(alice.get(path(overlay) + "/workshop").json()["workshop"]["entries"], nlohmann::json({"101"}));
  // The form: the error names the entry, and what was typed comes back to be corrected.
  HttpReply form = post_form(alice, "/overlays/" + std::to_string(overlay.id) + "/workshop",
                             "entries=" + url_encode("103\nhttps://steamcommunity.com/sharedfiles/?id=x"));
  EXPECT_EQ(form.status, 422);
  EXPECT_NE(form.body.find("entry 2"), std::string::npos) << form.body;
  EXPECT_NE(form.body.find("https://steamcommunity.com/sharedfiles/?id=x"), std::string::npos);
  EXPECT_EQ(alice.get(path(overlay) + "/workshop").json()["workshop"]["entries"], nlohmann::json({"101"}));
  EXPECT_EQ(post_form(alice, "/overlays/" + std::to_string(overlay.id) + "/workshop", "entries=103%0A104").status, 303);
  EXPECT_EQ(alice.get(path(overlay) + "/workshop").json()["workshop"]["entries"], nlohmann::json({"103", "104"}));
}

TEST_F(WorkshopTest, OtherUsersOverlaysAnswer404AndGlobalOnesAreAdministrators) {
  Overlay own = make_overlay("maps", alice_id());
  Overlay global = make_overlay("shared", std::nullopt);
  Result<Overlay> files = app_->overlays->create(alice_id(), "files", OverlayKind::kFiles);
  ASSERT_OK(files);
  Browser bob = logged_in("bob");
  EXPECT_EQ(bob.get(path(own) + "/workshop").status, 404);
  EXPECT_EQ(bob.request("PUT", path(own) + "/workshop", {{"entries", {"101"}}}).status, 404);
  EXPECT_EQ(bob.post(path(own) + "/workshop/refresh").status, 404);
  EXPECT_EQ(bob.get("/overlays/" + std::to_string(own.id) + "/workshop").status, 404);
  EXPECT_EQ(post_form(bob, "/overlays/" + std::to_string(own.id) + "/workshop/refresh", "").status, 404);
  EXPECT_EQ(bob.get("/api/v1/overlays/99999/workshop").status, 404);
  EXPECT_EQ(bob.get(path(global) + "/workshop").status, 200);
  EXPECT_EQ(bob.request("PUT", path(global) + "/workshop", {{"entries", {"101"}}}).status, 403);
  EXPECT_EQ(bob.post(path(global) + "/workshop/refresh").status, 403);
  Browser alice = logged_in("alice");
  EXPECT_EQ(alice.get(path(*files) + "/workshop").status, 409);
}

TEST_F(WorkshopTest, TheSectionFragmentOfAnotherUsersOverlayAnswers404) {
  Overlay own = make_overlay("alices-maps", alice_id());
  Browser alice = logged_in("alice");
  ASSERT_EQ(alice.request("PUT", path(own) + "/workshop", {{"entries", {"101"}}}).status, 200);
  Browser bob = logged_in("bob");
  std::string cookies;
  for (const auto& [name, value] : bob.cookies()) cookies += (cookies.empty() ? "" : "; ") + name + "=" + value;
  // What the overlay page's section polls while a refresh runs (HTMX asks for the fragment alone).
  std::string fragment = "/overlays/" + std::to_string(own.id) + "/workshop";
  HttpReply polled = http_request(port_, "GET", fragment, "", {{"Cookie", cookies}, {"HX-Request", "true"}});
  EXPECT_EQ(polled.status, 404) << polled.body;
  EXPECT_EQ(polled.body.find("alices-maps"), std::string::npos) << polled.body;
  EXPECT_EQ(polled.body.find("101"), std::string::npos) << polled.body;
  EXPECT_EQ(
      http_request(port_, "GET", "/overlays/99999/workshop", "", {{"Cookie", cookies}, {"HX-Request", "true"}}).status,
      404);
  // The section's form, posted with another user's id, changes nothing.
  EXPECT_EQ(post_form(bob, fragment, "entries=103", true, true).status, 404);
  EXPECT_EQ(alice.get(path(own) + "/workshop").json()["workshop"]["entries"], nlohmann::json({"101"}));
  // The owner gets the fragment.
  EXPECT_EQ(alice.get(fragment).status, 200);
}

TEST_F(WorkshopTest, TheDailyRefreshIsQueuedOnlyWhenNoRefreshIsPending) {
  // What `l4d2web workshop-refresh` does (command_workshop_refresh): workers are stopped so the jobs stay queued.
  app_->runner->stop(std::chrono::seconds(5));
  Result<Jobs::RefreshAll> first = app_->jobs->enqueue_workshop_refresh_all();
  ASSERT_OK(first);
  EXPECT_TRUE(first->queued);
  EXPECT_FALSE(first->job.overlay_id.has_value());
  Result<Jobs::RefreshAll> second = app_->jobs->enqueue_workshop_refresh_all();
  ASSERT_OK(second);
  EXPECT_FALSE(second->queued);
  EXPECT_EQ(second->job.id, first->job.id);
  ASSERT_OK(app_->jobs->finish(first->job.id, JobState::kSucceeded, 0, ""));
  // A refresh of one overlay that is pending holds the daily one back too.
  Overlay overlay = make_overlay("maps", alice_id());
  ASSERT_OK(app_->jobs->enqueue_workshop_refresh(overlay.id, "workshop overlay 'maps'", alice_id()));
  Result<Jobs::RefreshAll> third = app_->jobs->enqueue_workshop_refresh_all();
  ASSERT_OK(third);
  EXPECT_FALSE(third->queued);
  EXPECT_EQ(third->job.overlay_id, overlay.id);
}

}  // namespace
}  // namespace left4me::web::testing
