// The pages over real HTTP in-process (the stand-in l4d2ctl): templates parse and escape, static files are
// versioned and cached, friendly error pages, forms validate like the API with errors beside the fields,
// other users' objects are 404, and the escaped live-log stream.
#include <gtest/gtest.h>

#include "web/assets.h"
#include "web/page_render.h"
#include "web/pages.h"
#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;
using testing::WebFixture;

TEST(PageRender, EveryTemplateParsesAndRenders) {
  int templates = 0;
  for (const EmbeddedFile& file : embedded_files()) {
    if (file.name.substr(0, 10) != "templates/") continue;
    std::string name(file.name.substr(10, file.name.size() - 10 - 9));
    EXPECT_FALSE(render_template(name, nlohmann::json::object()).empty()) << name;
    ++templates;
  }
  EXPECT_GT(templates, 15);
}

TEST(PageRender, EscapesEveryValue) {
  nlohmann::json view = {{"title", "<script>alert(1)</script>"},
                         {"message", "a \"quoted\" & 'single'"},
                         {"status", 404},
                         {"asset", {{"css", "/x"}}}};
  std::string page = render_template("error", view);
  EXPECT_EQ(page.find("<script>alert"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(page.find("a &quot;quoted&quot; &amp; &apos;single&apos;"), std::string::npos);
}

TEST(Assets, VendorFilesAreEmbeddedWithVersions) {
  for (const char* name : {"static/htmx.min.js", "static/htmx-sse.js", "static/app.css", "static/app.js"}) {
    std::optional<EmbeddedFile> file = find_embedded(name);
    ASSERT_TRUE(file.has_value()) << name;
    EXPECT_GT(file->content.size(), 1000u) << name;
    EXPECT_EQ(file->version.size(), 12u);
  }
  EXPECT_NE(find_embedded("static/htmx.min.js")->content.find("htmx"), std::string_view::npos);
  EXPECT_EQ(static_url("app.css").substr(0, 8), "/static/");
}

// Records what a stream receives.
class RecordingSink : public EventSink {
 public:
  bool send(std::string data) override {
    received += data;
    return true;
  }
  bool closed() const override { return false; }
  void close() override {}
  std::string received;
};

TEST(EscapedLogSink, EscapesDataLinesAcrossWrites) {
  auto recorder = std::make_shared<RecordingSink>();
  std::shared_ptr<EventSink> sink = escaped_log_sink(recorder);
  EXPECT_TRUE(sink->send("id: 1\ndata: <b>\"hi\"</b>\n\n: heartbeat\n\ndata: spl"));
  EXPECT_TRUE(sink->send("it & done\n\nevent: end\ndata: succeeded\n\n"));
  EXPECT_EQ(
      recorder->received,
      "id: 1\ndata: <div class=\"line\">&lt;b&gt;&quot;hi&quot;&lt;/b&gt;</div>\n\n: heartbeat\n\n"
      "data: <div class=\"line\">split &amp; done</div>\n\nevent: end\ndata: <div class=\"line\">succeeded</div>\n\n");
}

class PagesTest : public WebFixture {
 protected:
  // A form post as a browser sends it: the session cookie, the form's csrf_token field unless csrf is false.
  HttpReply post_form(Browser& browser, const std::string& path, const std::string& form, bool csrf = true,
                      bool htmx = false) {
    std::string cookies;
    for (const auto& [name, value] : browser.cookies()) cookies += (cookies.empty() ? "" : "; ") + name + "=" + value;
    std::string body = csrf ? "csrf_token=" + url_encode(browser.csrf()) + "&" + form : form;
    std::vector<std::pair<std::string, std::string>> headers = {{"Cookie", cookies},
                                                                {"Content-Type", "application/x-www-form-urlencoded"}};
    if (htmx) headers.emplace_back("HX-Request", "true");
    return testing::http_request(port_, "POST", path, body, headers);
  }
  // A blueprint and a server of the browser's user; returns the server's id.
  std::int64_t make_server(Browser& browser, const std::string& name) {
    EXPECT_EQ(
        post_form(browser, "/blueprints", "name=bp-" + name + "&map=c1m1_hotel&mode=coop&max_players=4&op=save").status,
        303);
    std::int64_t blueprint = browser.get("/api/v1/blueprints").json()["blueprints"].back()["id"];
    EXPECT_EQ(post_form(browser, "/servers", "name=" + name + "&blueprint_id=" + std::to_string(blueprint)).status,
              303);
    nlohmann::json servers = browser.get("/api/v1/servers").json();
    for (const nlohmann::json& server : servers["servers"]) {
      if (server["name"] == name) return server["id"];
    }
    return 0;
  }
};

TEST(SameOriginPath, AcceptsOnlyPathsOfThisSite) {
  for (const char* fine : {"/", "/servers/3?notice=server_created", "/login?next=%2F", "/a/b#frag", "/%09/x"}) {
    EXPECT_EQ(same_origin_path(fine), std::optional<std::string>(fine)) << fine;
  }
  for (const char* bad :
       {"", "servers", "//evil.example", "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
        "/\r\nX-Injected: 1", "/\n", "/a b", " /x", "https://evil.example", "/\x7f", "/\xe3\x80\x82"}) {
    EXPECT_EQ(same_origin_path(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(same_origin_path(std::string_view("/a\0b", 4)), std::nullopt);
}

// Open redirects and response splitting through the redirect targets a visitor chooses: ?next= on the login
// page (a link anyone can send) and the `back` field of the server action forms.
class RedirectTest : public PagesTest {
 protected:
  // Encoded variants (as they appear in a query or form) that must never leave the site or reach a header
  // as written.
  static std::vector<std::string> hostile_targets() {
    return {"/%0d%0aX-Injected:%201",  // the confirmed response splitting
            "/%09/evil.example",       // the confirmed open redirect: browsers drop the tab
            "/%0a/evil.example",
            "/%0d/evil.example",
            "//evil.example",
            "%2F%2Fevil.example",
            "/%5Cevil.example",
            "%5C%5Cevil.example",
            "/%5C/evil.example",
            "https://evil.example/",
            "https:evil.example",
            "http%3A%2F%2Fevil.example",
            "evil.example",
            "javascript:alert(1)",
            "%20//evil.example",
            "/%00/evil.example",
            "/%7F/evil.example",
            "/%E3%80%82/evil",
            "/ok%0d%0aSet-Cookie:%20l4d2_session=x"};
  }
};

TEST_F(RedirectTest, LoginNextCannotInjectAHeader) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  std::string cookie = "l4d2_session=" + ann.cookies()["l4d2_session"];
  HttpReply reply = testing::http_request(port_, "GET", "/login?next=/%0d%0aX-Injected:%201", "", {{"Cookie", cookie}});
  EXPECT_EQ(reply.status, 303);
  EXPECT_EQ(reply.header("x-injected"), "");
  EXPECT_EQ(reply.header("location"), "/");
}

TEST_F(RedirectTest, LoginNextNeverLeavesTheSite) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  std::string cookie = "l4d2_session=" + ann.cookies()["l4d2_session"];
  for (const std::string& next : hostile_targets()) {
    // Already logged in: GET /login goes straight to next.
    HttpReply reply = testing::http_request(port_, "GET", "/login?next=" + next, "", {{"Cookie", cookie}});
    EXPECT_EQ(reply.status, 303) << next;
    EXPECT_EQ(reply.header("location"), "/") << next;
    EXPECT_EQ(reply.header("x-injected"), "") << next;
    // Logging in: the form's next decides where the browser goes afterwards.
    Browser visitor(port_);
    HttpReply page = visitor.get("/login?next=" + next);
    EXPECT_EQ(page.status, 200) << next;
    EXPECT_NE(page.body.find("name=\"next\" value=\"/\""), std::string::npos) << next;
    HttpReply login = post_form(
        visitor, "/login",
        "csrf_token=" + visitor.cookies()["l4d2_csrf"] + "&name=ann&password=password-ann&next=" + next, false);
    EXPECT_EQ(login.status, 303) << next << ": " << login.body;
    EXPECT_EQ(login.header("location"), "/") << next;
    EXPECT_EQ(login.header("x-injected"), "") << next;
  }
  // A path of the site goes through unchanged, query and all.
  HttpReply local = testing::http_request(port_, "GET", "/login?next=%2Fservers%2F3%3Fnotice%3Dserver_created", "",
                                          {{"Cookie", cookie}});
  EXPECT_EQ(local.header("location"), "/servers/3?notice=server_created");
}

TEST_F(RedirectTest, ServerActionBackNeverLeavesTheSite) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  std::int64_t id = make_server(ann, "alpha");
  ASSERT_GT(id, 0);
  std::string own_page = "/servers/" + std::to_string(id);
  for (const std::string& back : hostile_targets()) {
    HttpReply reply = post_form(ann, own_page + "/stop", "back=" + back);
    EXPECT_EQ(reply.status, 303) << back << ": " << reply.body;
    EXPECT_EQ(reply.header("location"), own_page) << back;
    EXPECT_EQ(reply.header("x-injected"), "") << back;
  }
  EXPECT_EQ(post_form(ann, own_page + "/stop", "back=%2F").header("location"), "/");
}

TEST_F(PagesTest, StaticFilesAreImmutableAndVersioned) {
  start();
  Browser browser(port_);
  HttpReply css = browser.get(static_url("app.css"));
  EXPECT_EQ(css.status, 200);
  EXPECT_EQ(css.header("content-type"), "text/css; charset=utf-8");
  EXPECT_EQ(css.header("cache-control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(browser.get("/static/000000000000/app.css").status, 404);
  EXPECT_EQ(browser.get("/static/" + std::string(find_embedded("static/app.css")->version) + "/nope.js").status, 404);
}

TEST_F(PagesTest, AnonymousPagesRedirectToLoginAndUnknownPagesAreFriendly) {
  start();
  Browser browser(port_);
  HttpReply home = browser.get("/");
  EXPECT_EQ(home.status, 303);
  EXPECT_EQ(home.header("location"), "/login?next=%2F");
  HttpReply login = browser.get("/login");
  EXPECT_EQ(login.status, 200);
  EXPECT_NE(login.body.find("<h1>Log in</h1>"), std::string::npos);
  EXPECT_NE(login.header("content-security-policy").find("script-src 'self'"), std::string::npos);
  HttpReply missing = browser.get("/no/such/page");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(missing.body.find("Page not found"), std::string::npos);
  // The API keeps its JSON errors.
  EXPECT_EQ(browser.get("/api/v1/nothing").header("content-type"), "application/json");
}

TEST_F(PagesTest, FormPostWithoutCsrfIsAFriendly403) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  HttpReply reply = post_form(ann, "/blueprints", "name=x", false);
  EXPECT_EQ(reply.status, 403);
  EXPECT_NE(reply.body.find("This form has expired"), std::string::npos);
}

TEST_F(PagesTest, BlueprintFormShowsFieldErrorsAndKeepsValuesAsText) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  HttpReply invalid = post_form(ann, "/blueprints",
                                "name=%3Cscript%3Ealert(1)%3C%2Fscript%3E&map=c1m1_hotel&mode=coop&max_players=99"
                                "&cvar_key=sv_tags&cvar_value=say+%22hi%22&op=save");
  EXPECT_EQ(invalid.status, 422);
  EXPECT_NE(invalid.body.find("id=\"bp-max-players-error\" class=\"field-error\">99 is outside 1..32"),
            std::string::npos)
      << invalid.body;
  EXPECT_NE(invalid.body.find("id=\"cvar-0-error\""), std::string::npos);
  EXPECT_NE(invalid.body.find("value=\"say &quot;hi&quot;\""), std::string::npos);
  EXPECT_EQ(invalid.body.find("<script>alert(1)"), std::string::npos);

  // A row button re-renders without saving.
  HttpReply moved = post_form(ann, "/blueprints", "name=x&overlay=a&overlay=b&op=down:0");
  EXPECT_EQ(moved.status, 200);
  EXPECT_LT(moved.body.find("value=\"b\""), moved.body.find("value=\"a\""));
  EXPECT_EQ(ann.get("/api/v1/blueprints").json()["blueprints"].size(), 0u);

  HttpReply saved = post_form(ann, "/blueprints", "name=coop&map=c1m1_hotel&mode=coop&max_players=4&op=save");
  EXPECT_EQ(saved.status, 303);
  EXPECT_EQ(saved.header("location").rfind("/blueprints/", 0), 0u);
  nlohmann::json list = ann.get("/api/v1/blueprints").json()["blueprints"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["spec"]["max_players"], 4);
}

// Found by fuzz/form_fuzzer: a form field that is not UTF-8 made nlohmann's dump throw inside the spec check,
// and the page answered 500.
TEST_F(PagesTest, BlueprintFormWithInvalidUtf8IsAFieldErrorNotA500) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  HttpReply reply = post_form(ann, "/blueprints",
                              "name=latin&map=c1m1_hotel&mode=coop&max_players=4&hostname=Caf%E9"
                              "&cvar_key=sv_tags&cvar_value=a%FFb&op=save");
  EXPECT_EQ(reply.status, 422);
  EXPECT_NE(reply.body.find("hostname: is not valid UTF-8"), std::string::npos) << reply.body;
  EXPECT_NE(reply.body.find("cvar sv_tags: is not valid UTF-8"), std::string::npos) << reply.body;
  EXPECT_EQ(ann.get("/api/v1/blueprints").json()["blueprints"].size(), 0u);
}

TEST_F(PagesTest, AnotherUsersObjectsAre404Pages) {
  start();
  create_user("ann", Role::kUser);
  create_user("bob", Role::kUser);
  Browser ann = logged_in("ann");
  ASSERT_EQ(post_form(ann, "/blueprints", "name=mine&map=c1m1_hotel&mode=coop&max_players=4&op=save").status, 303);
  std::int64_t blueprint = ann.get("/api/v1/blueprints").json()["blueprints"][0]["id"];
  HttpReply created = post_form(ann, "/servers", "name=alpha&blueprint_id=" + std::to_string(blueprint));
  ASSERT_EQ(created.status, 303) << created.body;
  std::int64_t server = ann.get("/api/v1/servers").json()["servers"][0]["id"];

  Browser bob = logged_in("bob");
  for (const std::string& path :
       {"/servers/" + std::to_string(server), "/servers/" + std::to_string(server) + "/status",
        "/servers/" + std::to_string(server) + "/console", "/blueprints/" + std::to_string(blueprint)}) {
    HttpReply reply = bob.get(path);
    EXPECT_EQ(reply.status, 404) << path;
    EXPECT_NE(reply.body.find("Page not found"), std::string::npos) << path;
  }
  EXPECT_EQ(post_form(bob, "/servers/" + std::to_string(server) + "/start", "").status, 404);
  EXPECT_EQ(bob.get("/").body.find("alpha"), std::string::npos);
  EXPECT_NE(ann.get("/").body.find(">alpha</a>"), std::string::npos);
  EXPECT_EQ(bob.get("/admin").status, 403);
}

TEST_F(PagesTest, DeletingAUsedBlueprintListsItsServers) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  ASSERT_EQ(post_form(ann, "/blueprints", "name=mine&map=c1m1_hotel&mode=coop&max_players=4&op=save").status, 303);
  std::int64_t blueprint = ann.get("/api/v1/blueprints").json()["blueprints"][0]["id"];
  ASSERT_EQ(post_form(ann, "/servers", "name=alpha&blueprint_id=" + std::to_string(blueprint)).status, 303);
  HttpReply refused = post_form(ann, "/blueprints/" + std::to_string(blueprint) + "/delete", "");
  EXPECT_EQ(refused.status, 409);
  EXPECT_NE(refused.body.find("id=\"delete-error\""), std::string::npos);
  EXPECT_NE(refused.body.find(">alpha</a>"), std::string::npos);
}

