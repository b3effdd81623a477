// Managed global overlays over real HTTP with a real SQLite file: an administrator sets an archive URL (served by
// the Steam stand-in's file server on loopback) and refreshes; a second refresh of the same archive changes
// nothing; a new archive replaces the tree in one swap; a hostile archive fails the job and leaves the tree as it
// was; users are refused. With a real overlayfs mount of the overlay (as a running server has), a refresh never
// shows the mount a partial or changed tree: the replaced tree is kept until no server stacking it runs.
#include "web/managed_overlays.h"

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <archive_entry.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "testing/steam_standin.h"
#include "testing/test_archives.h"
#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class ManagedOverlaysTest : public testing::WebFixture {
 protected:
  void SetUp() override {
    auto standin = test::SteamStandin::start();
    ASSERT_TRUE(standin) << standin.error().message();
    standin_ = std::move(*standin);
    start();
    create_user("root", Role::kAdmin);
    create_user("alice", Role::kUser);
    Result<Overlay> overlay = app_->overlays->create(std::nullopt, "sourcemod", OverlayKind::kManaged);
    ASSERT_TRUE(overlay);
    overlay_ = *overlay;
  }
  // Serves a tar.gz of entries as the stand-in's file `name`; its URL.
  std::string serve(const std::string& name, const std::vector<test::ArchiveEntry>& entries) {
    std::string path = scratch_.path() + "/" + name + ".tar.gz";
    EXPECT_TRUE(test::write_test_archive(path, test::ArchiveFormat::kTarGz, entries));
    standin_->put_item(test::StandinItem{.id = name, .content = read_text(path)});
    return standin_->base_url() + "/files/" + name + ".vpk";
  }
  static std::vector<test::ArchiveEntry> version(const std::string& v) {
    return {test::ArchiveEntry::file("left4dead2/addons/metamod.vdf", "metamod " + v),
            test::ArchiveEntry::file("left4dead2/addons/sourcemod/version.txt", v)};
  }
  std::string path(const std::string& rest = "") const {
    return "/api/v1/overlays/" + std::to_string(overlay_.id) + "/managed" + rest;
  }
  std::string tree() const { return app_->config.host_root + "/overlays/" + overlay_.directory; }
  // Refreshes and waits: the job's final state, and its log followed by the reason it failed (if it did).
  std::pair<std::string, std::string> refresh(Browser& admin) {
    HttpReply queued = admin.post(path("/refresh"));
    EXPECT_EQ(queued.status, 202) << queued.body;
    std::int64_t job = job_of(queued);
    std::string state = wait_job(admin, job);
    nlohmann::json log = admin.get("/api/v1/jobs/" + std::to_string(job) + "/lines").json();
    std::string lines;
    for (const nlohmann::json& line : log["lines"]) lines += line["line"].get<std::string>() + "\n";
    nlohmann::json reason = admin.get("/api/v1/jobs/" + std::to_string(job)).json()["job"]["reason"];
    return {state, lines + (reason.is_string() ? reason.get<std::string>() : "")};
  }

  test::TempDir scratch_;
  std::unique_ptr<test::SteamStandin> standin_;
  Overlay overlay_;
};

TEST_F(ManagedOverlaysTest, ARefreshInstallsTheArchiveOnceAndSwapsInTheNextOne) {
  Browser admin = logged_in("root");
  ASSERT_EQ(admin.request("PUT", path(), {{"source_url", serve("mm1", version("1.0"))}}).status, 200);
  auto [state, log] = refresh(admin);
  ASSERT_EQ(state, "succeeded") << log;
  EXPECT_EQ(read_text(tree() + "/left4dead2/addons/sourcemod/version.txt"), "1.0");
  nlohmann::json installed = admin.get(path()).json()["managed"];
  EXPECT_EQ(installed["version"].get<std::string>().rfind("mm1.vpk (", 0), 0u) << installed;
  EXPECT_TRUE(installed["fetched_at"].is_number());
  EXPECT_EQ(installed["last_error"], "");

  auto [again, again_log] = refresh(admin);
  EXPECT_EQ(again, "succeeded");
  EXPECT_NE(again_log.find("unchanged (sha256 "), std::string::npos) << again_log;
  EXPECT_EQ(admin.get(path()).json()["managed"]["fetched_at"], installed["fetched_at"]);

  ASSERT_EQ(admin.request("PUT", path(), {{"source_url", serve("mm2", version("2.0"))}}).status, 200);
  auto [next, next_log] = refresh(admin);
  ASSERT_EQ(next, "succeeded") << next_log;
  EXPECT_EQ(read_text(tree() + "/left4dead2/addons/sourcemod/version.txt"), "2.0");
  EXPECT_NE(next_log.find("installed mm2.vpk ("), std::string::npos) << next_log;
  // No server runs from it: the replaced tree went at once.
  EXPECT_EQ(test::snapshot_tree(app_->config.host_root + "/overlays").find(".old-"), std::string::npos);
}

