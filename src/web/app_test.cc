// App over real HTTP: the rules every request passes (security headers, HTTPS behind a trusted proxy, read-only
// tokens, bad bodies) and the authorization matrix over every route of the table.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "web/assets.h"
#include "web/routes.h"
#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

// text with every `from` replaced by `to`.
std::string replace_all(std::string text, std::string_view from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

class AppTest : public testing::WebFixture {
 protected:
  enum class Csrf { kRight, kMissing, kWrong };
  // A request as a browser of that user sends it: JSON to the API, a form to the pages, with the CSRF token as
  // asked. The body names every field a route could change.
  HttpReply send(Browser& browser, const std::string& method, const std::string& path, bool api, Csrf csrf) {
    std::string token = csrf == Csrf::kRight ? browser.csrf() : csrf == Csrf::kWrong ? "wrong-token" : "";
    std::vector<std::pair<std::string, std::string>> headers;
    std::string cookies;
    for (const auto& [name, value] : browser.cookies()) cookies += (cookies.empty() ? "" : "; ") + name + "=" + value;
    if (!cookies.empty()) headers.emplace_back("Cookie", cookies);
    std::string body;
    if (api) {
      if (!token.empty()) headers.emplace_back("X-CSRF-Token", token);
      headers.emplace_back("Content-Type", "application/json");
      body = nlohmann::json{{"name", "eve"},
                            {"password", "taken-over"},
                            {"new_password", "taken-over"},
                            {"max_servers", 1000},
                            {"disabled", true},
                            {"blueprint_id", 1},
                            {"instance", "alpha"},
                            {"owner_id", 1},
                            {"spec", spec()},
                            {"user", "erin"},
                            {"role", "operator"}}
                 .dump();
    } else {
      headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
      body =
          "name=eve&password=taken-over&new_password=taken-over&confirm_password=taken-over&max_servers=1000&"
          "disabled=1&blueprint_id=1&instance=alpha&map=c1m1_hotel&op=save&user=erin&role=operator";
      if (!token.empty()) body = "csrf_token=" + url_encode(token) + "&" + body;
    }
    return testing::http_request(port_, method, path, method == "GET" ? "" : body, headers);
  }
};

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

// The least share role each server route of users takes (docs/design.md, "Sharing a server"), written out here
// so that a route given the wrong action fails: "owner" for what only the owner and administrators do.
const std::map<std::string, std::string> kLeastRole = {
    {"GET /api/v1/servers/{id}", "viewer"},
    {"POST /api/v1/servers/{id}/start", "operator"},
    {"POST /api/v1/servers/{id}/stop", "operator"},
    {"POST /api/v1/servers/{id}/restart", "operator"},
    {"DELETE /api/v1/servers/{id}", "owner"},
    {"PUT /api/v1/servers/{id}/blueprint", "manager"},
    {"GET /api/v1/servers/{id}/logs", "viewer"},
    {"GET /api/v1/servers/{id}/rcon", "operator"},
    {"POST /api/v1/servers/{id}/rcon", "operator"},
    {"GET /api/v1/servers/{id}/rcon-password", "owner"},
    {"GET /api/v1/servers/{id}/shares", "manager"},
    {"PUT /api/v1/servers/{id}/shares", "manager"},
    {"DELETE /api/v1/servers/{id}/shares/{user}", "manager"},
    {"GET /api/v1/servers/{id}/restart-schedule", "manager"},
    {"PUT /api/v1/servers/{id}/restart-schedule", "manager"},
    {"GET /api/v1/servers/{id}/events", "viewer"},
    {"GET /servers/{id}", "viewer"},
    {"GET /servers/{id}/status", "viewer"},
    {"GET /servers/{id}/jobs", "viewer"},
    {"GET /servers/{id}/rcon-password", "owner"},
    {"POST /servers/{id}/start", "operator"},
    {"POST /servers/{id}/stop", "operator"},
    {"POST /servers/{id}/restart", "operator"},
    {"GET /servers/{id}/delete", "owner"},
    {"POST /servers/{id}/delete", "owner"},
    {"POST /servers/{id}/blueprint", "manager"},
    {"GET /servers/{id}/console", "viewer"},
    {"POST /servers/{id}/rcon", "operator"},
    {"POST /servers/{id}/shares", "manager"},
    {"POST /servers/{id}/shares/{user}/revoke", "manager"},
    {"POST /servers/{id}/restart-schedule", "manager"},
};

// Every route of the table (routes.cc), so that a new one cannot be left out: anonymous is 401 (API) or sent to
// the login page (pages), a public route is not; another user's object named by {id} is 404, exactly as if it did
// not exist; a signed-in user who is no administrator gets 403 on administrators' routes; every non-GET needs the
// session's CSRF token. A column per share role: a server's route answers 403 to a role below its least one, and
// runs for the others. The bodies would change alice's account, server and blueprint if anything got through.
TEST_F(AppTest, AuthorizationMatrix) {
  start();
  create_user("alice", Role::kUser);
  create_user("bob", Role::kUser);
  Browser alice = logged_in("alice");
  Browser bob = logged_in("bob");
  std::int64_t blueprint = make_blueprint(alice, "mine");
  HttpReply server = make_server(alice, "alpha", blueprint);
  ASSERT_EQ(server.status, 201) << server.body;
  const std::string server_path =
      "/api/v1/servers/" + std::to_string(server.json()["server"]["id"].get<std::int64_t>());
  std::map<std::string, Browser> shared;  // by role
  for (const char* role : {"viewer", "operator", "manager"}) {
    create_user(role, Role::kUser);
    shared.emplace(role, logged_in(role));
    HttpReply granted = alice.request("PUT", server_path + "/shares", {{"user", role}, {"role", role}});
    ASSERT_EQ(granted.status, 200) << granted.body;
  }
  create_user("erin", Role::kUser);  // the share {user} names: revoked by the manager's revoke routes
  Result<std::vector<User>> everyone = app_->accounts->list_users();
  ASSERT_OK(everyone);
  auto erin = std::find_if(everyone->begin(), everyone->end(), [](const User& user) { return user.name == "erin"; });
  ASSERT_NE(erin, everyone->end());
  const std::int64_t erin_id = erin->id;
  write_fake("delay", "1");
  HttpReply job =
      alice.post("/api/v1/servers/" + std::to_string(server.json()["server"]["id"].get<std::int64_t>()) + "/start");
  ASSERT_EQ(job.status, 202);
  HttpReply token = alice.post("/api/v1/tokens", {{"name", "t"}});
  ASSERT_EQ(token.status, 201);
  std::int64_t alice_id = alice.get("/api/v1/session").json()["user"]["id"];
  std::map<IdNames, std::string> ids = {
      {IdNames::kServer, std::to_string(server.json()["server"]["id"].get<std::int64_t>())},
      {IdNames::kBlueprint, std::to_string(blueprint)},
      {IdNames::kJob, std::to_string(job_of(job))},
      {IdNames::kToken, std::to_string(token.json()["id"].get<std::int64_t>())},
      {IdNames::kUser, std::to_string(alice_id)},
      {IdNames::kWebhook, "1"},  // administrators' routes only: a user is refused before it is looked up
      {IdNames::kHost, "1"},
      {IdNames::kOverlay,
       std::to_string(alice.post("/api/v1/overlays", {{"name", "own"}}).json()["overlay"]["id"].get<std::int64_t>())}};

  int routes_checked = 0;
  for (const Route& route : routes()) {
    std::string method(route.method);
    std::string path(route.pattern);
    SCOPED_TRACE(method + " " + path);
    // A route's {id} is opened as the object it names before its handler runs, and only then.
    ASSERT_EQ(path.find("{id}") != std::string::npos, route.handler.id != IdNames::kNothing);
    path = replace_all(path, "{id}", ids[route.handler.id]);
    path = replace_all(path, "{version}", std::string(find_embedded("static/app.css")->version));
    path = replace_all(path, "{name}", "app.css");
    path = replace_all(path, "{user}", std::to_string(erin_id));
    path = replace_all(path, "{upload}", "none");
    bool api = path.rfind("/api/", 0) == 0 || path == "/health";

    Browser anonymous(port_);
    anonymous.get("/api/v1/csrf");  // even with a pre-login CSRF token
    HttpReply visitor = send(anonymous, method, path, api, Csrf::kRight);
    if (route.access == Access::kPublic) {
      EXPECT_NE(visitor.error_code(), "unauthenticated");
      EXPECT_NE(visitor.header("location").rfind("/login?next=", 0), 0u);
    } else if (api) {
      EXPECT_EQ(visitor.status, 401);
    } else {
      EXPECT_EQ(visitor.status, 303);
      EXPECT_EQ(visitor.header("location").rfind("/login?next=", 0), 0u);
    }
    if (route.access == Access::kUser && route.handler.id != IdNames::kNothing) {
      HttpReply stranger = send(bob, method, path, api, Csrf::kRight);
      EXPECT_EQ(stranger.status, 404) << stranger.body;
    }
    if (route.access == Access::kUser && route.handler.id == IdNames::kServer) {
      auto least = kLeastRole.find(method + " " + std::string(route.pattern));
      ASSERT_NE(least, kLeastRole.end()) << "a new server route: give it its least role in kLeastRole";
      const std::vector<std::string> order = {"viewer", "operator", "manager", "owner"};
      auto rank = [&](const std::string& role) { return std::find(order.begin(), order.end(), role) - order.begin(); };
      for (auto& [role, browser] : shared) {
        SCOPED_TRACE(role);
        ASSERT_EQ(alice.request("PUT", server_path + "/shares", {{"user", "erin"}, {"role", "viewer"}}).status, 200);
        if (route.handler.action == ServerAction::kConsoleRead) {  // a stream: its head is the answer
          ASSERT_EQ(least->second, "viewer");
          testing::StreamReader stream(port_, path, {{"Cookie", "l4d2_session=" + browser.cookies()["l4d2_session"]}});
          EXPECT_TRUE(stream.wait_for("HTTP/1.1 200", std::chrono::seconds(5))) << stream.received();
          continue;
        }
        HttpReply reply = send(browser, method, path, api, Csrf::kRight);
        if (rank(role) < rank(least->second)) {
          EXPECT_EQ(reply.status, 403) << reply.body;
          if (api) {
            EXPECT_EQ(reply.error_code(), "forbidden");
          }
        } else {
          EXPECT_NE(reply.status, 403) << reply.body;
          EXPECT_NE(reply.status, 404) << reply.body;
        }
      }
    }
    if (route.access == Access::kAdmin) {
      HttpReply user = send(alice, method, path, api, Csrf::kRight);
      EXPECT_EQ(user.status, 403) << user.body;
      if (api) {
        EXPECT_EQ(user.error_code(), "forbidden");
      }
    }
    if (method != "GET") {
      HttpReply missing = send(alice, method, path, api, Csrf::kMissing);
      EXPECT_EQ(missing.status, 403);
      if (api) {
        EXPECT_EQ(missing.error_code(), "csrf");
      }
      EXPECT_EQ(send(alice, method, path, api, Csrf::kWrong).status, 403);
    }
    ++routes_checked;
  }
  EXPECT_EQ(routes_checked, static_cast<int>(routes().size()));
  EXPECT_GT(routes_checked, 70);

  // Lists never show other users' objects.
  EXPECT_TRUE(bob.get("/api/v1/blueprints").json()["blueprints"].empty());
  EXPECT_TRUE(bob.get("/api/v1/servers").json()["servers"].empty());
  EXPECT_TRUE(bob.get("/api/v1/jobs").json()["jobs"].empty());
  EXPECT_TRUE(bob.get("/api/v1/tokens").json()["tokens"].empty());
  // Nothing changed for alice.
  nlohmann::json me = alice.get("/api/v1/session").json()["user"];
  EXPECT_TRUE(me["max_servers"].is_null());
  EXPECT_EQ(me["disabled"], false);
  EXPECT_EQ(alice.get("/api/v1/blueprints/" + ids[IdNames::kBlueprint]).json()["blueprint"]["name"], "mine");
  EXPECT_EQ(alice.get("/api/v1/servers/" + ids[IdNames::kServer]).status, 200);
  EXPECT_EQ(alice.get("/api/v1/tokens").json()["tokens"].size(), 1u);
  EXPECT_EQ(Browser(port_).login("alice", "password-alice").status, 200);
  Result<std::vector<User>> users = app_->accounts->list_users();
  ASSERT_OK(users);
  EXPECT_EQ(users->size(), 6u);
  // The shares are as alice made them: no route let a share change its own or another's role.
  nlohmann::json shares = alice.get(server_path + "/shares").json()["shares"];
  ASSERT_EQ(shares.size(), 4u);
  for (const nlohmann::json& share : shares) {
    if (share["user"] != "erin") {
      EXPECT_EQ(share["role"], share["user"]);
    }
  }
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
