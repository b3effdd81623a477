// Two-factor sign-in over real HTTP in-process, pages and API: setting it up from the account page (the secret read
// from the page, as a person types it into an app), the second step of a login (wrong, replayed and other users'
// codes, expired and unknown pending logins, throttling), recovery codes once each, turning it off, API tokens
// unaffected, the administrators' requirement, an administrator's reset, and the audit log.
#include <gtest/gtest.h>

#include <ctime>

#include "auth/totp.h"
#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

class TwoFactorPagesTest : public testing::WebFixture {
 protected:
  // The text between `marker` and the next '<' in body, or "".
  static std::string text_after(const std::string& body, const std::string& marker) {
    std::size_t at = body.find(marker);
    if (at == std::string::npos) return "";
    at += marker.size();
    return body.substr(at, body.find('<', at) - at);
  }
  // The value a Set-Cookie header of the reply gives cookie `name`, or "".
  static std::string set_cookie(const HttpReply& reply, const std::string& name) {
    auto range = reply.headers.equal_range("set-cookie");
    for (auto it = range.first; it != range.second; ++it) {
      if (it->second.rfind(name + "=", 0) != 0) continue;
      return it->second.substr(name.size() + 1, it->second.find(';') - name.size() - 1);
    }
    return "";
  }
  static std::vector<std::string> recovery_codes_of(const std::string& body) {
    std::vector<std::string> codes;
    std::size_t list = body.find("id=\"recovery-codes\"");
    for (std::size_t at = body.find("<li><code>", list); list != std::string::npos && at != std::string::npos;
         at = body.find("<li><code>", at + 1)) {
      codes.push_back(text_after(body.substr(at), "<li><code>"));
    }
    return codes;
  }

  // Sets up two-factor for the browser's user through the account page; returns the secret (raw) and keeps the
  // recovery codes shown.
  std::string set_up(Browser& browser) {
    EXPECT_EQ(post_form(browser, "/account/two-factor/setup", "").status, 303);
    HttpReply page = browser.get("/account/two-factor");
    EXPECT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("src=\"data:image/svg+xml;base64,"), std::string::npos);
    std::string typed = text_after(page.body, "id=\"two-factor-secret\">");
    std::erase(typed, ' ');
    Result<std::string> secret = auth::totp_secret_from_base32(typed);
    EXPECT_OK(secret);
    HttpReply done =
        post_form(browser, "/account/two-factor/confirm", "code=" + auth::totp_code(*secret, std::time(nullptr)));
    EXPECT_EQ(done.status, 200) << done.body;
    recovery_codes_ = recovery_codes_of(done.body);
    EXPECT_EQ(recovery_codes_.size(), 10u);
    return *secret;
  }
  // A code of the next step: the set-up used the current one (a code works once), and one step ahead is accepted.
  static std::string next_code(const std::string& secret) {
    return auth::totp_code(secret, std::time(nullptr) + auth::kTotpStepSeconds);
  }
  // The first step through the API: the pending login's token ("" unless the answer asks for a code).
  std::string api_password_step(Browser& browser, const std::string& name) {
    browser.get("/api/v1/csrf");
    HttpReply reply = browser.post("/api/v1/session", {{"name", name}, {"password", "password-" + name}});
    EXPECT_EQ(reply.status, 202) << reply.body;
    EXPECT_EQ(reply.header("set-cookie").find("l4d2_session"), std::string::npos);
    EXPECT_EQ(reply.json().value("second_factor_required", false), true);
    return reply.json().value("pending_login", "");
  }
  HttpReply api_code_step(Browser& browser, const std::string& pending, const std::string& code) {
    return browser.post("/api/v1/session/code", {{"pending_login", pending}, {"code", code}});
  }
  std::vector<std::string> audit_actions() {
    std::vector<std::string> actions;
    Result<AuditPage> page = app_->audit->list(0, 100);
    EXPECT_OK(page);
    for (const AuditEntry& entry : page->entries) actions.push_back(entry.action);
    return actions;
  }
  std::int64_t id_of(Browser browser) { return browser.get("/api/v1/session").json()["user"]["id"]; }

  std::vector<std::string> recovery_codes_;
};

