// An overlay's files over real HTTP: uploads in chunks (resumed, repeated), archives unpacked, hostile archives
// refused with the tree byte-for-byte unchanged, the quota, the browser (list, download, delete), the config
// editor, and who may do what.
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.h"
#include "testing/test_archives.h"
#include "web/overlay_files.h"
#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using test::ArchiveEntry;
using test::ArchiveFormat;
using testing::Browser;
using testing::HttpReply;

class OverlayFilesTest : public testing::WebFixture {
 protected:
  void SetUp() override {
    start({{"OVERLAY_UPLOAD_CHUNK_BYTES", "4096"}, {"OVERLAY_QUOTA_BYTES", "1048576"}});
    create_user("alice", Role::kUser);
    create_user("bob", Role::kUser);
    create_user("root", Role::kAdmin);
  }

  std::int64_t user_id(const std::string& name) {
    Result<std::vector<User>> users = app_->accounts->list_users();
    EXPECT_TRUE(users.ok());
    for (const User& user : *users) {
      if (user.name == name) return user.id;
    }
    ADD_FAILURE() << "no user " << name;
    return 0;
  }
  Overlay make_overlay(std::optional<std::int64_t> owner, const std::string& name,
                       OverlayKind kind = OverlayKind::kFiles) {
    Result<Overlay> overlay = app_->overlays->create(owner, name, kind);
    EXPECT_TRUE(overlay.ok());
    return *overlay;
  }
  std::string dir_of(const Overlay& overlay) { return overlay_directory(app_->config, overlay); }
  std::string base(const Overlay& overlay) { return "/api/v1/overlays/" + std::to_string(overlay.id); }
  std::string write_archive(const std::string& name, ArchiveFormat format, const std::vector<ArchiveEntry>& entries) {
    std::string path = dir_.path() + "/" + name;
    EXPECT_OK(test::write_test_archive(path, format, entries));
    return path;
  }

  // A raw-body request with the browser's session (the chunks are bytes, not JSON).
  HttpReply put_chunk(Browser& browser, const std::string& path, const std::string& data) {
    std::string cookies;
    for (const auto& [name, value] : browser.cookies()) cookies += (cookies.empty() ? "" : "; ") + name + "=" + value;
    return testing::http_request(
        port_, "PUT", path, data,
        {{"Cookie", cookies}, {"X-CSRF-Token", browser.csrf()}, {"Content-Type", "application/octet-stream"}});
  }

  // Uploads the file at file as name in chunks of the configured size, then finishes it at path.
  HttpReply upload(Browser& browser, const Overlay& overlay, const std::string& file, const std::string& name,
                   const std::string& path = "") {
    Result<std::string> content = read_file(file);
    EXPECT_OK(content);
    HttpReply started = browser.post(base(overlay) + "/uploads",
                                     {{"name", name}, {"size", static_cast<std::int64_t>(content->size())}});
    if (started.status != 201) return started;
    std::string upload_path = base(overlay) + "/uploads/" + started.json()["upload"]["id"].get<std::string>();
    for (std::size_t offset = 0; offset < content->size(); offset += 4096) {
      HttpReply chunk =
          put_chunk(browser, upload_path + "?offset=" + std::to_string(offset), content->substr(offset, 4096));
      EXPECT_EQ(chunk.status, 200) << chunk.body;
    }
    return browser.post(upload_path + "/finish", {{"path", path}});
  }
};

