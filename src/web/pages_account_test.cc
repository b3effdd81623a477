// The account pages over real HTTP in-process: where the login page sends a browser (never off the site, never a
// header of the visitor's making), changing the password and making API tokens.
#include <gtest/gtest.h>

#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

class AccountPagesTest : public testing::WebFixture {};

TEST_F(AccountPagesTest, LoginNextCannotInjectAHeader) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  std::string cookie = "l4d2_session=" + ann.cookies()["l4d2_session"];
  HttpReply reply = testing::http_request(port_, "GET", "/login?next=/%0d%0aX-Injected:%201", "", {{"Cookie", cookie}});
  EXPECT_EQ(reply.status, 303);
  EXPECT_EQ(reply.header("x-injected"), "");
  EXPECT_EQ(reply.header("location"), "/");
}

TEST_F(AccountPagesTest, LoginNextNeverLeavesTheSite) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  std::string cookie = "l4d2_session=" + ann.cookies()["l4d2_session"];
  for (const std::string& next : testing::hostile_redirect_targets()) {
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
  HttpReply local =
      testing::http_request(port_, "GET", "/login?next=%2Fjobs%3Fstate%3Dfailed", "", {{"Cookie", cookie}});
  EXPECT_EQ(local.header("location"), "/jobs?state=failed");
}

TEST_F(AccountPagesTest, ChangePasswordAndApiTokens) {
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
  EXPECT_EQ(changed.header("location"), "/account");  // the notice goes in the one-time cookie
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

}  // namespace
}  // namespace left4me::web