TEST_F(PagesTest, ActionsQueueJobsAndAQueuedJobCanBeCancelled) {
  start({{"JOB_WORKER_ENABLED", "false"}});
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  std::int64_t server = make_server(ann, "alpha");
  std::string base = "/servers/" + std::to_string(server);
  HttpReply row = post_form(ann, base + "/start?view=row", "", true, true);
  EXPECT_EQ(row.status, 200);
  EXPECT_EQ(row.body.rfind("<tr id=\"server-", 0), 0u) << row.body;
  EXPECT_NE(row.body.find("start queued"), std::string::npos);
  EXPECT_NE(ann.get(base + "/status").body.find("start queued"), std::string::npos);
  nlohmann::json jobs = ann.get("/api/v1/jobs?state=queued").json()["jobs"];
  ASSERT_EQ(jobs.size(), 1u);
  std::string job = std::to_string(jobs[0]["id"].get<std::int64_t>());
  EXPECT_NE(ann.get("/jobs").body.find("id=\"cancel-" + job + "\""), std::string::npos);
  HttpReply cancelled = post_form(ann, "/jobs/" + job + "/cancel", "");
  EXPECT_EQ(cancelled.status, 303);
  EXPECT_EQ(ann.get("/api/v1/jobs/" + job).json()["job"]["state"], "cancelled");
  HttpReply again = post_form(ann, "/jobs/" + job + "/cancel", "");
  EXPECT_EQ(again.status, 409);
  EXPECT_NE(again.body.find("no longer queued"), std::string::npos);
}