TEST_F(TwoFactorPagesTest, SetUpFromTheAccountPageThenLogInWithACode) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  EXPECT_NE(ann.get("/account").body.find("Set up two-factor sign-in"), std::string::npos);
  // A wrong first code leaves it off.
  ASSERT_EQ(post_form(ann, "/account/two-factor/setup", "").status, 303);
  EXPECT_EQ(post_form(ann, "/account/two-factor/confirm", "code=000000").status, 422);
  HttpReply malformed = post_form(ann, "/account/two-factor/confirm", "code=12ab");
  EXPECT_EQ(malformed.status, 422);
  EXPECT_NE(malformed.body.find("id=\"setup-code-error\""), std::string::npos);
  EXPECT_FALSE(ann.get("/api/v1/session").json()["user"]["two_factor"].get<bool>());
  std::string secret = set_up(ann);
  EXPECT_TRUE(ann.get("/api/v1/session").json()["user"]["two_factor"].get<bool>());
  // The codes are shown once: the page does not show them again.
  EXPECT_EQ(ann.get("/account/two-factor").body.find("id=\"recovery-codes\""), std::string::npos);
  EXPECT_EQ(post_form(ann, "/account/two-factor/setup", "").status, 409);
  EXPECT_EQ(audit_actions(), std::vector<std::string>{std::string(audit::kTwoFactorEnabled)});

  // The password alone is no session: the code page waits, with a pending login cookie for /login only.
  Browser visitor(port_);
  visitor.get("/login");
  std::string csrf = "csrf_token=" + visitor.cookies()["l4d2_csrf"];
  HttpReply first = post_form(visitor, "/login", csrf + "&name=ann&password=password-ann&next=/jobs", false);
  ASSERT_EQ(first.status, 303);
  EXPECT_EQ(first.header("location"), "/login/code?next=%2Fjobs");
  EXPECT_NE(first.header("set-cookie").find("Path=/login;"), std::string::npos);
  EXPECT_EQ(set_cookie(first, "l4d2_session"), "");
  visitor.cookies()["l4d2_pending_login"] = set_cookie(first, "l4d2_pending_login");
  ASSERT_FALSE(visitor.cookies()["l4d2_pending_login"].empty());
  EXPECT_EQ(visitor.get("/").status, 303);  // not signed in
  HttpReply code_page = visitor.get("/login/code?next=/jobs");
  EXPECT_EQ(code_page.status, 200);
  EXPECT_NE(code_page.body.find("id=\"login-code\""), std::string::npos);
  csrf = "csrf_token=" + visitor.cookies()["l4d2_csrf"];  // the page's own pre-login token
  HttpReply bad = post_form(visitor, "/login/code", csrf + "&code=000000&next=/jobs", false);
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(set_cookie(bad, "l4d2_session"), "");
  HttpReply good = post_form(visitor, "/login/code", csrf + "&code=" + next_code(secret) + "&next=/jobs", false);
  ASSERT_EQ(good.status, 303) << good.body;
  EXPECT_EQ(good.header("location"), "/jobs");
  EXPECT_FALSE(set_cookie(good, "l4d2_session").empty());
  // Used up: the pending login is gone.
  HttpReply again = post_form(visitor, "/login/code", csrf + "&code=000000", false);
  EXPECT_EQ(again.status, 401);
  EXPECT_NE(again.body.find("Log in again"), std::string::npos);
}

TEST_F(TwoFactorPagesTest, AReplayedCodeIsRefused) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  std::string secret = set_up(ann);
  std::string code = next_code(secret);
  Browser first(port_);
  EXPECT_EQ(api_code_step(first, api_password_step(first, "ann"), code).status, 200);
  Browser second(port_);
  HttpReply replay = api_code_step(second, api_password_step(second, "ann"), code);
  EXPECT_EQ(replay.status, 401);
  EXPECT_EQ(replay.error_code(), "bad_code");
  // So is the set-up's own code, an older step.
  EXPECT_EQ(
      api_code_step(second, api_password_step(second, "ann"), auth::totp_code(secret, std::time(nullptr) - 30)).status,
      401);
}

