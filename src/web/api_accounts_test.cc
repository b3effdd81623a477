// The account routes of the API over real HTTP: the setup link, logins and their throttling, sessions, passwords,
// API tokens and user administration.
#include <gtest/gtest.h>

#include <thread>

#include "web/crypto.h"
#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

class ApiAccountsTest : public testing::WebFixture {};

TEST_F(ApiAccountsTest, SetupLinkIsSingleUse) {
  start();
  Result<std::optional<std::string>> token = app_->ensure_setup_token();
  ASSERT_OK(token);
  ASSERT_TRUE(token->has_value());
  EXPECT_EQ(testing::http_request(port_, "GET", "/setup?token=" + **token).status, 200);
  EXPECT_EQ(testing::http_request(port_, "GET", "/setup?token=wrong").status, 404);
  Browser browser(port_);
  browser.get("/api/v1/csrf");
  HttpReply weak = browser.post("/api/v1/setup", {{"token", **token}, {"name", "root"}, {"password", "short"}});
  EXPECT_EQ(weak.status, 422);
  EXPECT_EQ(weak.json()["error"]["field"], "password");
  HttpReply made = browser.post("/api/v1/setup", {{"token", **token}, {"name", "root"}, {"password", "long-enough"}});
  ASSERT_EQ(made.status, 200) << made.body;
  EXPECT_EQ(made.json()["user"]["admin"], true);
  EXPECT_EQ(browser.get("/api/v1/users").status, 200);  // logged in as the new admin
  Browser other(port_);
  other.get("/api/v1/csrf");
  // Used: the route went with the administrator it made.
  EXPECT_EQ(other.post("/api/v1/setup", {{"token", **token}, {"name", "evil"}, {"password", "long-enough"}}).status,
            404);
  Result<std::optional<std::string>> none = app_->ensure_setup_token();
  EXPECT_FALSE(none->has_value());
}

TEST_F(ApiAccountsTest, LoginNeedsCsrfCookieAndRightPassword) {
  start();
  create_user("alice", Role::kUser);
  Browser browser(port_);
  EXPECT_EQ(browser.post("/api/v1/session", {{"name", "alice"}, {"password", "password-alice"}}).status, 403);
  browser.get("/api/v1/csrf");
  EXPECT_EQ(browser.post("/api/v1/session", {{"name", "alice"}, {"password", "wrong-password"}}).status, 401);
  HttpReply ok = browser.post("/api/v1/session", {{"name", "alice"}, {"password", "password-alice"}});
  ASSERT_EQ(ok.status, 200);
  std::string cookie = ok.header("set-cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos);
  EXPECT_EQ(cookie.find("Secure"), std::string::npos);
  EXPECT_EQ(browser.get("/api/v1/session").json()["user"]["name"], "alice");
}

TEST_F(ApiAccountsTest, LoginThrottledPerAccount) {
  start({{"LOGIN_FAILURES_PER_ACCOUNT", "3"}});
  create_user("alice", Role::kUser);
  Browser browser(port_);
  browser.get("/api/v1/csrf");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(browser.post("/api/v1/session", {{"name", "alice"}, {"password", "nope-nope"}}).status, 401);
  }
  // Even the right password is refused while throttled.
  HttpReply throttled = browser.post("/api/v1/session", {{"name", "alice"}, {"password", "password-alice"}});
  EXPECT_EQ(throttled.status, 429);
  EXPECT_EQ(throttled.error_code(), "throttled");
  EXPECT_FALSE(throttled.header("retry-after").empty());
}

TEST_F(ApiAccountsTest, LoginThrottledPerAddress) {
  start({{"LOGIN_FAILURES_PER_ADDRESS", "4"}});
  create_user("alice", Role::kUser);
  Browser browser(port_);
  browser.get("/api/v1/csrf");
  for (int i = 0; i < 4; ++i) {
    browser.post("/api/v1/session", {{"name", "user" + std::to_string(i)}, {"password", "nope-nope"}});
  }
  EXPECT_EQ(browser.post("/api/v1/session", {{"name", "alice"}, {"password", "password-alice"}}).status, 429);
}

// Login throttling must not let anyone lock others out: failures count per (account, client address) and per
// client address, the client address comes from X-Forwarded-For only through a trusted proxy, and counting is
// atomic with the check.
class LoginThrottleTest : public testing::WebFixture {
 protected:
  // A login attempt through the API; the status.
  static int attempt(Browser& browser, const std::string& name, const std::string& password) {
    return browser.post("/api/v1/session", {{"name", name}, {"password", password}}).status;
  }
  static Browser client(std::uint16_t port, const std::string& source, const std::string& forwarded_for = "") {
    Browser browser(port);
    browser.set_source_address(source);
    if (!forwarded_for.empty()) browser.set_header("X-Forwarded-For", forwarded_for);
    browser.get("/api/v1/csrf");
    return browser;
  }
};