// The dashboard's rows come from the render cache while nothing they show changes; every change must show.
TEST_F(PagesTest, DashboardRowsFollowEveryChangeAndStayPerUser) {
  start({{"JOB_WORKER_ENABLED", "false"}});
  create_user("ann", Role::kUser);
  create_user("bob", Role::kUser);
  Browser ann = logged_in("ann");
  Browser bob = logged_in("bob");
  std::int64_t server = make_server(ann, "alpha");
  make_server(bob, "bravo");
  std::string first = ann.get("/servers/rows").body;
  EXPECT_EQ(ann.get("/servers/rows").body, first);  // nothing changed: the same text
  EXPECT_NE(first.find(">bp-alpha</a>"), std::string::npos) << first;
  EXPECT_NE(first.find("value=\"" + ann.csrf() + "\""), std::string::npos);

  // Another user's rows: their own servers and their own CSRF token, never ann's.
  std::string bobs = bob.get("/servers/rows").body;
  EXPECT_NE(bobs.find(">bravo</a>"), std::string::npos);
  EXPECT_EQ(bobs.find(">alpha</a>"), std::string::npos);
  EXPECT_EQ(bobs.find(ann.csrf()), std::string::npos);

  // A blueprint renamed (a joined field of the server record).
  std::int64_t blueprint = ann.get("/api/v1/blueprints").json()["blueprints"][0]["id"];
  EXPECT_EQ(ann.request("PUT", "/api/v1/blueprints/" + std::to_string(blueprint), {{"name", "renamed"}}).status, 200);
  std::string renamed = ann.get("/servers/rows").body;
  EXPECT_NE(renamed.find(">renamed</a>"), std::string::npos) << renamed;

  // A queued job (from the jobs table), then cancelled.
  EXPECT_EQ(post_form(ann, "/servers/" + std::to_string(server) + "/start?view=row", "", true, true).status, 200);
  EXPECT_NE(ann.get("/servers/rows").body.find("start queued"), std::string::npos);
  EXPECT_NE(ann.get("/").body.find("start queued"), std::string::npos);
  std::string job = std::to_string(ann.get("/api/v1/jobs?state=queued").json()["jobs"][0]["id"].get<std::int64_t>());
  EXPECT_EQ(post_form(ann, "/jobs/" + job + "/cancel", "").status, 303);
  EXPECT_EQ(ann.get("/servers/rows").body.find("start queued"), std::string::npos);

  // A new session of the same user: its own CSRF token in the forms.
  Browser again = logged_in("ann");
  std::string fresh = again.get("/").body;
  EXPECT_NE(fresh.find("value=\"" + again.csrf() + "\""), std::string::npos);
  EXPECT_EQ(fresh.find("value=\"" + ann.csrf() + "\""), std::string::npos);
}

