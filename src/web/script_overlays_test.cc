// Script overlays over real HTTP with a real SQLite file and the stand-in l4d2ctl (whose build-overlay runs the
// script with bash in the overlay, without the sandbox the real one has): the script saved through the API and the
// page, a build queued as a build_overlay job whose log is the script's output (live over SSE too), the last build
// on the page; refusals (an oversized script, another user's id, a user on a global overlay, other kinds) change
// nothing; `seed-script-overlays` seeding example files twice.
#include "web/script_overlays.h"

#include <gtest/gtest.h>

#include <fstream>

#include "web/script_overlay_seed.h"
#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

class ScriptOverlaysTest : public testing::WebFixture {
 protected:
  void SetUp() override {
    start();
    create_user("root", Role::kAdmin);
    create_user("alice", Role::kUser);
    create_user("bob", Role::kUser);
  }
  static std::string path(std::int64_t overlay, const std::string& rest = "") {
    return "/api/v1/overlays/" + std::to_string(overlay) + rest;
  }
  std::int64_t make_overlay(Browser& browser, const std::string& name, bool global = false,
                            const std::string& kind = "script") {
    HttpReply reply = browser.post("/api/v1/overlays", {{"name", name}, {"kind", kind}, {"global", global}});
    EXPECT_EQ(reply.status, 201) << reply.body;
    return reply.json()["overlay"]["id"];
  }
  std::string root() const { return app_->config.host_root; }
  std::string script_file(std::int64_t overlay) const { return root() + "/scripts/" + std::to_string(overlay) + ".sh"; }
  std::string tree(std::int64_t overlay) const { return root() + "/overlays/" + std::to_string(overlay); }
  static std::string read_text(const std::string& file) {
    Result<std::string> text = read_file(file);
    return text ? *text : "<missing>";
  }
  std::string job_log(Browser& browser, std::int64_t job) {
    nlohmann::json answer = browser.get("/api/v1/jobs/" + std::to_string(job) + "/lines").json();
    std::string lines;
    for (const nlohmann::json& line : answer["lines"]) lines += line["line"].get<std::string>() + "\n";
    return lines;
  }
  std::size_t build_jobs() {
    JobFilter filter;
    filter.type = JobType::kBuildOverlay;
    return app_->jobs->list(Scope{0, true}, filter)->size();
  }
};