// The confirmed lockout: failures from one address (made-up names, and the admin's own name) made the admin's
// right password answer 429 everywhere.
TEST_F(LoginThrottleTest, FailuresFromOneAddressNeverLockOutAnother) {
  start();
  create_user("root", Role::kAdmin);
  Browser attacker = client(port_, "127.0.0.2");
  for (int i = 0; i < 5; ++i) EXPECT_EQ(attempt(attacker, "root", "wrong-password"), 401);
  for (int i = 0; i < 15; ++i) EXPECT_EQ(attempt(attacker, "made-up-" + std::to_string(i), "wrong-password"), 401);
  EXPECT_EQ(attempt(attacker, "root", "password-root"), 429) << "the attacker's own address stays throttled";
  Browser admin = client(port_, "127.0.0.1");
  EXPECT_EQ(attempt(admin, "root", "password-root"), 200);
  // The login page too.
  Browser page = client(port_, "127.0.0.3");
  HttpReply form = testing::http_request(
      port_, "POST", "/login", "csrf_token=" + page.cookies()["l4d2_csrf"] + "&name=root&password=password-root",
      {{"Cookie", "l4d2_csrf=" + page.cookies()["l4d2_csrf"]}, {"Content-Type", "application/x-www-form-urlencoded"}},
      "127.0.0.3");
  EXPECT_EQ(form.status, 303) << form.body;
}

// Behind the documented reverse proxy every connection comes from the proxy: the client is X-Forwarded-For's
// right-most address that is not a trusted proxy.
TEST_F(LoginThrottleTest, ClientsBehindATrustedProxyAreThrottledApart) {
  start({{"TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8"}});
  create_user("root", Role::kAdmin);
  // The attacker also sends its own X-Forwarded-For; the proxy appends the real address, and a second
  // trusted proxy (10.0.0.5) sits in between.
  for (int i = 0; i < 25; ++i) {
    Browser attacker = client(port_, "127.0.0.1", "192.0.2." + std::to_string(i) + ", 203.0.113.7, 10.0.0.5");
    attempt(attacker, i < 5 ? "root" : "made-up-" + std::to_string(i), "wrong-password");
  }
  Browser attacker = client(port_, "127.0.0.1", "198.51.100.9, 203.0.113.7");
  EXPECT_EQ(attempt(attacker, "root", "password-root"), 429);
  Browser admin = client(port_, "127.0.0.1", "198.51.100.9");
  EXPECT_EQ(attempt(admin, "root", "password-root"), 200);
}

TEST_F(LoginThrottleTest, ForwardedForFromAnUntrustedPeerIsIgnored) {
  start({{"TRUSTED_PROXIES", "10.0.0.1"}, {"LOGIN_FAILURES_PER_ADDRESS", "4"}});
  create_user("root", Role::kAdmin);
  // Each guess claims another client: from an untrusted peer that changes nothing.
  for (int i = 0; i < 4; ++i) {
    Browser guesser = client(port_, "127.0.0.2", "192.0.2." + std::to_string(i));
    EXPECT_EQ(attempt(guesser, "made-up-" + std::to_string(i), "wrong-password"), 401);
  }
  Browser guesser = client(port_, "127.0.0.2", "198.51.100.9");
  EXPECT_EQ(attempt(guesser, "root", "password-root"), 429);
  Browser admin = client(port_, "127.0.0.1");
  EXPECT_EQ(attempt(admin, "root", "password-root"), 200);
}

// Wrong guesses sent at once must not all pass the check while Argon2 runs for each of them.
TEST_F(LoginThrottleTest, ConcurrentGuessesNeverExceedTheLimit) {
  start({{"LOGIN_FAILURES_PER_ACCOUNT", "3"}});
  // The real Argon2 cost, so that guesses overlap for a while.
  ::unsetenv("LEFT4ME_FAST_PASSWORD_HASH");
  create_user("root", Role::kAdmin);
  ::setenv("LEFT4ME_FAST_PASSWORD_HASH", "1", 1);
  constexpr int kGuesses = 12;
  std::vector<Browser> guessers;
  for (int i = 0; i < kGuesses; ++i) guessers.push_back(client(port_, "127.0.0.2"));
  std::vector<std::thread> threads;
  std::vector<int> statuses(kGuesses);
  for (int i = 0; i < kGuesses; ++i) {
    threads.emplace_back(
        [&, i] { statuses[static_cast<std::size_t>(i)] = attempt(guessers[i], "root", "wrong-password"); });
  }
  for (std::thread& thread : threads) thread.join();
  int rejected = 0;
  int throttled = 0;
  for (int status : statuses) {
    rejected += status == 401;
    throttled += status == 429;
  }
  EXPECT_EQ(rejected, 3) << "wrong passwords actually checked";
  EXPECT_EQ(throttled, kGuesses - 3);
}