TEST_F(OverlayFilesTest, ArchiveUploadedInChunksIsUnpackedListedDownloadedAndDeleted) {
  Browser alice = logged_in("alice");
  Overlay overlay = make_overlay(user_id("alice"), "mods");
  std::string archive = write_archive("mods.tar.gz", ArchiveFormat::kTarGz,
                                      {ArchiveEntry::random("left4dead2/addons/big.vpk", 10000),
                                       ArchiveEntry::file("left4dead2/cfg/mods.cfg", "sv_cheats 0\n")});
  HttpReply finished = upload(alice, overlay, archive, "mods.tar.gz");
  ASSERT_EQ(finished.status, 200) << finished.body;
  EXPECT_EQ(finished.json()["files"], 2);
  EXPECT_EQ(finished.json()["size_bytes"], 10012);
  EXPECT_EQ(app_->overlays->get(overlay.id, Scope{user_id("alice"), false})->size_bytes, 10012);

  HttpReply listed = alice.get(base(overlay) + "/files?path=left4dead2/addons");
  ASSERT_EQ(listed.status, 200) << listed.body;
  ASSERT_EQ(listed.json()["entries"].size(), 1u);
  EXPECT_EQ(listed.json()["entries"][0]["name"], "big.vpk");
  EXPECT_EQ(listed.json()["entries"][0]["size"], 10000);
  EXPECT_EQ(alice.get(base(overlay) + "/files").json()["entries"][0]["type"], "directory");

  HttpReply download = alice.get(base(overlay) + "/download?path=left4dead2/addons/big.vpk");
  ASSERT_EQ(download.status, 200);
  EXPECT_EQ(download.body, *read_file(dir_of(overlay) + "/left4dead2/addons/big.vpk"));
  EXPECT_EQ(download.body.size(), 10000u);
  EXPECT_EQ(download.header("content-disposition").rfind("attachment; filename=\"big.vpk\"", 0), 0u);

  // A single file lands where it is sent; the archive's files stay (a merge).
  std::string single = dir_.path() + "/extra.vpk";
  ASSERT_OK(write_file_atomic(single, "VPK"));
  ASSERT_EQ(upload(alice, overlay, single, "extra.vpk", "left4dead2/addons").status, 200);
  EXPECT_EQ(alice.get(base(overlay) + "/files?path=left4dead2/addons").json()["entries"].size(), 2u);

  HttpReply deleted = alice.request("DELETE", base(overlay) + "/files?path=left4dead2/addons");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(deleted.json()["size_bytes"], 12);
  EXPECT_FALSE(path_exists(dir_of(overlay) + "/left4dead2/addons"));
  EXPECT_EQ(alice.request("DELETE", base(overlay) + "/files?path=left4dead2/addons").status, 404);
  EXPECT_EQ(alice.request("DELETE", base(overlay) + "/files?path=").status, 422);
}

TEST_F(OverlayFilesTest, ChunksResumeFromWhatIsOnDiskAndARepeatedChunkIsNoChange) {
  Browser alice = logged_in("alice");
  Overlay overlay = make_overlay(user_id("alice"), "mods");
  HttpReply started = alice.post(base(overlay) + "/uploads", {{"name", "a.cfg"}, {"size", 6000}});
  ASSERT_EQ(started.status, 201) << started.body;
  EXPECT_EQ(started.json()["upload"]["chunk_bytes"], 4096);
  std::string path = base(overlay) + "/uploads/" + started.json()["upload"]["id"].get<std::string>();
  std::string first(4096, 'a');
  std::string second(1904, 'b');
  ASSERT_EQ(put_chunk(alice, path + "?offset=0", first).status, 200);
  HttpReply again = put_chunk(alice, path + "?offset=0", first);  // the answer was lost: sent once more
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.json()["upload"]["received"], 4096);
  HttpReply gap = put_chunk(alice, path + "?offset=5000", second);
  EXPECT_EQ(gap.status, 409);
  EXPECT_EQ(gap.json()["upload"]["received"], 4096);
  EXPECT_EQ(alice.get(path).json()["upload"]["received"], 4096);
  EXPECT_EQ(put_chunk(alice, path + "?offset=4096", std::string(4097, 'c')).status, 422);  // over a chunk
  EXPECT_EQ(put_chunk(alice, path + "?offset=4096", std::string(2000, 'c')).status, 422);  // past the size
  HttpReply early = alice.post(path + "/finish", {{"path", ""}});
  EXPECT_EQ(early.status, 422);
  EXPECT_NE(early.body.find("4096 of 6000"), std::string::npos) << early.body;
  ASSERT_EQ(put_chunk(alice, path + "?offset=4096", second).status, 200);
  ASSERT_EQ(alice.post(path + "/finish", {{"path", "left4dead2/cfg"}}).status, 200);
  EXPECT_EQ(*read_file(dir_of(overlay) + "/left4dead2/cfg/a.cfg"), first + second);
  EXPECT_EQ(alice.get(path).status, 404);  // finished uploads are gone
  // Another user never sees an upload, nor a bad name makes one.
  EXPECT_EQ(alice.post(base(overlay) + "/uploads", {{"name", "../x"}, {"size", 1}}).status, 422);
  EXPECT_EQ(alice.post(base(overlay) + "/uploads", {{"name", "x"}, {"size", 5ll << 40}}).status, 409);
}