TEST_F(ScriptOverlaysTest, TheApiSavesTheScriptAndABuildRunsItWithItsOutputAsTheJobLog) {
  Browser alice = logged_in("alice");
  std::int64_t overlay = make_overlay(alice, "configs");
  nlohmann::json empty = alice.get(path(overlay, "/script")).json()["script"];
  EXPECT_EQ(empty["script"], "");
  EXPECT_TRUE(empty["last_build"].is_null());
  EXPECT_EQ(alice.post(path(overlay, "/script/build")).status, 409);  // nothing saved yet: nothing to build

  std::string script =
      "#!/bin/bash\nset -e\necho \"building in $PWD\"\nmkdir -p left4dead2/cfg\n"
      "echo 'sv_cheats 0' >left4dead2/cfg/built.cfg\necho 'to stderr' >&2\nsleep 0.3\necho done\n";
  HttpReply saved = alice.request("PUT", path(overlay, "/script"), {{"script", script}, {"description", "a test"}});
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(saved.json()["script"]["script"], script);
  EXPECT_EQ(saved.json()["script"]["description"], "a test");
  EXPECT_TRUE(saved.json()["script"]["saved_at"].is_number());
  EXPECT_EQ(read_text(script_file(overlay)), script);  // beside overlays/, where the host reads it

  HttpReply queued = alice.post(path(overlay, "/script/build"));
  ASSERT_EQ(queued.status, 202) << queued.body;
  std::int64_t job = job_of(queued);
  EXPECT_EQ(queued.json()["job"]["type"], "build_overlay");
  // The log is live: the script's lines arrive over SSE before the job ends.
  testing::StreamReader stream(port_, "/api/v1/jobs/" + std::to_string(job) + "/log",
                               {{"Cookie", "l4d2_session=" + alice.cookies()["l4d2_session"]}});
  EXPECT_TRUE(stream.wait_for("data: to stderr", std::chrono::seconds(10))) << stream.received();
  EXPECT_TRUE(stream.wait_for("event: end", std::chrono::seconds(10))) << stream.received();
  ASSERT_EQ(wait_job(alice, job), "succeeded");
  std::string log = job_log(alice, job);
  EXPECT_NE(log.find("$ l4d2ctl build-overlay " + std::to_string(overlay) + " " + script_file(overlay)),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("building in " + tree(overlay)), std::string::npos) << log;
  EXPECT_NE(log.find("done"), std::string::npos) << log;
  EXPECT_EQ(read_text(tree(overlay) + "/left4dead2/cfg/built.cfg"), "sv_cheats 0\n");
  // What the build left counts toward alice's quota.
  EXPECT_NE(log.find("the overlay now holds 12 bytes"), std::string::npos) << log;
  EXPECT_EQ(alice.get(path(overlay)).json()["overlay"]["size_bytes"], 12);
  nlohmann::json last = alice.get(path(overlay, "/script")).json()["script"]["last_build"];
  EXPECT_EQ(last["job_id"], job);
  EXPECT_EQ(last["state"], "succeeded");
  EXPECT_TRUE(last["finished_at"].is_number());

  // A failing script fails its job, with the script's status.
  ASSERT_EQ(alice.request("PUT", path(overlay, "/script"), {{"script", "echo about to fail\nexit 7\n"}}).status, 200);
  EXPECT_EQ(alice.get(path(overlay, "/script")).json()["script"]["description"], "a test");  // left out: kept
  std::int64_t failing = job_of(alice.post(path(overlay, "/script/build")));
  EXPECT_EQ(wait_job(alice, failing), "failed");
  EXPECT_NE(job_log(alice, failing).find("about to fail"), std::string::npos);
  EXPECT_EQ(alice.get("/api/v1/jobs/" + std::to_string(failing)).json()["job"]["exit_code"], 7);
  EXPECT_EQ(alice.get(path(overlay, "/script")).json()["script"]["last_build"]["state"], "failed");

  // Deleting the overlay takes its script along.
  ASSERT_EQ(alice.request("DELETE", path(overlay)).status, 200);
  EXPECT_FALSE(path_exists(script_file(overlay)));
}

TEST_F(ScriptOverlaysTest, ThePageEditsTheScriptAndBuildsIt) {
  Browser alice = logged_in("alice");
  std::int64_t overlay = make_overlay(alice, "page-built");
  std::string page = "/overlays/" + std::to_string(overlay);
  EXPECT_NE(alice.get(page).body.find("never built"), std::string::npos);
  // A browser sends the textarea's line breaks as CR LF: saved as LF, which bash reads.
  HttpReply saved = post_form(alice, page + "/script",
                              "description=Made+in+the+page&script=" +
                                  url_encode("mkdir -p left4dead2/cfg\r\necho page >left4dead2/cfg/p.cfg\r\n"));
  ASSERT_EQ(saved.status, 303) << saved.body;
  EXPECT_EQ(read_text(script_file(overlay)), "mkdir -p left4dead2/cfg\necho page >left4dead2/cfg/p.cfg\n");
  HttpReply shown = alice.get(page);
  EXPECT_NE(shown.body.find("Made in the page"), std::string::npos);
  EXPECT_NE(shown.body.find("echo page &gt;left4dead2/cfg/p.cfg"), std::string::npos) << shown.body;
  EXPECT_NE(shown.body.find("/script/build"), std::string::npos);

  HttpReply built = post_form(alice, page + "/script/build", "");
  ASSERT_EQ(built.status, 303) << built.body;
  std::string location = built.header("location");
  ASSERT_EQ(location.rfind("/jobs/", 0), 0u) << location;
  std::int64_t job = std::stoll(location.substr(6));
  ASSERT_EQ(wait_job(alice, job), "succeeded");
  EXPECT_EQ(read_text(tree(overlay) + "/left4dead2/cfg/p.cfg"), "page\n");
  shown = alice.get(page);
  EXPECT_NE(shown.body.find("succeeded"), std::string::npos) << shown.body;
  EXPECT_NE(shown.body.find("href=\"/jobs/" + std::to_string(job) + "\""), std::string::npos);

  // An oversized script is refused with the reason, what was typed kept, nothing saved.
  HttpReply big = post_form(alice, page + "/script", "script=" + std::string(kMaxScriptBytes + 1, 'x'));
  EXPECT_EQ(big.status, 422);
  EXPECT_NE(big.body.find("at most 262144"), std::string::npos);
  EXPECT_EQ(read_text(script_file(overlay)), "mkdir -p left4dead2/cfg\necho page >left4dead2/cfg/p.cfg\n");
}

