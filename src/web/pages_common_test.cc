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

}  // namespace
}  // namespace left4me::web