TEST_F(TwoFactorPagesTest, RecoveryCodesWorkOnceEachAndAreAudited) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  set_up(ann);
  Browser phone_lost(port_);
  HttpReply used = api_code_step(phone_lost, api_password_step(phone_lost, "ann"), recovery_codes_[3]);
  ASSERT_EQ(used.status, 200) << used.body;
  EXPECT_EQ(used.json()["user"]["name"], "ann");
  EXPECT_EQ(phone_lost.get("/api/v1/session").status, 200);
  Browser again(port_);
  EXPECT_EQ(api_code_step(again, api_password_step(again, "ann"), recovery_codes_[3]).error_code(), "bad_code");
  EXPECT_EQ(api_code_step(again, api_password_step(again, "ann"), recovery_codes_[4]).status, 200);
  std::vector<std::string> actions = audit_actions();
  EXPECT_EQ(std::count(actions.begin(), actions.end(), audit::kRecoveryCodeUsed), 2);
  EXPECT_EQ(app_->audit->list(0, 1)->entries[0].detail, "8 left");
}

TEST_F(TwoFactorPagesTest, ExpiredUnknownAndOtherUsersPendingLoginsAreRefused) {
  start();
  create_user("ann", Role::kUser);
  create_user("bob", Role::kUser);
  Browser ann = logged_in("ann");
  Browser bob = logged_in("bob");
  std::string ann_secret = set_up(ann);
  std::string bob_secret = set_up(bob);
  Browser visitor(port_);
  std::string pending = api_password_step(visitor, "ann");
  // Bob's code does not finish Ann's sign-in, nor her code his.
  EXPECT_EQ(api_code_step(visitor, pending, next_code(bob_secret)).error_code(), "bad_code");
  std::string bobs = api_password_step(visitor, "bob");
  EXPECT_EQ(api_code_step(visitor, bobs, next_code(ann_secret)).error_code(), "bad_code");
  EXPECT_EQ(api_code_step(visitor, "not-a-pending-login", next_code(ann_secret)).error_code(), "pending_login_expired");
  EXPECT_EQ(api_code_step(visitor, "", next_code(ann_secret)).error_code(), "pending_login_expired");
  // Five minutes pass.
  {
    Database::Lock lock(*app_->database);
    ASSERT_OK(lock.exec("UPDATE pending_logins SET expires_at = 0"));
  }
  HttpReply expired = api_code_step(visitor, pending, next_code(ann_secret));
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(expired.error_code(), "pending_login_expired");
  // The code was never used: a fresh sign-in takes it.
  EXPECT_EQ(api_code_step(visitor, api_password_step(visitor, "ann"), next_code(ann_secret)).status, 200);
}

TEST_F(TwoFactorPagesTest, WrongCodesCountOnTheLoginThrottle) {
  start({{"LOGIN_FAILURES_PER_ACCOUNT", "3"}});
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  std::string secret = set_up(ann);
  Browser guesser(port_);
  std::string pending = api_password_step(guesser, "ann");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(api_code_step(guesser, pending, "00000" + std::to_string(i)).status, 401);
  HttpReply throttled = api_code_step(guesser, pending, next_code(secret));
  EXPECT_EQ(throttled.status, 429);
  EXPECT_EQ(throttled.error_code(), "throttled");
  // The password step of that account from that address is throttled too; another address is not.
  EXPECT_EQ(guesser.post("/api/v1/session", {{"name", "ann"}, {"password", "password-ann"}}).status, 429);
  Browser elsewhere(port_);
  elsewhere.set_source_address("127.0.0.2");
  EXPECT_EQ(api_code_step(elsewhere, api_password_step(elsewhere, "ann"), next_code(secret)).status, 200);
}

