// The pages' shared parts over real HTTP in-process: versioned immutable static files, the login page for
// anonymous visitors, friendly error pages (the page error hook), and the escaped live-log stream.
#include <gtest/gtest.h>

#include "web/assets.h"
#include "web/pages.h"
#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

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

class CommonPagesTest : public testing::WebFixture {};

TEST_F(CommonPagesTest, StaticFilesAreImmutableAndVersioned) {
  start();
  Browser browser(port_);
  HttpReply css = browser.get(static_url("app.css"));
  EXPECT_EQ(css.status, 200);
  EXPECT_EQ(css.header("content-type"), "text/css; charset=utf-8");
  EXPECT_EQ(css.header("cache-control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(browser.get("/static/000000000000/app.css").status, 404);
  EXPECT_EQ(browser.get("/static/" + std::string(find_embedded("static/app.css")->version) + "/nope.js").status, 404);
}

TEST_F(CommonPagesTest, AnonymousPagesRedirectToLoginAndUnknownPagesAreFriendly) {
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

TEST_F(CommonPagesTest, FormPostWithoutCsrfIsAFriendly403) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  HttpReply reply = post_form(ann, "/blueprints", "name=x", false);
  EXPECT_EQ(reply.status, 403);
  EXPECT_NE(reply.body.find("This form has expired"), std::string::npos);
}

// Issue 13, bug 8: every page's /favicon.ico was a 404 in the browser's console.
TEST_F(CommonPagesTest, TheFaviconIsServed) {
  start();
  Browser browser(port_);
  HttpReply icon = browser.get("/favicon.ico");
  EXPECT_EQ(icon.status, 200);
  EXPECT_EQ(icon.header("content-type"), "image/x-icon");
  EXPECT_EQ(icon.body.substr(0, 4), std::string("\0\0\1\0", 4));  // an ICO header
  EXPECT_NE(browser.get("/login").body.find("<link rel=\"icon\" href=\"" + static_url("favicon.ico") + "\">"),
            std::string::npos);
  EXPECT_EQ(browser.get(static_url("favicon.ico")).body, icon.body);
}

// Issue 13, bug 8: the 404 page of a signed-in user offered "Log in" and had no navigation.
TEST_F(CommonPagesTest, ASignedInUsersErrorPageHasTheNavigation) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  HttpReply missing = ann.get("/servers/999");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("<nav aria-label=\"Main\">"), std::string::npos) << missing.body;
  EXPECT_NE(missing.body.find("<span class=\"who\">ann</span>"), std::string::npos);
  EXPECT_EQ(missing.body.find("href=\"/login\""), std::string::npos) << missing.body;
  HttpReply unknown = ann.get("/no/such/page");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(unknown.body.find("<nav aria-label=\"Main\">"), std::string::npos) << unknown.body;

  Browser stranger(port_);
  HttpReply anonymous = stranger.get("/no/such/page");
  EXPECT_EQ(anonymous.status, 404);
  EXPECT_EQ(anonymous.body.find("<nav aria-label=\"Main\">"), std::string::npos);
  EXPECT_NE(anonymous.body.find("href=\"/login\""), std::string::npos);
}

// Issue 13, bug 8: a notice came from ?notice= in the URL, so reloading the page showed it again. It is now a
// one-time cookie: the page after the redirect shows it and clears it.
TEST_F(CommonPagesTest, ANoticeIsShownOnce) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  HttpReply created = post_form(ann, "/blueprints", "name=base&map=c1m1_hotel&mode=coop&max_players=4&op=save");
  ASSERT_EQ(created.status, 303) << created.body;
  std::string location = created.header("location");
  EXPECT_EQ(location.find("notice"), std::string::npos) << location;
  EXPECT_EQ(created.header("set-cookie"), "l4d2_notice=blueprint_created; Path=/; Max-Age=60; HttpOnly; SameSite=Lax");
  ann.cookies()["l4d2_notice"] = "blueprint_created";
  HttpReply shown = ann.get(location);
  EXPECT_NE(shown.body.find("The blueprint was created."), std::string::npos) << shown.body;
  EXPECT_EQ(shown.header("set-cookie"), "l4d2_notice=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
  HttpReply reloaded = ann.get(location);  // the browser dropped the cookie
  EXPECT_EQ(reloaded.body.find("The blueprint was created."), std::string::npos);
  // A notice in the address shows nothing, and a cookie with anything but a known key neither.
  EXPECT_EQ(ann.get(location + "?notice=blueprint_created").body.find("The blueprint was created."), std::string::npos);
  ann.cookies()["l4d2_notice"] = "%3Cb%3Eforged-notice";
  EXPECT_EQ(ann.get(location).body.find("forged-notice"), std::string::npos);
}

}  // namespace
}  // namespace left4me::web