// Each hostile archive over HTTP: refused, its entry named, the overlay byte-for-byte as before.
TEST_F(OverlayFilesTest, HostileArchivesAreRefusedNamingTheEntryAndLeaveTheOverlayUnchanged) {
  Browser alice = logged_in("alice");
  Overlay overlay = make_overlay(user_id("alice"), "mods");
  std::string good = write_archive("good.zip", ArchiveFormat::kZip, {ArchiveEntry::file("left4dead2/cfg/a.cfg", "x")});
  ASSERT_EQ(upload(alice, overlay, good, "good.zip").status, 200);
  struct Case {
    std::string name;
    ArchiveFormat format;
    std::vector<ArchiveEntry> entries;
    int status;
    std::string message;
  };
  std::vector<ArchiveEntry> many;
  for (int i = 0; i < 60; ++i) many.push_back(ArchiveEntry::file("f" + std::to_string(i), "x"));
  std::vector<Case> cases = {
      {"traversal.tar", ArchiveFormat::kTar, {ArchiveEntry::file("../../evil.cfg", "x")}, 422, "evil.cfg"},
      {"absolute.tar.gz", ArchiveFormat::kTarGz, {ArchiveEntry::file("/etc/evil.cfg", "x")}, 422, "/etc/evil.cfg"},
      {"symlink.zip", ArchiveFormat::kZip, {ArchiveEntry::symlink("left4dead2/out", "/etc")}, 422, "left4dead2/out"},
      {"hardlink.tar",
       ArchiveFormat::kTar,
       {ArchiveEntry::file("a", "x"), ArchiveEntry::hardlink("left4dead2/cfg/a.cfg", "a")},
       422,
       "left4dead2/cfg/a.cfg"},
      {"device.tar", ArchiveFormat::kTar, {ArchiveEntry::special("dev/null", AE_IFCHR)}, 422, "dev/null"},
      {"many.7z", ArchiveFormat::k7z, many, 409, "entries"},
      {"bomb.zip", ArchiveFormat::kZip, {ArchiveEntry::zeros("left4dead2/addons/bomb.vpk", 64 << 20)}, 409, "bomb.vpk"},
  };
  app_->config.upload_max_entries = 50;
  std::string before = test::snapshot_tree(dir_of(overlay));
  ASSERT_NE(before, "");
  for (const Case& bad : cases) {
    SCOPED_TRACE(bad.name);
    HttpReply refused = upload(alice, overlay, write_archive(bad.name, bad.format, bad.entries), bad.name);
    EXPECT_EQ(refused.status, bad.status) << refused.body;
    EXPECT_NE(refused.json()["error"]["message"].get<std::string>().find(bad.message), std::string::npos)
        << refused.body;
    EXPECT_EQ(test::snapshot_tree(dir_of(overlay)), before);
  }
  EXPECT_FALSE(path_exists(dir_.path() + "/data/root/evil.cfg"));
}

TEST_F(OverlayFilesTest, TheQuotaCountsOwnOverlaysAndAnAdministratorSetsItPerUser) {
  Browser alice = logged_in("alice");
  Browser root = logged_in("root");
  Overlay first = make_overlay(user_id("alice"), "first");
  Overlay second = make_overlay(user_id("alice"), "second");
  std::string half = write_archive("half.tar", ArchiveFormat::kTar, {ArchiveEntry::zeros("half.vpk", 600000)});
  ASSERT_EQ(upload(alice, first, half, "half.tar").status, 200);
  std::string before = test::snapshot_tree(dir_of(second));
  HttpReply over = upload(alice, second, half, "half.tar");  // 1.2 MB of alice's 1 MiB
  EXPECT_EQ(over.status, 409) << over.body;
  EXPECT_EQ(over.error_code(), "limit_reached");
  EXPECT_EQ(test::snapshot_tree(dir_of(second)), before);
  std::string single = dir_.path() + "/single.vpk";
  ASSERT_OK(write_file_atomic(single, std::string(600000, 'x')));
  EXPECT_EQ(alice.post(base(second) + "/uploads", {{"name", "single.vpk"}, {"size", 600000}}).status, 409);

  std::string user_path = "/api/v1/users/" + std::to_string(user_id("alice"));
  EXPECT_EQ(root.request("PATCH", user_path, {{"overlay_quota_bytes", -1}}).status, 422);
  HttpReply raised = root.request("PATCH", user_path, {{"overlay_quota_bytes", 2000000}});
  ASSERT_EQ(raised.status, 200) << raised.body;
  EXPECT_EQ(raised.json()["user"]["overlay_quota_bytes"], 2000000);
  EXPECT_EQ(raised.json()["user"]["overlay_quota"]["used"], 600000);
  EXPECT_EQ(upload(alice, second, half, "half.tar").status, 200);

  // A global overlay counts to nobody: an administrator fills it past any user's quota.
  Overlay global = make_overlay(std::nullopt, "global");
  std::string big = write_archive("big.tar", ArchiveFormat::kTar, {ArchiveEntry::zeros("big.vpk", 2 << 20)});
  EXPECT_EQ(upload(root, global, big, "big.tar").status, 200);
}