TEST_F(PagesTest, ChangePasswordAndApiTokens) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  HttpReply wrong = post_form(ann, "/account/password",
                              "current_password=nope&new_password=new-password&confirm_password=new-password");
  EXPECT_EQ(wrong.status, 422);
  EXPECT_NE(wrong.body.find("id=\"current-password-error\""), std::string::npos);
  HttpReply differ = post_form(ann, "/account/password",
                               "current_password=password-ann&new_password=new-password&confirm_password=other-one");
  EXPECT_NE(differ.body.find("id=\"confirm-password-error\""), std::string::npos);
  HttpReply changed =
      post_form(ann, "/account/password",
                "current_password=password-ann&new_password=new-password&confirm_password=new-password");
  EXPECT_EQ(changed.status, 303);
  EXPECT_EQ(changed.header("location"), "/account?notice=password_changed");
  EXPECT_EQ(Browser(port_).login("ann", "new-password").status, 200);

  Browser fresh = Browser(port_);
  ASSERT_EQ(fresh.login("ann", "new-password").status, 200);
  HttpReply token = post_form(fresh, "/account/tokens", "name=ci&read_only=1");
  EXPECT_EQ(token.status, 200);
  const std::string marker = "id=\"new-token\">";
  std::size_t at = token.body.find(marker);
  ASSERT_NE(at, std::string::npos);
  at += marker.size();
  std::string value = token.body.substr(at, token.body.find('<', at) - at);
  Browser script(port_);
  script.set_bearer(value);
  EXPECT_EQ(script.get("/api/v1/servers").status, 200);
  EXPECT_EQ(script.post("/api/v1/blueprints", {{"name", "x"}}).error_code(), "read_only_token");
}