TEST_F(ScriptOverlaysTest, BadInputAndOtherPeoplesOverlaysAreRefusedAndChangeNothing) {
  Browser root_browser = logged_in("root");
  Browser alice = logged_in("alice");
  Browser bob = logged_in("bob");
  std::int64_t own = make_overlay(alice, "mine");
  ASSERT_EQ(alice.request("PUT", path(own, "/script"), {{"script", "echo mine\n"}}).status, 200);
  std::int64_t global = make_overlay(root_browser, "shared", true);
  ASSERT_EQ(root_browser.request("PUT", path(global, "/script"), {{"script", "echo shared\n"}}).status, 200);
  std::int64_t files = make_overlay(alice, "uploads", false, "files");

  // An oversized script, or one that is not a string.
  HttpReply big = alice.request("PUT", path(own, "/script"), {{"script", std::string(kMaxScriptBytes + 1, 'x')}});
  EXPECT_EQ(big.status, 422);
  EXPECT_EQ(big.json()["error"]["field"], "script") << big.body;
  EXPECT_EQ(alice.request("PUT", path(own, "/script"), {{"script", 5}}).status, 422);
  EXPECT_EQ(
      alice.request("PUT", path(own, "/script"), {{"script", "x"}, {"description", std::string(1001, 'd')}}).status,
      422);
  EXPECT_EQ(read_text(script_file(own)), "echo mine\n");

  // Another user's overlay does not exist for bob, through the API and the page.
  EXPECT_EQ(bob.get(path(own, "/script")).status, 404);
  EXPECT_EQ(bob.request("PUT", path(own, "/script"), {{"script", "echo bob\n"}}).status, 404);
  EXPECT_EQ(bob.post(path(own, "/script/build")).status, 404);
  EXPECT_EQ(post_form(bob, "/overlays/" + std::to_string(own) + "/script", "script=echo+bob").status, 404);
  EXPECT_EQ(post_form(bob, "/overlays/" + std::to_string(own) + "/script/build", "").status, 404);

  // A global overlay: users read its script, only administrators change or build it.
  EXPECT_EQ(alice.get(path(global, "/script")).json()["script"]["script"], "echo shared\n");
  EXPECT_EQ(alice.request("PUT", path(global, "/script"), {{"script", "echo alice\n"}}).status, 403);
  EXPECT_EQ(alice.post(path(global, "/script/build")).status, 403);
  EXPECT_EQ(post_form(alice, "/overlays/" + std::to_string(global) + "/script", "script=echo+alice").status, 403);
  EXPECT_EQ(post_form(alice, "/overlays/" + std::to_string(global) + "/script/build", "").status, 403);
  HttpReply page = alice.get("/overlays/" + std::to_string(global));
  EXPECT_EQ(page.body.find("/script/build"), std::string::npos);  // no Build button for her
  EXPECT_EQ(read_text(script_file(global)), "echo shared\n");

  // Other kinds have no script.
  EXPECT_EQ(alice.get(path(files, "/script")).status, 409);
  EXPECT_EQ(alice.request("PUT", path(files, "/script"), {{"script", "echo\n"}}).status, 409);
  EXPECT_EQ(alice.post(path(files, "/script/build")).status, 409);
  EXPECT_FALSE(path_exists(script_file(files)));

  EXPECT_EQ(build_jobs(), 0u);                                          // none of the refused builds was queued
  HttpReply queued = root_browser.post(path(global, "/script/build"));  // an administrator builds the global one
  ASSERT_EQ(queued.status, 202);
  EXPECT_EQ(wait_job(root_browser, job_of(queued)), "succeeded");
  EXPECT_NE(job_log(root_browser, job_of(queued)).find("shared"), std::string::npos);
}