TEST_F(ManagedOverlaysTest, AHostileArchiveOrABadSourceFailsAndLeavesTheTreeAsItWas) {
  Browser admin = logged_in("root");
  ASSERT_EQ(admin.request("PUT", path(), {{"source_url", serve("good", version("1.0"))}}).status, 200);
  ASSERT_EQ(refresh(admin).first, "succeeded");
  std::string before = test::snapshot_tree(tree());

  std::string hostile = serve("evil", {test::ArchiveEntry::file("left4dead2/cfg/ok.cfg", "x"),
                                       test::ArchiveEntry::file("../../escape.txt", "out")});
  ASSERT_EQ(admin.request("PUT", path(), {{"source_url", hostile}}).status, 200);
  auto [state, log] = refresh(admin);
  EXPECT_EQ(state, "failed");
  EXPECT_NE(log.find("../../escape.txt"), std::string::npos) << log;
  EXPECT_EQ(test::snapshot_tree(tree()), before);
  EXPECT_NE(admin.get(path()).json()["managed"]["last_error"].get<std::string>().find("escape.txt"), std::string::npos);

  ASSERT_EQ(admin.request("PUT", path(), {{"source_url", standin_->base_url() + "/files/missing.vpk"}}).status, 200);
  EXPECT_EQ(refresh(admin).first, "failed");
  EXPECT_EQ(test::snapshot_tree(tree()), before);

  for (const char* bad : {"ftp://example.org/a.tar.gz", "file:///etc/passwd", "http://", "http://a b/c", ""}) {
    HttpReply refused = admin.request("PUT", path(), {{"source_url", bad}});
    EXPECT_EQ(refused.status, 422) << bad;
    EXPECT_EQ(refused.json()["error"]["field"], "source_url") << refused.body;
  }
}

TEST_F(ManagedOverlaysTest, UsersAndOtherKindsAreRefused) {
  Browser alice = logged_in("alice");
  EXPECT_EQ(alice.get(path()).status, 403);
  EXPECT_EQ(alice.request("PUT", path(), {{"source_url", "http://127.0.0.1/a.tgz"}}).status, 403);
  EXPECT_EQ(alice.post(path("/refresh")).status, 403);

  Browser admin = logged_in("root");
  Result<Overlay> files = app_->overlays->create(std::nullopt, "configs", OverlayKind::kFiles);
  ASSERT_TRUE(files);
  HttpReply other = admin.get("/api/v1/overlays/" + std::to_string(files->id) + "/managed");
  EXPECT_EQ(other.status, 409);
  EXPECT_EQ(other.json()["error"]["message"], "overlay 'configs' is no managed global overlay (it is a files overlay)");
  EXPECT_EQ(admin.get("/api/v1/overlays/999/managed").status, 404);
  HttpReply no_source = admin.post(path("/refresh"));
  ASSERT_EQ(no_source.status, 202);
  EXPECT_EQ(wait_job(admin, job_of(no_source)), "failed");
}

TEST_F(ManagedOverlaysTest, AMountedTreeNeverChangesUnderARefreshAndIsKeptWhileItsServerRuns) {
  if (geteuid() != 0) GTEST_SKIP() << "mounting overlayfs needs root";
  Browser admin = logged_in("root");
  ASSERT_EQ(admin.request("PUT", path(), {{"source_url", serve("v1", version("1.0"))}}).status, 200);
  ASSERT_EQ(refresh(admin).first, "succeeded");
  // A server whose blueprint stacks the overlay, recorded running.
  std::int64_t blueprint = make_blueprint(admin, "with-sourcemod");
  HttpReply server = make_server(admin, "alpha", blueprint);
  ASSERT_EQ(server.status, 201) << server.body;
  {
    Database::Lock lock(*app_->database);
    ASSERT_TRUE(Overlays::set_blueprint_overlays(lock, blueprint, {overlay_.id}));
  }
  ASSERT_TRUE(app_->servers->record_state(server.json()["server"]["id"], ServerState::kRunning));

  // The mount a running server has: the overlay as a lower layer.
  std::string merged = scratch_.path() + "/merged";
  ASSERT_TRUE(make_directories(merged));
  std::string installation = scratch_.path() + "/installation";  // the bottom layer (overlayfs needs two)
  ASSERT_TRUE(make_directories(installation + "/left4dead2"));
  std::string options = "lowerdir=" + tree() + ":" + installation;
  ASSERT_EQ(::mount("overlay", merged.c_str(), "overlay", MS_RDONLY, options.c_str()), 0) << strerror(errno);
  std::atomic<bool> done = false;
  std::atomic<int> reads = 0;
  std::atomic<int> torn = 0;
  std::thread reader([&] {
    while (!done) {
      std::string version = read_text(merged + "/left4dead2/addons/sourcemod/version.txt");
      std::string metamod = read_text(merged + "/left4dead2/addons/metamod.vdf");
      if (version != "1.0" || metamod != "metamod 1.0") ++torn;
      ++reads;
    }
  });
  ASSERT_EQ(admin.request("PUT", path(), {{"source_url", serve("v2", version("2.0"))}}).status, 200);
  auto [state, log] = refresh(admin);
  done = true;
  reader.join();
  ::umount2(merged.c_str(), MNT_DETACH);
  ASSERT_EQ(state, "succeeded") << log;
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(torn.load(), 0) << "the running server's tree changed under it";
  EXPECT_NE(log.find("running servers keep the previous tree"), std::string::npos) << log;
  EXPECT_EQ(read_text(tree() + "/left4dead2/addons/sourcemod/version.txt"), "2.0");  // the next start's tree
  EXPECT_NE(test::snapshot_tree(app_->config.host_root + "/overlays").find(".old-"), std::string::npos);

  // Once the server stopped, the next refresh removes the kept tree.
  ASSERT_TRUE(app_->servers->record_state(server.json()["server"]["id"], ServerState::kStopped));
  auto [later, later_log] = refresh(admin);
  EXPECT_EQ(later, "succeeded");
  EXPECT_NE(later_log.find("removed 1 earlier tree(s)"), std::string::npos) << later_log;
  EXPECT_EQ(test::snapshot_tree(app_->config.host_root + "/overlays").find(".old-"), std::string::npos);
}

}  // namespace
}  // namespace left4me::web