TEST_F(PagesTest, AdminSetsAUsersLimitsAndTheFormsSayWhenOneIsReached) {
  start({{"MAX_SERVERS_PER_USER", "1"}, {"MAX_BLUEPRINTS_PER_USER", "7"}});
  create_user("root", Role::kAdmin);
  create_user("bob", Role::kUser);
  Browser admin = logged_in("root");
  Browser bob = logged_in("bob");
  std::int64_t bob_id = bob.get("/api/v1/session").json()["user"]["id"];
  std::string path = "/admin/users/" + std::to_string(bob_id) + "/limits";
  HttpReply page = admin.get("/admin");
  EXPECT_NE(page.body.find("1 servers, 7 blueprints"), std::string::npos);
  EXPECT_NE(page.body.find("action=\"" + path + "\""), std::string::npos);
  HttpReply bad = post_form(admin, path, "max_servers=lots&max_blueprints=");
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("servers must be a whole number"), std::string::npos);
  EXPECT_EQ(post_form(admin, path, "max_servers=2&max_blueprints=").status, 303);
  nlohmann::json user = bob.get("/api/v1/session").json()["user"];
  EXPECT_EQ(user["max_servers"], 2);
  EXPECT_TRUE(user["max_blueprints"].is_null());
  EXPECT_NE(admin.get("/admin").body.find("2 servers, 7 blueprints"), std::string::npos);
  make_server(bob, "alpha");
  std::string blueprint =
      std::to_string(bob.get("/api/v1/blueprints").json()["blueprints"][0]["id"].get<std::int64_t>());
  EXPECT_EQ(post_form(bob, "/servers", "name=beta&blueprint_id=" + blueprint).status, 303);
  HttpReply refused = post_form(bob, "/servers", "name=gamma&blueprint_id=" + blueprint);
  EXPECT_EQ(refused.status, 409);
  EXPECT_NE(refused.body.find("at most 2 servers"), std::string::npos) << refused.body;
  EXPECT_EQ(post_form(admin, path, "max_servers=&max_blueprints=0").status, 303);
  HttpReply no_blueprint = post_form(bob, "/blueprints", "name=more&map=c1m1_hotel&mode=coop&max_players=4&op=save");
  EXPECT_EQ(no_blueprint.status, 409);
  EXPECT_NE(no_blueprint.body.find("may have no blueprints"), std::string::npos) << no_blueprint.body;
}