// The seed command's work: once creates, twice changes nothing (same ids, same times), a changed file updates its
// overlay in place, a broken file is reported without stopping the others.
TEST_F(ScriptOverlaysTest, SeedingTwiceChangesNothingAndAChangedExampleUpdatesItsOverlay) {
  test::TempDir examples;
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(examples.path() + "/" + name) << text;
  };
  write("alpha.sh",
        "#!/bin/bash\n# left4me-name: Alpha\n# left4me-description: First\n# left4me-description: "
        "line.\nset -e\necho alpha\n");
  write("beta.sh", "#!/bin/bash\n# left4me-name: Beta\necho beta\n");
  write("README.md", "not a script");
  write("broken.sh", "#!/bin/bash\necho no header\n");

  Result<std::vector<SeededFile>> first = seed_script_overlays(*app_->database, app_->config, examples.path());
  ASSERT_TRUE(first) << first.error().message();
  ASSERT_EQ(first->size(), 3u);
  EXPECT_EQ((*first)[0].outcome, SeedOutcome::kCreated) << (*first)[0].message;
  EXPECT_EQ((*first)[1].outcome, SeedOutcome::kCreated) << (*first)[1].message;
  EXPECT_EQ((*first)[2].outcome, SeedOutcome::kFailed);
  EXPECT_NE((*first)[2].message.find("broken.sh: the header has no '# left4me-name"), std::string::npos)
      << (*first)[2].message;
  std::int64_t alpha = (*first)[0].overlay_id;
  Result<Overlay> overlay = app_->overlays->get(alpha, Scope{0, true});
  ASSERT_TRUE(overlay);
  EXPECT_TRUE(overlay->global());
  EXPECT_EQ(overlay->kind, OverlayKind::kScript);
  EXPECT_EQ(overlay->name, "Alpha");
  EXPECT_TRUE(path_exists(tree(alpha)));
  Result<ScriptOverlay> seeded = app_->script_overlays->get(*overlay);
  ASSERT_TRUE(seeded);
  EXPECT_EQ(seeded->description, "First line.");
  EXPECT_EQ(seeded->example, "alpha");
  EXPECT_EQ(read_text(script_file(alpha)), read_text(examples.path() + "/alpha.sh"));

  Result<std::vector<SeededFile>> second = seed_script_overlays(*app_->database, app_->config, examples.path());
  ASSERT_TRUE(second);
  EXPECT_EQ((*second)[0].outcome, SeedOutcome::kUnchanged);
  EXPECT_EQ((*second)[0].overlay_id, alpha);
  EXPECT_EQ((*second)[1].outcome, SeedOutcome::kUnchanged);
  EXPECT_EQ((*second)[1].overlay_id, (*first)[1].overlay_id);
  EXPECT_EQ(app_->script_overlays->get(*overlay)->saved_at, seeded->saved_at);
  EXPECT_EQ(app_->overlays->list(Scope{0, true})->size(), 2u);

  write("alpha.sh", "#!/bin/bash\n# left4me-name: Alpha two\necho alpha two\n");
  Result<std::vector<SeededFile>> third = seed_script_overlays(*app_->database, app_->config, examples.path());
  ASSERT_TRUE(third);
  EXPECT_EQ((*third)[0].outcome, SeedOutcome::kUpdated) << (*third)[0].message;
  EXPECT_EQ((*third)[0].overlay_id, alpha);
  EXPECT_EQ(app_->overlays->get(alpha, Scope{0, true})->name, "Alpha two");
  EXPECT_EQ(read_text(script_file(alpha)), "#!/bin/bash\n# left4me-name: Alpha two\necho alpha two\n");
  EXPECT_EQ((*third)[1].outcome, SeedOutcome::kUnchanged);
  EXPECT_EQ(app_->overlays->list(Scope{0, true})->size(), 2u);

  EXPECT_FALSE(seed_script_overlays(*app_->database, app_->config, examples.path() + "/absent"));
}

// The examples the package ships parse and seed.
TEST_F(ScriptOverlaysTest, TheShippedExamplesSeed) {
  std::string fake_ctl = LEFT4ME_WEB_FAKE_CTL;
  std::string source = fake_ctl.substr(0, fake_ctl.rfind("/src/web/testdata/"));
  Result<std::vector<SeededFile>> seeded =
      seed_script_overlays(*app_->database, app_->config, source + "/examples/script-overlays");
  ASSERT_TRUE(seeded) << seeded.error().message();
  ASSERT_EQ(seeded->size(), 3u);
  for (const SeededFile& file : *seeded) EXPECT_EQ(file.outcome, SeedOutcome::kCreated) << file.message;
}

}  // namespace
}  // namespace left4me::web