TEST_F(OverlayFilesTest, StrangersGet404OthersGlobalsAreReadOnlyAndOnlyFilesOverlaysChange) {
  Browser alice = logged_in("alice");
  Browser bob = logged_in("bob");
  Browser root = logged_in("root");
  Overlay mine = make_overlay(user_id("alice"), "mine");
  Overlay global = make_overlay(std::nullopt, "global");
  Overlay workshop = make_overlay(user_id("alice"), "workshop", OverlayKind::kWorkshop);
  ASSERT_EQ(root.request("PUT", base(global) + "/text", {{"path", "left4dead2/cfg/g.cfg"}, {"text", "hi"}}).status,
            200);
  EXPECT_EQ(bob.get(base(mine) + "/files").status, 404);
  EXPECT_EQ(bob.post(base(mine) + "/uploads", {{"name", "a"}, {"size", 1}}).status, 404);
  EXPECT_EQ(bob.get(base(global) + "/files?path=left4dead2/cfg").status, 200);
  HttpReply download = bob.get(base(global) + "/download?path=left4dead2/cfg/g.cfg");
  EXPECT_EQ(download.status, 200);
  EXPECT_EQ(download.body, "hi");
  EXPECT_EQ(bob.request("DELETE", base(global) + "/files?path=left4dead2").status, 403);
  EXPECT_EQ(bob.post(base(global) + "/uploads", {{"name", "a"}, {"size", 1}}).status, 403);
  EXPECT_EQ(alice.post(base(workshop) + "/uploads", {{"name", "a"}, {"size", 1}}).status, 409);
  EXPECT_EQ(alice.get(base(workshop) + "/files").status, 200);
}

TEST_F(OverlayFilesTest, TheEditorWritesUtf8ConfigsAndRefusesOtherPathsAndSymlinks) {
  Browser alice = logged_in("alice");
  Overlay overlay = make_overlay(user_id("alice"), "cfg");
  std::string text = "hostname \"caf\xc3\xa9\"\n";
  HttpReply saved =
      alice.request("PUT", base(overlay) + "/text", {{"path", "left4dead2/cfg/new/server2.cfg"}, {"text", text}});
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(*read_file(dir_of(overlay) + "/left4dead2/cfg/new/server2.cfg"), text);
  HttpReply read = alice.get(base(overlay) + "/text?path=left4dead2/cfg/new/server2.cfg");
  EXPECT_EQ(read.json()["text"], text);
  EXPECT_EQ(alice.get(base(overlay) + "/text?path=left4dead2/cfg/none.cfg").json()["exists"], false);
  ASSERT_EQ(alice
                .request("PUT", base(overlay) + "/text",
                         {{"path", "left4dead2/addons/sourcemod/configs/admins_simple.ini"}, {"text", "x"}})
                .status,
            200);

  std::string before = test::snapshot_tree(dir_of(overlay));
  for (const char* path :
       {"left4dead2/addons/x.vpk", "left4dead2/cfg/../../etc/passwd", "/left4dead2/cfg/a", "left4dead2/cfg"}) {
    SCOPED_TRACE(path);
    HttpReply refused = alice.request("PUT", base(overlay) + "/text", {{"path", path}, {"text", "x"}});
    EXPECT_EQ(refused.status, 422) << refused.body;
    EXPECT_EQ(refused.json()["error"]["field"], "path");
  }
  HttpReply not_utf8 =
      testing::http_request(port_, "PUT", base(overlay) + "/text", "path=left4dead2%2Fcfg%2Fa.cfg&text=caf%E9",
                            {{"Cookie", "l4d2_session=" + alice.cookies()["l4d2_session"]},
                             {"X-CSRF-Token", alice.csrf()},
                             {"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(not_utf8.status, 422) << not_utf8.body;
  EXPECT_EQ(alice
                .request("PUT", base(overlay) + "/text",
                         {{"path", "left4dead2/cfg/big.cfg"}, {"text", std::string(kMaxEditableBytes + 1, 'x')}})
                .status,
            422);
  EXPECT_EQ(test::snapshot_tree(dir_of(overlay)), before);

  // A symlink someone put there by hand is never followed: reads and writes through it are refused.
  std::string outside = dir_.path() + "/outside";
  ASSERT_OK(make_directories(outside));
  ASSERT_EQ(::symlink(outside.c_str(), (dir_of(overlay) + "/left4dead2/cfg/link").c_str()), 0);
  EXPECT_EQ(
      alice.request("PUT", base(overlay) + "/text", {{"path", "left4dead2/cfg/link/a.cfg"}, {"text", "x"}}).status,
      422);
  EXPECT_EQ(alice.get(base(overlay) + "/download?path=left4dead2/cfg/link").status, 422);
  EXPECT_EQ(alice.get(base(overlay) + "/files?path=left4dead2/cfg/link").status, 422);
  EXPECT_EQ(test::snapshot_tree(outside), "");
}

}  // namespace
}  // namespace left4me::web