// A stolen session must not test passwords faster than the login form allows.
TEST_F(LoginThrottleTest, CurrentPasswordGuessesAreThrottledLikeLogins) {
  start({{"LOGIN_FAILURES_PER_ACCOUNT", "3"}});
  create_user("alice", Role::kUser);
  Browser thief = logged_in("alice");
  for (int i = 0; i < 3; ++i) {
    HttpReply wrong =
        thief.request("PUT", "/api/v1/me/password",
                      {{"current_password", "guess-" + std::to_string(i)}, {"new_password", "taken-over"}});
    EXPECT_EQ(wrong.status, 422);
  }
  HttpReply right = thief.request("PUT", "/api/v1/me/password",
                                  {{"current_password", "password-alice"}, {"new_password", "taken-over"}});
  EXPECT_EQ(right.status, 429);
  EXPECT_EQ(right.error_code(), "throttled");
  Browser elsewhere = client(port_, "127.0.0.2");
  EXPECT_EQ(attempt(elsewhere, "alice", "password-alice"), 200);
}

// The one-time setup link: checked before any password is hashed, and gone once an administrator exists.
TEST_F(ApiAccountsTest, SetupLinkIsCheckedBeforeAnyPasswordHashing) {
  start();
  ASSERT_OK(app_->ensure_setup_token());
  Browser browser(port_);
  browser.get("/api/v1/csrf");
  std::string long_password(1024, 'p');
  std::uint64_t before = password_hash_runs();
  HttpReply api = browser.post("/api/v1/setup", {{"token", "wrong"}, {"name", "root"}, {"password", long_password}});
  EXPECT_EQ(api.status, 403) << api.body;
  // The token is the first thing looked at: a bad one is refused before the password is even checked.
  EXPECT_EQ(browser.post("/api/v1/setup", {{"token", "wrong"}, {"name", "root"}, {"password", "short"}}).status, 403);
  HttpReply page = testing::http_request(
      port_, "POST", "/setup",
      "csrf_token=" + browser.cookies()["l4d2_csrf"] + "&token=wrong&name=root&password=" + long_password,
      {{"Cookie", "l4d2_csrf=" + browser.cookies()["l4d2_csrf"]},
       {"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(page.status, 403);
  EXPECT_EQ(password_hash_runs(), before) << "a password was hashed for a wrong setup token";
}

TEST_F(ApiAccountsTest, SetupRouteIsGoneOnceAnAdminExists) {
  start();
  Result<std::optional<std::string>> token = app_->ensure_setup_token();
  ASSERT_OK(token);
  ASSERT_TRUE(token->has_value());
  create_user("root", Role::kAdmin);
  Browser browser(port_);
  browser.get("/api/v1/csrf");
  std::uint64_t before = password_hash_runs();
  EXPECT_EQ(browser.post("/api/v1/setup", {{"token", **token}, {"name", "evil"}, {"password", "long-enough"}}).status,
            404);
  EXPECT_EQ(testing::http_request(port_, "GET", "/setup?token=" + **token).status, 404);
  HttpReply page = testing::http_request(
      port_, "POST", "/setup",
      "csrf_token=" + browser.cookies()["l4d2_csrf"] + "&token=" + **token + "&name=evil&password=long-enough",
      {{"Cookie", "l4d2_csrf=" + browser.cookies()["l4d2_csrf"]},
       {"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(page.status, 404);
  EXPECT_EQ(password_hash_runs(), before);
}

TEST_F(ApiAccountsTest, SessionExpires) {
  start({{"SESSION_LIFETIME_SECONDS", "1"}});
  create_user("alice", Role::kUser);
  Browser browser = logged_in("alice");
  EXPECT_EQ(browser.get("/api/v1/session").status, 200);
  ::sleep(2);
  EXPECT_EQ(browser.get("/api/v1/session").status, 401);
}

TEST_F(ApiAccountsTest, LogoutEndsTheSessionForGood) {
  start();
  create_user("alice", Role::kUser);
  Browser browser = logged_in("alice");
  std::string stolen = browser.cookies()["l4d2_session"];
  ASSERT_EQ(browser.request("DELETE", "/api/v1/session").status, 200);
  Browser replay(port_);
  replay.cookies()["l4d2_session"] = stolen;
  EXPECT_EQ(replay.get("/api/v1/session").status, 401);
}

TEST_F(ApiAccountsTest, PasswordChangeEndsOtherSessions) {
  start();
  create_user("alice", Role::kUser);
  Browser first = logged_in("alice");
  Browser second = logged_in("alice");
  HttpReply wrong = first.request("PUT", "/api/v1/me/password",
                                  {{"current_password", "bad-password"}, {"new_password", "new-password-1"}});
  EXPECT_EQ(wrong.json()["error"]["field"], "current_password");
  ASSERT_EQ(first
                .request("PUT", "/api/v1/me/password",
                         {{"current_password", "password-alice"}, {"new_password", "new-password-1"}})
                .status,
            200);
  EXPECT_EQ(first.get("/api/v1/session").status, 200);
  EXPECT_EQ(second.get("/api/v1/session").status, 401);
}

// A password change is how a user takes an account back: tokens made with the old password must die with it.
TEST_F(ApiAccountsTest, PasswordChangeRevokesApiTokens) {
  start();
  create_user("alice", Role::kUser);
  Browser alice = logged_in("alice");
  HttpReply made = alice.post("/api/v1/tokens", {{"name", "left-behind"}});
  ASSERT_EQ(made.status, 201);
  Browser script(port_);
  script.set_bearer(made.json()["token"]);
  ASSERT_EQ(script.get("/api/v1/servers").status, 200);
  ASSERT_EQ(alice
                .request("PUT", "/api/v1/me/password",
                         {{"current_password", "password-alice"}, {"new_password", "new-password-1"}})
                .status,
            200);
  EXPECT_EQ(script.get("/api/v1/servers").status, 401);
  EXPECT_TRUE(alice.get("/api/v1/tokens").json()["tokens"].empty());
}

TEST_F(ApiAccountsTest, PasswordResetByAnAdminRevokesApiTokens) {
  start();
  create_user("root", Role::kAdmin);
  create_user("alice", Role::kUser);
  Browser admin = logged_in("root");
  Browser alice = logged_in("alice");
  HttpReply made = alice.post("/api/v1/tokens", {{"name", "left-behind"}});
  ASSERT_EQ(made.status, 201);
  Browser script(port_);
  script.set_bearer(made.json()["token"]);
  ASSERT_EQ(script.get("/api/v1/servers").status, 200);
  std::int64_t alice_id = alice.get("/api/v1/session").json()["user"]["id"];
  ASSERT_EQ(
      admin.request("PATCH", "/api/v1/users/" + std::to_string(alice_id), {{"password", "reset-password"}}).status,
      200);
  EXPECT_EQ(script.get("/api/v1/servers").status, 401);
  EXPECT_EQ(alice.get("/api/v1/session").status, 401);
}

TEST_F(ApiAccountsTest, AdminManagesUsers) {
  start();
  create_user("root", Role::kAdmin);
  create_user("alice", Role::kUser);
  Browser admin = logged_in("root");
  Browser alice = logged_in("alice");
  EXPECT_EQ(alice.get("/api/v1/users").status, 403);
  HttpReply made = admin.post("/api/v1/users", {{"name", "bob"}, {"password", "bob-password"}});
  ASSERT_EQ(made.status, 201);
  EXPECT_EQ(admin.post("/api/v1/users", {{"name", "bob"}, {"password", "bob-password"}}).status, 409);
  EXPECT_EQ(admin.post("/api/v1/users", {{"name", "bad name"}, {"password", "bob-password"}}).json()["error"]["field"],
            "name");
  std::int64_t alice_id = 0;
  nlohmann::json users = admin.get("/api/v1/users").json();
  for (const auto& user : users["users"]) {
    if (user["name"] == "alice") alice_id = user["id"];
  }
  ASSERT_EQ(admin.request("PATCH", "/api/v1/users/" + std::to_string(alice_id), {{"disabled", true}}).status, 200);
  EXPECT_EQ(alice.get("/api/v1/session").status, 401);  // disabling ends sessions
  Browser again(port_);
  EXPECT_EQ(again.login("alice", "password-alice").status, 401);
  ASSERT_EQ(admin
                .request("PATCH", "/api/v1/users/" + std::to_string(alice_id),
                         {{"disabled", false}, {"password", "reset-password"}})
                .status,
            200);
  EXPECT_EQ(again.login("alice", "reset-password").status, 200);
}

}  // namespace
}  // namespace left4me::web
