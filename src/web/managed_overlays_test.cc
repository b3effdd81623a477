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
  // Uploads a tar.gz of entries in chunks of 4 KiB as the admin would (the file overlays' upload routes) and makes it
  // the source; the answer of the last step.
  HttpReply upload_source(Browser& browser, const std::string& name, const std::vector<test::ArchiveEntry>& entries) {
    std::string file = scratch_.path() + "/" + name;
    EXPECT_TRUE(test::write_test_archive(file, test::ArchiveFormat::kTarGz, entries));
    std::string content = read_text(file);
    std::string base = "/api/v1/overlays/" + std::to_string(overlay_.id) + "/uploads";
    HttpReply started = browser.post(base, {{"name", name}, {"size", content.size()}});
    if (started.status != 201) return started;
    std::string id = started.json()["upload"]["id"];
    std::string cookies;
    for (const auto& [key, value] : browser.cookies()) cookies += (cookies.empty() ? "" : "; ") + key + "=" + value;
    for (std::size_t offset = 0; offset < content.size(); offset += 4096) {
      HttpReply chunk = testing::http_request(
          port_, "PUT", base + "/" + id + "?offset=" + std::to_string(offset), content.substr(offset, 4096),
          {{"Cookie", cookies}, {"X-CSRF-Token", browser.csrf()}, {"Content-Type", "application/octet-stream"}});
      EXPECT_EQ(chunk.status, 200) << chunk.body;
    }
    return browser.post(path("/upload"), {{"upload", id}});
  }
  // Bytes gzip cannot shrink, so an archive of them takes several chunks.
  static std::string noise(std::size_t size, std::uint32_t seed) {
    std::string out;
    for (std::size_t i = 0; i < size; ++i) {
      seed = seed * 1664525u + 1013904223u;
      out += static_cast<char>(seed >> 24);
    }
    return out;
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

TEST_F(ManagedOverlaysTest, AnUploadedArchiveIsTheSourceAndAHostileOneLeavesTheTreeAsItWas) {
  Browser admin = logged_in("root");
  std::vector<test::ArchiveEntry> first = version("1.0");
  first.push_back(test::ArchiveEntry::file("left4dead2/addons/sourcemod/plugins/big.smx", noise(20000, 1)));
  HttpReply set = upload_source(admin, "sourcemod-1.0.tar.gz", first);
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.json()["managed"]["source_upload"], "sourcemod-1.0.tar.gz");
  EXPECT_EQ(set.json()["managed"]["source_url"], "");
  auto [state, log] = refresh(admin);
  ASSERT_EQ(state, "succeeded") << log;
  EXPECT_NE(log.find("the source is the uploaded archive sourcemod-1.0.tar.gz"), std::string::npos) << log;
  EXPECT_EQ(read_text(tree() + "/left4dead2/addons/sourcemod/version.txt"), "1.0");
  EXPECT_EQ(read_text(tree() + "/left4dead2/addons/sourcemod/plugins/big.smx"), noise(20000, 1));
  nlohmann::json installed = admin.get(path()).json()["managed"];
  EXPECT_EQ(installed["version"].get<std::string>().rfind("sourcemod-1.0.tar.gz (", 0), 0u) << installed;
  EXPECT_EQ(installed["sha256"].get<std::string>().size(), 64u);
  // The overlay page names the uploaded source, and its upload form ends at the managed route.
  HttpReply page = admin.get("/overlays/" + std::to_string(overlay_.id));
  EXPECT_NE(page.body.find("the uploaded archive sourcemod-1.0.tar.gz"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("data-finish=\"/api/v1/overlays/" + std::to_string(overlay_.id) + "/managed/upload\""),
            std::string::npos);
  auto [again, again_log] = refresh(admin);  // the same archive: nothing changes
  EXPECT_EQ(again, "succeeded");
  EXPECT_NE(again_log.find("unchanged (sha256 "), std::string::npos) << again_log;

  // A hostile archive becomes the source, and its refresh fails leaving the tree as it was.
  std::string before = test::snapshot_tree(tree());
  ASSERT_EQ(upload_source(admin, "evil.tar.gz",
                          {test::ArchiveEntry::file("left4dead2/cfg/ok.cfg", "x"),
                           test::ArchiveEntry::file("../../escape.txt", "out")})
                .status,
            200);
  auto [hostile, hostile_log] = refresh(admin);
  EXPECT_EQ(hostile, "failed");
  EXPECT_NE(hostile_log.find("../../escape.txt"), std::string::npos) << hostile_log;
  EXPECT_EQ(test::snapshot_tree(tree()), before);
  EXPECT_FALSE(path_exists(app_->config.host_root + "/escape.txt"));
  EXPECT_EQ(admin.get(path()).json()["managed"]["version"], installed["version"]);

  // Setting a URL again makes the URL the source.
  ASSERT_EQ(admin.request("PUT", path(), {{"source_url", serve("mm2", version("2.0"))}}).status, 200);
  EXPECT_EQ(admin.get(path()).json()["managed"]["source_upload"], "");
  auto [next, next_log] = refresh(admin);
  ASSERT_EQ(next, "succeeded") << next_log;
  EXPECT_EQ(read_text(tree() + "/left4dead2/addons/sourcemod/version.txt"), "2.0");
}

TEST_F(ManagedOverlaysTest, DeletingTheOverlayRemovesItsKeptSourceArchive) {
  Browser admin = logged_in("root");
  ASSERT_EQ(upload_source(admin, "sourcemod-1.0.tar.gz", version("1.0")).status, 200);
  std::string kept = managed_upload_path(managed_sources_dir(app_->config.data_dir), overlay_.id);
  ASSERT_TRUE(path_exists(kept));
  HttpReply removed = admin.request("DELETE", "/api/v1/overlays/" + std::to_string(overlay_.id));
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_FALSE(path_exists(kept));
}

TEST_F(ManagedOverlaysTest, AUrlSourceRemovesTheKeptUploadedArchive) {
  Browser admin = logged_in("root");
  ASSERT_EQ(upload_source(admin, "sourcemod-1.0.tar.gz", version("1.0")).status, 200);
  std::string kept = managed_upload_path(managed_sources_dir(app_->config.data_dir), overlay_.id);
  ASSERT_TRUE(path_exists(kept));
  ASSERT_EQ(admin.request("PUT", path(), {{"source_url", serve("mm2", version("2.0"))}}).status, 200);
  EXPECT_FALSE(path_exists(kept));
}

TEST_F(ManagedOverlaysTest, UploadedSourcesRefuseNonArchivesUsersAndOthersUploads) {
  Browser admin = logged_in("root");
  std::string base = "/api/v1/overlays/" + std::to_string(overlay_.id) + "/uploads";
  HttpReply not_archive = admin.post(base, {{"name", "plugin.smx"}, {"size", 10}});
  EXPECT_EQ(not_archive.status, 422);
  EXPECT_EQ(not_archive.json()["error"]["field"], "name");
  EXPECT_EQ(admin.post(path("/upload"), {{"upload", "no-such-upload"}}).status, 404);
  EXPECT_EQ(admin.post(path("/upload"), nlohmann::json::object()).status, 422);
  // An incomplete upload is refused and stays resumable; the source stays unset.
  HttpReply started = admin.post(base, {{"name", "mm.zip"}, {"size", 10}});
  ASSERT_EQ(started.status, 201) << started.body;
  std::string id = started.json()["upload"]["id"];
  EXPECT_EQ(admin.post(path("/upload"), {{"upload", id}}).status, 422);
  // Placing it as files is refused: a managed overlay's files come from its source.
  EXPECT_EQ(admin.post(base + "/" + id + "/finish", {{"path", ""}}).status, 409);
  // An upload started for another overlay is not this overlay's.
  Result<Overlay> other = app_->overlays->create(std::nullopt, "metamod", OverlayKind::kManaged);
  ASSERT_TRUE(other);
  EXPECT_EQ(admin.post("/api/v1/overlays/" + std::to_string(other->id) + "/managed/upload", {{"upload", id}}).status,
            404);
  Browser alice = logged_in("alice");
  EXPECT_EQ(alice.post(base, {{"name", "mm.zip"}, {"size", 10}}).status, 403);
  EXPECT_EQ(alice.post(path("/upload"), {{"upload", id}}).status, 403);
  nlohmann::json source = admin.get(path()).json()["managed"];
  EXPECT_EQ(source["source_upload"], "");
  EXPECT_EQ(source["source_url"], "");
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

TEST_F(ManagedOverlaysTest, TheSourceFormRefusesBadInputAndOtherOverlaysAndKeepsTheSource) {
  Browser admin = logged_in("root");
  std::string form = "/overlays/" + std::to_string(overlay_.id) + "/managed";
  std::string good = serve("kept", version("1.0"));
  ASSERT_EQ(post_form(admin, form, "source_url=" + url_encode(good)).status, 303);
  auto source = [&] { return admin.get(path()).json()["managed"]["source_url"]; };
  ASSERT_EQ(source(), good);

  for (const std::string& bad :
       {std::string("ftp://example.org/a.tar.gz"), std::string("javascript:alert(1)"), std::string("http://a b/c"),
        std::string("http://"), std::string(""), "https://example.org/" + std::string(2000, 'a')}) {
    HttpReply refused = post_form(admin, form, "source_url=" + url_encode(bad));
    EXPECT_EQ(refused.status, 422) << bad.substr(0, 40);
    EXPECT_NE(refused.body.find("source"), std::string::npos) << refused.body;
  }
  // A body over the 1 MiB limit: refused before the form is read (413, or the connection closed by the server).
  HttpReply oversized = post_form(admin, form, "source_url=" + std::string(3 << 19, 'a'));
  EXPECT_TRUE(oversized.status == 413 || oversized.status == 0) << oversized.status;
  EXPECT_EQ(post_form(admin, form, "source_url=" + url_encode(good + "?x"), false).status, 403);  // no CSRF token
  EXPECT_EQ(source(), good);

  // A user: refused, whichever id; nothing queued, nothing changed.
  Browser alice = logged_in("alice");
  EXPECT_EQ(post_form(alice, form, "source_url=http%3A%2F%2F127.0.0.1%2Fa.tgz").status, 403);
  EXPECT_EQ(post_form(alice, form + "/refresh", "").status, 403);
  EXPECT_EQ(post_form(alice, "/overlays/999/managed", "source_url=http%3A%2F%2F127.0.0.1%2Fa.tgz").status, 403);
  EXPECT_EQ(source(), good);
  EXPECT_EQ(admin.get("/api/v1/jobs").json()["jobs"].size(), 0u);

  // Other ids: none (404), a global overlay of another kind and a user's managed one (409, not changed).
  EXPECT_EQ(post_form(admin, "/overlays/999/managed", "source_url=" + url_encode(good)).status, 404);
  EXPECT_EQ(post_form(admin, "/overlays/999/managed/refresh", "").status, 404);
  EXPECT_EQ(post_form(admin, "/overlays/abc/managed", "source_url=" + url_encode(good)).status, 404);
  Result<Overlay> files = app_->overlays->create(std::nullopt, "configs", OverlayKind::kFiles);
  ASSERT_TRUE(files);
  HttpReply other =
      post_form(admin, "/overlays/" + std::to_string(files->id) + "/managed", "source_url=" + url_encode(good));
  EXPECT_EQ(other.status, 409);
  EXPECT_NE(other.body.find("no managed global overlay"), std::string::npos) << other.body;
  Result<User> owner = app_->accounts->create_user("carol", "password-carol", Role::kUser);
  ASSERT_TRUE(owner);
  Result<Overlay> private_managed = app_->overlays->create(owner->id, "mine", OverlayKind::kManaged);
  ASSERT_TRUE(private_managed);
  EXPECT_EQ(post_form(admin, "/overlays/" + std::to_string(private_managed->id) + "/managed/refresh", "").status, 409);
  EXPECT_EQ(app_->managed_overlays->get(files->id)->source_url, "");
  EXPECT_EQ(app_->managed_overlays->get(private_managed->id)->source_url, "");
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
