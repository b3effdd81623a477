// The web app over real HTTP: accounts, sessions, CSRF, tokens, the authorization matrix.
#include <gtest/gtest.h>

#include <thread>

#include "web/crypto.h"

#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

class AppTest : public testing::WebFixture {};

TEST_F(AppTest, HealthAndSecurityHeaders) {
  start();
  HttpReply reply = testing::http_request(port_, "GET", "/health");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.json()["status"], "ok");
  EXPECT_NE(reply.header("content-security-policy").find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_NE(reply.header("content-security-policy").find("default-src 'self'"), std::string::npos);
  EXPECT_EQ(reply.header("x-content-type-options"), "nosniff");
  EXPECT_EQ(reply.header("referrer-policy"), "same-origin");
  EXPECT_EQ(testing::http_request(port_, "GET", "/nope").status, 404);
  EXPECT_EQ(testing::http_request(port_, "PATCH", "/health").status, 405);
}

TEST_F(AppTest, SetupLinkIsSingleUse) {
  start();
  Result<std::optional<std::string>> token = app_->ensure_setup_token();
  ASSERT_TRUE(token.ok() && token->has_value());
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

TEST_F(AppTest, LoginNeedsCsrfCookieAndRightPassword) {
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

TEST_F(AppTest, SecureCookieWhenConfigured) {
  start({{"SESSION_COOKIE_SECURE", "true"}});
  create_user("alice", Role::kUser);
  Browser browser(port_);
  HttpReply ok = browser.login("alice", "password-alice");
  EXPECT_NE(ok.header("set-cookie").find("; Secure"), std::string::npos);
  EXPECT_EQ(ok.header("strict-transport-security"), "max-age=31536000");
}

// Behind the TLS proxy the app sees plain HTTP: X-Forwarded-Proto from a trusted proxy says the browser used
// HTTPS, and then no cookie may travel without TLS and the browser is told to stay on HTTPS.
TEST_F(AppTest, CookiesAreSecureAndHstsIsSentBehindATlsProxy) {
  start({{"TRUSTED_PROXIES", "127.0.0.1"}});
  create_user("alice", Role::kUser);
  Browser browser(port_);
  browser.set_header("X-Forwarded-For", "198.51.100.9");
  browser.set_header("X-Forwarded-Proto", "https");
  HttpReply page = browser.get("/login");  // the login form's CSRF cookie
  EXPECT_NE(page.header("set-cookie").find("; Secure"), std::string::npos);
  HttpReply csrf = browser.get("/api/v1/csrf");
  EXPECT_NE(csrf.header("set-cookie").find("; Secure"), std::string::npos) << csrf.header("set-cookie");
  EXPECT_EQ(csrf.header("strict-transport-security"), "max-age=31536000");
  HttpReply login = browser.post("/api/v1/session", {{"name", "alice"}, {"password", "password-alice"}});
  ASSERT_EQ(login.status, 200);
  EXPECT_NE(login.header("set-cookie").find("; Secure"), std::string::npos) << login.header("set-cookie");
  EXPECT_EQ(login.header("strict-transport-security"), "max-age=31536000");
  HttpReply logout = browser.request("DELETE", "/api/v1/session");
  EXPECT_NE(logout.header("set-cookie").find("; Secure"), std::string::npos);
  // Plain HTTP through the proxy, or an untrusted peer claiming HTTPS: neither.
  Browser plain(port_);
  plain.set_header("X-Forwarded-Proto", "http");
  EXPECT_EQ(plain.get("/api/v1/csrf").header("set-cookie").find("Secure"), std::string::npos);
  EXPECT_EQ(plain.get("/health").header("strict-transport-security"), "");
  Browser liar(port_);
  liar.set_source_address("127.0.0.2");
  liar.set_header("X-Forwarded-Proto", "https");
  HttpReply lie = liar.get("/api/v1/csrf");
  EXPECT_EQ(lie.header("set-cookie").find("Secure"), std::string::npos);
  EXPECT_EQ(lie.header("strict-transport-security"), "");
}

TEST_F(AppTest, LoginThrottledPerAccount) {
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

TEST_F(AppTest, LoginThrottledPerAddress) {
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
TEST_F(AppTest, SetupLinkIsCheckedBeforeAnyPasswordHashing) {
  start();
  ASSERT_TRUE(app_->ensure_setup_token().ok());
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

TEST_F(AppTest, SetupRouteIsGoneOnceAnAdminExists) {
  start();
  Result<std::optional<std::string>> token = app_->ensure_setup_token();
  ASSERT_TRUE(token.ok() && token->has_value());
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

TEST_F(AppTest, SessionExpires) {
  start({{"SESSION_LIFETIME_SECONDS", "1"}});
  create_user("alice", Role::kUser);
  Browser browser = logged_in("alice");
  EXPECT_EQ(browser.get("/api/v1/session").status, 200);
  ::sleep(2);
  EXPECT_EQ(browser.get("/api/v1/session").status, 401);
}

TEST_F(AppTest, LogoutEndsTheSessionForGood) {
  start();
  create_user("alice", Role::kUser);
  Browser browser = logged_in("alice");
  std::string stolen = browser.cookies()["l4d2_session"];
  ASSERT_EQ(browser.request("DELETE", "/api/v1/session").status, 200);
  Browser replay(port_);
  replay.cookies()["l4d2_session"] = stolen;
  EXPECT_EQ(replay.get("/api/v1/session").status, 401);
}

TEST_F(AppTest, PasswordChangeEndsOtherSessions) {
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
TEST_F(AppTest, PasswordChangeRevokesApiTokens) {
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

TEST_F(AppTest, PasswordResetByAnAdminRevokesApiTokens) {
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

TEST_F(AppTest, ReadOnlyTokensCannotWrite) {
  start();
  create_user("alice", Role::kUser);
  Browser browser = logged_in("alice");
  HttpReply made = browser.post("/api/v1/tokens", {{"name", "ci"}, {"read_only", true}});
  ASSERT_EQ(made.status, 201);
  Browser script(port_);
  script.set_bearer(made.json()["token"]);
  EXPECT_EQ(script.get("/api/v1/blueprints").status, 200);
  HttpReply write = script.post("/api/v1/blueprints", {{"name", "x"}, {"spec", spec()}});
  EXPECT_EQ(write.status, 403);
  EXPECT_EQ(write.error_code(), "read_only_token");
  // A writable token needs no CSRF token (it is not ambient like a cookie).
  HttpReply writable = browser.post("/api/v1/tokens", {{"name", "deploy"}});
  Browser deployer(port_);
  deployer.set_bearer(writable.json()["token"]);
  EXPECT_EQ(deployer.post("/api/v1/blueprints", {{"name", "x"}, {"spec", spec()}}).status, 201);
  // Revoked: unknown from then on.
  std::int64_t id = made.json()["id"];
  EXPECT_EQ(browser.request("DELETE", "/api/v1/tokens/" + std::to_string(id)).status, 200);
  EXPECT_EQ(script.get("/api/v1/blueprints").status, 401);
  EXPECT_EQ(testing::http_request(port_, "GET", "/api/v1/servers", "", {{"Authorization", "Bearer nonsense"}}).status,
            401);
}

TEST_F(AppTest, AdminManagesUsers) {
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

// Every route and method: another user's objects are 404, anonymous is 401, CSRF is enforced.
TEST_F(AppTest, AuthorizationMatrix) {
  start();
  create_user("alice", Role::kUser);
  create_user("bob", Role::kUser);
  Browser alice = logged_in("alice");
  Browser bob = logged_in("bob");
  HttpReply blueprint = alice.post("/api/v1/blueprints", {{"name", "mine"}, {"spec", spec()}});
  ASSERT_EQ(blueprint.status, 201);
  std::string bp = std::to_string(blueprint.json()["blueprint"]["id"].get<std::int64_t>());
  HttpReply server = alice.post("/api/v1/servers", {{"name", "alpha"}, {"blueprint_id", std::stoll(bp)}});
  ASSERT_EQ(server.status, 201) << server.body;
  std::string sv = std::to_string(server.json()["server"]["id"].get<std::int64_t>());
  write_fake("delay", "1");
  HttpReply job = alice.post("/api/v1/servers/" + sv + "/start");
  ASSERT_EQ(job.status, 202);
  std::string jb = std::to_string(job.json()["job"]["id"].get<std::int64_t>());
  HttpReply token = alice.post("/api/v1/tokens", {{"name", "t"}});
  std::string tk = std::to_string(token.json()["id"].get<std::int64_t>());

  struct Case {
    std::string method;
    std::string path;
    nlohmann::json body;
  };
  // Routes on alice's objects: bob gets 404 for each.
  std::vector<Case> owned = {
      {"GET", "/api/v1/blueprints/" + bp, nullptr},
      {"PUT", "/api/v1/blueprints/" + bp, {{"name", "stolen"}}},
      {"DELETE", "/api/v1/blueprints/" + bp, nullptr},
      {"GET", "/api/v1/servers/" + sv, nullptr},
      {"DELETE", "/api/v1/servers/" + sv, nullptr},
      {"POST", "/api/v1/servers/" + sv + "/start", nullptr},
      {"POST", "/api/v1/servers/" + sv + "/stop", nullptr},
      {"POST", "/api/v1/servers/" + sv + "/restart", nullptr},
      {"PUT", "/api/v1/servers/" + sv + "/blueprint", {{"blueprint_id", std::stoll(bp)}}},
      {"GET", "/api/v1/servers/" + sv + "/logs", nullptr},
      {"GET", "/api/v1/jobs/" + jb, nullptr},
      {"GET", "/api/v1/jobs/" + jb + "/lines", nullptr},
      {"GET", "/api/v1/jobs/" + jb + "/log", nullptr},
      {"POST", "/api/v1/jobs/" + jb + "/cancel", nullptr},
      {"DELETE", "/api/v1/tokens/" + tk, nullptr},
  };
  for (const Case& item : owned) {
    HttpReply reply = bob.request(item.method, item.path, item.body.is_null() ? nlohmann::json::object() : item.body);
    EXPECT_EQ(reply.status, 404) << "bob " << item.method << " " << item.path << ": " << reply.body;
  }
  // Lists never show other users' objects.
  EXPECT_TRUE(bob.get("/api/v1/blueprints").json()["blueprints"].empty());
  EXPECT_TRUE(bob.get("/api/v1/servers").json()["servers"].empty());
  EXPECT_TRUE(bob.get("/api/v1/jobs").json()["jobs"].empty());
  EXPECT_TRUE(bob.get("/api/v1/tokens").json()["tokens"].empty());

  std::vector<Case> all = owned;
  for (const Case& extra : std::vector<Case>{{"GET", "/api/v1/blueprints", nullptr},
                                             {"POST", "/api/v1/blueprints", {{"name", "n"}, {"spec", spec()}}},
                                             {"GET", "/api/v1/servers", nullptr},
                                             {"POST", "/api/v1/servers", {{"name", "zeta"}, {"blueprint_id", 1}}},
                                             {"GET", "/api/v1/jobs", nullptr},
                                             {"GET", "/api/v1/tokens", nullptr},
                                             {"POST", "/api/v1/tokens", {{"name", "n"}}},
                                             {"GET", "/api/v1/session", nullptr},
                                             {"DELETE", "/api/v1/session", nullptr},
                                             {"PUT", "/api/v1/me/password", nullptr},
                                             {"GET", "/api/v1/users", nullptr},
                                             {"POST", "/api/v1/users", nullptr},
                                             {"PATCH", "/api/v1/users/1", nullptr},
                                             {"GET", "/api/v1/install", nullptr},
                                             {"POST", "/api/v1/install", nullptr}}) {
    all.push_back(extra);
  }
  // Adopting host instances (admins).
  all.push_back({"GET", "/api/v1/servers/adoptable", nullptr});
  all.push_back({"POST", "/api/v1/servers/adopt", {{"instance", "alpha"}, {"owner_id", 1}, {"blueprint_id", 1}}});
  for (const Case& item : all) {
    Browser anonymous(port_);
    anonymous.get("/api/v1/csrf");  // even with a pre-login CSRF token
    HttpReply reply = anonymous.request(item.method, item.path, item.body);
    EXPECT_EQ(reply.status, 401) << "anonymous " << item.method << " " << item.path;
    if (item.method == "GET") continue;
    HttpReply missing = alice.request(item.method, item.path, item.body, false);
    EXPECT_EQ(missing.status, 403) << "no CSRF " << item.method << " " << item.path;
    EXPECT_EQ(missing.error_code(), "csrf");
    std::string right = alice.csrf();
    alice.set_csrf("wrong-token");
    HttpReply wrong = alice.request(item.method, item.path, item.body);
    alice.set_csrf(right);
    EXPECT_EQ(wrong.status, 403) << "wrong CSRF " << item.method << " " << item.path;
  }
  // Admin-only routes: a signed-in user who is no admin gets 403, with a right CSRF token too.
  for (const Case& item :
       std::vector<Case>{{"GET", "/api/v1/users", nullptr},
                         {"POST", "/api/v1/users", {{"name", "eve"}, {"password", "eve-password"}}},
                         {"GET", "/api/v1/install", nullptr},
                         {"POST", "/api/v1/install", nullptr},
                         {"GET", "/api/v1/servers/adoptable", nullptr},
                         {"POST",
                          "/api/v1/servers/adopt",
                          {{"instance", "alpha"}, {"owner_id", 1}, {"blueprint_id", std::stoll(bp)}}},
                         {"POST", "/admin/adopt", {{"instance", "alpha"}, {"name", "alpha2"}, {"blueprint_id", bp}}}}) {
    HttpReply reply = bob.request(item.method, item.path, item.body.is_null() ? nlohmann::json::object() : item.body);
    EXPECT_EQ(reply.status, 403) << "non-admin " << item.method << " " << item.path << ": " << reply.body;
  }
  // HTML pages redirect to the login page instead.
  HttpReply page = testing::http_request(port_, "GET", "/");
  EXPECT_EQ(page.status, 303);
  EXPECT_EQ(page.header("location"), "/login?next=%2F");
  // Administrators' routes: a user who is not one gets 403 and changes nothing (alice on her own limits too).
  std::string alice_id = std::to_string(alice.get("/api/v1/session").json()["user"]["id"].get<std::int64_t>());
  for (const Case& item : std::vector<Case>{{"GET", "/api/v1/users", nullptr},
                                            {"POST", "/api/v1/users", {{"name", "eve"}, {"password", "eve-password"}}},
                                            {"PATCH", "/api/v1/users/" + alice_id, {{"max_servers", 1000}}},
                                            {"PATCH", "/api/v1/users/" + alice_id, {{"max_blueprints", nullptr}}},
                                            {"GET", "/api/v1/install", nullptr},
                                            {"POST", "/api/v1/install", nullptr}}) {
    HttpReply reply = alice.request(item.method, item.path, item.body);
    EXPECT_EQ(reply.status, 403) << "alice " << item.method << " " << item.path;
    EXPECT_EQ(reply.error_code(), "forbidden") << item.method << " " << item.path;
  }
  // The admin page's form routes: anonymous to the login page, no CSRF 403, not an admin 403.
  for (const std::string& path : {"/admin/users/" + alice_id + "/limits", "/admin/users/" + alice_id + "/password",
                                  "/admin/users/" + alice_id + "/disabled", std::string("/admin/users")}) {
    std::string form = "max_servers=1000&password=taken-over&disabled=1&name=eve";
    std::vector<std::pair<std::string, std::string>> type = {{"Content-Type", "application/x-www-form-urlencoded"}};
    HttpReply anonymous = testing::http_request(port_, "POST", path, form, type);
    EXPECT_EQ(anonymous.status, 303) << path;
    EXPECT_EQ(anonymous.header("location").rfind("/login?next=", 0), 0u) << path;
    std::vector<std::pair<std::string, std::string>> as_alice = type;
    as_alice.emplace_back("Cookie", "l4d2_session=" + alice.cookies()["l4d2_session"]);
    EXPECT_EQ(testing::http_request(port_, "POST", path, form, as_alice).status, 403) << "no CSRF " << path;
    HttpReply forbidden =
        testing::http_request(port_, "POST", path, "csrf_token=" + url_encode(alice.csrf()) + "&" + form, as_alice);
    EXPECT_EQ(forbidden.status, 403) << "alice " << path;
  }
  EXPECT_TRUE(alice.get("/api/v1/session").json()["user"]["max_servers"].is_null());
  EXPECT_EQ(alice.get("/api/v1/session").json()["user"]["disabled"], false);
  // Nothing changed for alice.
  EXPECT_EQ(alice.get("/api/v1/blueprints/" + bp).json()["blueprint"]["name"], "mine");
  EXPECT_EQ(alice.get("/api/v1/servers/" + sv).status, 200);
}

TEST_F(AppTest, BadBodiesGetClearErrors) {
  start();
  create_user("alice", Role::kUser);
  Browser alice = logged_in("alice");
  HttpReply reply = testing::http_request(port_, "POST", "/api/v1/blueprints", "[1,2",
                                          {{"Cookie", "l4d2_session=" + alice.cookies()["l4d2_session"]},
                                           {"X-CSRF-Token", alice.csrf()},
                                           {"Content-Type", "application/json"}});
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.error_code(), "bad_request");
  EXPECT_EQ(reply.json()["error"]["message"], "body: not valid JSON at byte 5");
  std::string deep = R"({"name":"deep","spec":)" + std::string(65, '[') + std::string(65, ']') + "}";
  HttpReply too_deep = testing::http_request(port_, "POST", "/api/v1/blueprints", deep,
                                             {{"Cookie", "l4d2_session=" + alice.cookies()["l4d2_session"]},
                                              {"X-CSRF-Token", alice.csrf()},
                                              {"Content-Type", "application/json"}});
  EXPECT_EQ(too_deep.status, 400);
  EXPECT_EQ(too_deep.json()["error"]["message"], "body: JSON nested deeper than 64 levels");
  std::string big(2 << 20, 'x');
  HttpReply huge =
      testing::http_request(port_, "POST", "/api/v1/blueprints", big, {{"Content-Type", "application/json"}});
  EXPECT_TRUE(huge.status == 413 || huge.status == 0 || huge.status == 400) << huge.status;
}

}  // namespace
}  // namespace left4me::web