TEST_F(PagesTest, AdminCreatesDisablesAndResetsUsers) {
  start();
  create_user("root", Role::kAdmin);
  Browser admin = logged_in("root");
  HttpReply bad = post_form(admin, "/admin/users", "name=bob&password=short");
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("id=\"new-user-password-error\""), std::string::npos);
  EXPECT_NE(bad.body.find("value=\"bob\""), std::string::npos);
  EXPECT_EQ(post_form(admin, "/admin/users", "name=bob&password=bob-password").status, 303);
  std::int64_t bob = 0;
  nlohmann::json users = admin.get("/api/v1/users").json();
  for (const nlohmann::json& user : users["users"]) {
    if (user["name"] == "bob") bob = user["id"];
  }
  ASSERT_GT(bob, 0);
  std::string base = "/admin/users/" + std::to_string(bob);
  EXPECT_EQ(post_form(admin, base + "/disabled", "disabled=1").status, 303);
  EXPECT_EQ(Browser(port_).login("bob", "bob-password").status, 401);
  EXPECT_EQ(post_form(admin, base + "/disabled", "disabled=0").status, 303);
  EXPECT_EQ(post_form(admin, base + "/password", "password=reset-password").status, 303);
  EXPECT_EQ(Browser(port_).login("bob", "bob-password").status, 401);
  EXPECT_EQ(Browser(port_).login("bob", "reset-password").status, 200);
  std::int64_t me = admin.get("/api/v1/session").json()["user"]["id"];
  HttpReply self = post_form(admin, "/admin/users/" + std::to_string(me) + "/disabled", "disabled=1");
  EXPECT_EQ(self.status, 422);
}