TEST_F(TwoFactorPagesTest, ApiTokensAreUnaffected) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  HttpReply before = ann.post("/api/v1/tokens", {{"name", "before"}});
  ASSERT_EQ(before.status, 201);
  set_up(ann);
  HttpReply after = ann.post("/api/v1/tokens", {{"name", "after"}});
  ASSERT_EQ(after.status, 201);
  for (const HttpReply& token : {before, after}) {
    Browser script(port_);
    script.set_bearer(token.json()["token"]);
    HttpReply session = script.get("/api/v1/session");
    EXPECT_EQ(session.status, 200);
    EXPECT_TRUE(session.json()["user"]["two_factor"].get<bool>());
    std::string name = "by-" + token.json()["name"].get<std::string>();
    EXPECT_EQ(script.post("/api/v1/blueprints", {{"name", name}, {"spec", spec()}}).status, 201);
  }
}

TEST_F(TwoFactorPagesTest, TurningOffNeedsThePasswordAndACode) {
  start();
  create_user("ann", Role::kUser);
  Browser ann = logged_in("ann");
  std::string secret = set_up(ann);
  HttpReply no_password = post_form(ann, "/account/two-factor/disable", "password=nope&code=" + next_code(secret));
  EXPECT_EQ(no_password.status, 422);
  EXPECT_NE(no_password.body.find("id=\"off-password-error\""), std::string::npos);
  HttpReply no_code = post_form(ann, "/account/two-factor/disable", "password=password-ann&code=000000");
  EXPECT_EQ(no_code.status, 422);
  EXPECT_NE(no_code.body.find("id=\"off-code-error\""), std::string::npos);
  // New recovery codes need a code too; the old ones stop working.
  EXPECT_EQ(post_form(ann, "/account/two-factor/recovery-codes", "code=000000").status, 422);
  std::vector<std::string> old = recovery_codes_;
  HttpReply renewed = post_form(ann, "/account/two-factor/recovery-codes", "code=" + old[0]);
  ASSERT_EQ(renewed.status, 200);
  std::vector<std::string> fresh = recovery_codes_of(renewed.body);
  ASSERT_EQ(fresh.size(), 10u);
  EXPECT_EQ(post_form(ann, "/account/two-factor/disable", "password=password-ann&code=" + old[1]).status, 422);
  HttpReply off = post_form(ann, "/account/two-factor/disable", "password=password-ann&code=" + fresh[0]);
  EXPECT_EQ(off.status, 303);
  EXPECT_FALSE(ann.get("/api/v1/session").json()["user"]["two_factor"].get<bool>());
  EXPECT_EQ(Browser(port_).login("ann", "password-ann").status, 200);
  std::vector<std::string> actions = audit_actions();  // newest first
  ASSERT_EQ(actions.size(), 3u);
  EXPECT_EQ(actions[0], audit::kTwoFactorDisabled);
  EXPECT_EQ(actions[1], audit::kRecoveryCodesRegenerated);
  EXPECT_EQ(actions[2], audit::kTwoFactorEnabled);
}

TEST_F(TwoFactorPagesTest, AdministratorsCanBeRequiredToUseIt) {
  start();
  create_user("root", Role::kAdmin);
  create_user("ops", Role::kAdmin);
  create_user("ann", Role::kUser);
  Browser root = logged_in("root");
  HttpReply token = root.post("/api/v1/tokens", {{"name", "script"}});
  ASSERT_EQ(token.status, 201);
  // Only an administrator who uses it may require it.
  EXPECT_EQ(post_form(root, "/admin/settings/two-factor", "required=1").status, 409);
  set_up(root);
  ASSERT_EQ(post_form(root, "/admin/settings/two-factor", "required=1").status, 303);
  EXPECT_NE(root.get("/admin").body.find("id=\"require-admin-two-factor\" name=\"required\" value=\"1\" checked"),
            std::string::npos);
  EXPECT_EQ(audit_actions().front(), audit::kAdminTwoFactorRequired);
  // An administrator without it is sent to set it up, and can do nothing else (the API says why).
  Browser ops = logged_in("ops");
  HttpReply dashboard = ops.get("/");
  EXPECT_EQ(dashboard.status, 303);
  EXPECT_EQ(dashboard.header("location"), "/account/two-factor");
  EXPECT_EQ(ops.get("/admin").status, 303);
  HttpReply api = ops.get("/api/v1/servers");
  EXPECT_EQ(api.status, 403);
  EXPECT_EQ(api.error_code(), "two_factor_required");
  EXPECT_EQ(ops.get("/api/v1/session").status, 200);
  // Users are not affected, nor administrators' API tokens.
  EXPECT_EQ(logged_in("ann").get("/").status, 200);
  Browser script(port_);
  script.set_bearer(token.json()["token"]);
  EXPECT_EQ(script.get("/api/v1/users").status, 200);
  set_up(ops);
  EXPECT_EQ(ops.get("/").status, 200);
  EXPECT_EQ(ops.get("/admin").status, 200);
  ASSERT_EQ(post_form(root, "/admin/settings/two-factor", "").status, 303);
  EXPECT_EQ(root.get("/").status, 200);
}

