// A test fixture running the whole web app in-process on 127.0.0.1 port 0 with a real SQLite file and
// the stand-in l4d2ctl script, with the steps tests share (users, blueprints and servers through the API or the
// pages' forms). Not thread-safe.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

#include "base/file.h"
#include "testing/test_support.h"
#include "web/app.h"
#include "web/states.h"
#include "web/test_client.h"

namespace left4me::web::testing {

// Redirect targets a visitor may choose (?next= on the login page, `back` of the server action forms), encoded as
// they appear in a query or form, that must never lead off the site or reach a header as written.
inline std::vector<std::string> hostile_redirect_targets() {
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

class WebFixture : public ::testing::Test {
 protected:
  void TearDown() override { stop(); }

  void start(const Environment& extra = {}) {
    ::setenv("LEFT4ME_FAST_PASSWORD_HASH", "1", 1);
    Environment env = {{"LEFT4ME_WEB_ENV", dir_.path() + "/absent.env"},
                       {"LEFT4ME_WEB_DATA", dir_.path() + "/data"},
                       {"L4D2CTL", LEFT4ME_WEB_FAKE_CTL},
                       {"PATH", "/usr/bin:/bin"},
                       {"LEFT4ME_SSE_HEARTBEAT_SECONDS", "1"},
                       {"LEFT4ME_STATUS_CACHE_MS", "0"},
                       {"LEFT4ME_UPDATE_CHECK_HOURS", "0"},  // the builds tests turn it on
                       {"LEFT4ME_WORKSHOP_REFRESH_HOURS", "0"}};
    for (const auto& [key, value] : extra) env[key] = value;
    Result<WebConfig> config = load_config(env);
    ASSERT_OK(config);
    Result<std::unique_ptr<App>> app = App::create(*config);
    ASSERT_OK(app);
    app_ = std::move(*app);
    HttpServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = 4;
    Result<std::unique_ptr<HttpServer>> server =
        HttpServer::start(options, [this](Request& request) { return app_->handle(request); });
    ASSERT_OK(server);
    server_ = std::move(*server);
    port_ = server_->port();
    app_->start_background();
  }

  void stop() {
    if (server_) server_->stop();
    if (app_) app_->stop_background(std::chrono::seconds(5));
    server_.reset();
    app_.reset();
  }

  std::string fake_dir() const { return dir_.path() + "/data/root/fake"; }
  std::string read_fake(const std::string& name) const {
    std::ifstream in(fake_dir() + "/" + name);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  void write_fake(const std::string& name, const std::string& content) const {
    (void)make_directories(fake_dir());
    std::ofstream(fake_dir() + "/" + name) << content;
  }

  // A remote host record (no transport is made here), ports 27015-27016, 5 servers at most; by default at
  // 127.0.0.1 port 1, a closed port that refuses at once (an address nothing answers costs ssh's timeout), its key
  // confirmed ("SHA256:test") and the registry reloaded. Unconfirmed: added only, as before an admin confirms it.
  enum class KeyConfirmed { kYes, kNo };
  Host add_remote_host(const std::string& name, const std::string& address = "127.0.0.1", int ssh_port = 1,
                       KeyConfirmed confirmed = KeyConfirmed::kYes) {
    HostInput input;
    input.name = name;
    input.address = address;
    input.ssh_port = ssh_port;
    input.ports = PortRange{27015, 27016};
    input.max_servers = 5;
    std::string pattern = ssh_port == 22 ? address : "[" + address + "]:" + std::to_string(ssh_port);
    Result<Host> host = app_->hosts->add(input, HostKey{pattern + " ssh-ed25519 AAAA", "SHA256:test"});
    EXPECT_TRUE(host.ok()) << host.error().message();
    if (!host) return Host{};
    if (confirmed == KeyConfirmed::kYes) {
      EXPECT_TRUE(app_->hosts->confirm_key(host->id, "SHA256:test").ok());
    }
    EXPECT_TRUE(app_->reload_hosts().ok());
    return confirmed == KeyConfirmed::kYes ? *app_->hosts->get(host->id) : *host;
  }

  void create_user(const std::string& name, Role role) {
    ASSERT_OK(app_->accounts->create_user(name, "password-" + name, role));
  }
  Browser logged_in(const std::string& name) {
    Browser browser(port_);
    HttpReply reply = browser.login(name, "password-" + name);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return browser;
  }
  // Waits until the job reaches a final state; returns it.
  std::string wait_job(Browser& browser, std::int64_t job_id, std::chrono::seconds timeout = std::chrono::seconds(10)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string state;
    while (std::chrono::steady_clock::now() < deadline) {
      HttpReply reply = browser.get("/api/v1/jobs/" + std::to_string(job_id));
      state = reply.json()["job"].value("state", "");
      std::optional<JobState> parsed = parse_job_state(state);
      if (!parsed || !is_pending(*parsed)) return state;
      ::usleep(20000);
    }
    return state;
  }

  static nlohmann::json spec(const std::string& map = "c1m1_hotel") { return {{"map", map}, {"max_players", 8}}; }

  // Through the API: a blueprint of the browser's user (its id), and a server on it (the answer).
  std::int64_t make_blueprint(Browser& browser, const std::string& name, const std::string& map = "c1m1_hotel") {
    HttpReply reply = browser.post("/api/v1/blueprints", {{"name", name}, {"spec", spec(map)}});
    EXPECT_EQ(reply.status, 201) << reply.body;
    return reply.json()["blueprint"]["id"];
  }
  HttpReply make_server(Browser& browser, const std::string& name, std::int64_t blueprint) {
    return browser.post("/api/v1/servers", {{"name", name}, {"blueprint_id", blueprint}});
  }
  static std::int64_t job_of(const HttpReply& reply) { return reply.json()["job"]["id"]; }
  // The host instance of a server (what the stand-in l4d2ctl names its files after).
  static std::string instance_of(const HttpReply& server) { return server.json()["server"]["instance"]; }

  // A form post as a browser sends it: the session cookie, the form's csrf_token field unless csrf is false.
  HttpReply post_form(Browser& browser, const std::string& path, const std::string& form, bool csrf = true,
                      bool htmx = false) {
    std::string cookies;
    for (const auto& [name, value] : browser.cookies()) cookies += (cookies.empty() ? "" : "; ") + name + "=" + value;
    std::string body = csrf ? "csrf_token=" + url_encode(browser.csrf()) + "&" + form : form;
    std::vector<std::pair<std::string, std::string>> headers = {{"Cookie", cookies},
                                                                {"Content-Type", "application/x-www-form-urlencoded"}};
    if (htmx) headers.emplace_back("HX-Request", "true");
    return http_request(port_, "POST", path, body, headers);
  }
  // Through the pages' forms: a blueprint "bp-<name>" and a server on it of the browser's user; the server's id.
  std::int64_t make_server_with_forms(Browser& browser, const std::string& name) {
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

  test::TempDir dir_;
  std::unique_ptr<App> app_;
  std::unique_ptr<HttpServer> server_;
  std::uint16_t port_ = 0;
};

}  // namespace left4me::web::testing