// Instances the panel did not make are listed on the admin page only, and adopted from there explicitly.
TEST_F(PagesTest, AdminPageListsAndAdoptsInstancesThePanelDoesNotManage) {
  write_fake("first.spec", "port: 27015\n");  // made with the CLI, before the web app starts
  write_fake("first.state", "running\n");
  start();
  create_user("root", Role::kAdmin);
  create_user("ann", Role::kUser);
  Browser admin = logged_in("root");
  Browser ann = logged_in("ann");
  ASSERT_EQ(post_form(ann, "/blueprints", "name=coop&map=c1m1_hotel&mode=coop&max_players=4&op=save").status, 303);
  std::int64_t blueprint = ann.get("/api/v1/blueprints").json()["blueprints"][0]["id"];
  EXPECT_EQ(ann.get("/").body.find("first"), std::string::npos);
  EXPECT_EQ(admin.get("/").body.find("first"), std::string::npos);  // admins' dashboard: records only

  std::string page = admin.get("/admin").body;
  EXPECT_NE(page.find("id=\"instance-first\""), std::string::npos) << page;
  EXPECT_NE(page.find("re-initializes it from that blueprint at its next start"), std::string::npos);
  EXPECT_NE(page.find(">ann: coop</option>"), std::string::npos) << page;

  HttpReply bad =
      post_form(admin, "/admin/adopt", "instance=first&name=Bad+Name&blueprint_id=" + std::to_string(blueprint));
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("id=\"adopt-error-first\""), std::string::npos) << bad.body;
  EXPECT_NE(bad.body.find("value=\"Bad Name\""), std::string::npos);
  HttpReply ghost =
      post_form(admin, "/admin/adopt", "instance=ghost&name=ghost&blueprint_id=" + std::to_string(blueprint));
  EXPECT_EQ(ghost.status, 422);
  EXPECT_NE(ghost.body.find("the host has no instance"), std::string::npos) << ghost.body;

  HttpReply adopted =
      post_form(admin, "/admin/adopt", "instance=first&name=cli-first&blueprint_id=" + std::to_string(blueprint));
  ASSERT_EQ(adopted.status, 303) << adopted.body;
  EXPECT_NE(adopted.header("location").find("notice=server_adopted"), std::string::npos);
  nlohmann::json servers = ann.get("/api/v1/servers").json()["servers"];
  ASSERT_EQ(servers.size(), 1u);
  EXPECT_EQ(servers[0]["name"], "cli-first");
  EXPECT_EQ(servers[0]["instance"], "first");
  EXPECT_EQ(servers[0]["state"], "running");
  EXPECT_NE(ann.get("/").body.find(">cli-first</a>"), std::string::npos);
  EXPECT_EQ(admin.get("/admin").body.find("id=\"instance-first\""), std::string::npos);
}

}  // namespace
}  // namespace left4me::web