TEST_F(TwoFactorPagesTest, AnAdministratorResetsAUsersTwoFactor) {
  start();
  create_user("root", Role::kAdmin);
  create_user("ann", Role::kUser);
  create_user("bob", Role::kUser);
  Browser root = logged_in("root");
  Browser ann = logged_in("ann");
  set_up(ann);
  std::string ann_id = std::to_string(id_of(ann));
  std::string bob_id = std::to_string(id_of(logged_in("bob")));
  EXPECT_NE(root.get("/admin").body.find("Reset two-factor sign-in of ann"), std::string::npos);
  HttpReply not_on = post_form(root, "/admin/users/" + bob_id + "/two-factor/reset", "");
  EXPECT_EQ(not_on.status, 409);
  EXPECT_EQ(post_form(root, "/admin/users/999/two-factor/reset", "").status, 404);
  HttpReply reset = post_form(root, "/admin/users/" + ann_id + "/two-factor/reset", "");
  EXPECT_EQ(reset.status, 303);
  EXPECT_EQ(Browser(port_).login("ann", "password-ann").status, 200);
  Result<AuditPage> page = app_->audit->list(0, 1);
  ASSERT_EQ(page->entries.size(), 1u);
  EXPECT_EQ(page->entries[0].action, audit::kTwoFactorReset);
  EXPECT_EQ(page->entries[0].actor.name, "root");
  EXPECT_EQ(page->entries[0].target, "user ann");
  // The API's reset.
  set_up(ann);
  EXPECT_EQ(root.request("DELETE", "/api/v1/users/" + bob_id + "/two-factor").status, 409);
  EXPECT_EQ(root.request("DELETE", "/api/v1/users/" + ann_id + "/two-factor").status, 200);
  EXPECT_EQ(Browser(port_).login("ann", "password-ann").status, 200);
}

TEST_F(TwoFactorPagesTest, TheAuditPageListsNewestFirstInPages) {
  start();
  create_user("root", Role::kAdmin);
  Browser root = logged_in("root");
  for (int i = 0; i < 55; ++i) {
    ASSERT_OK(app_->audit->record({std::nullopt, "someone"}, audit::kTwoFactorReset, "user u" + std::to_string(i)));
  }
  HttpReply first = root.get("/admin/audit");
  ASSERT_EQ(first.status, 200);
  EXPECT_LT(first.body.find("user u54"), first.body.find("user u53"));
  EXPECT_EQ(first.body.find("user u4<"), std::string::npos);
  EXPECT_NE(first.body.find("href=\"/admin/audit?page=1\""), std::string::npos);
  HttpReply second = root.get("/admin/audit?page=1");
  EXPECT_NE(second.body.find("user u4<"), std::string::npos);
  EXPECT_NE(second.body.find("href=\"/admin/audit?page=0\""), std::string::npos);
  EXPECT_EQ(root.get("/admin/audit?page=x").status, 422);
  EXPECT_EQ(root.get("/admin/audit?page=-1").status, 422);
}

}  // namespace
}  // namespace left4me::web
