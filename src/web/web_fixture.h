// A test fixture running the whole web app in-process on 127.0.0.1 port 0 with a real SQLite file and
// the stand-in l4d2ctl script. Not thread-safe.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "web/app.h"
#include "web/test_client.h"
#include "web/test_support.h"

namespace left4me::web::testing {

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
                       {"LEFT4ME_STATUS_CACHE_MS", "0"}};
    for (const auto& [key, value] : extra) env[key] = value;
    Result<WebConfig> config = load_config(env);
    ASSERT_TRUE(config.ok()) << config.error().message();
    Result<std::unique_ptr<App>> app = App::create(*config);
    ASSERT_TRUE(app.ok()) << app.error().message();
    app_ = std::move(*app);
    HttpServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = 4;
    Result<std::unique_ptr<HttpServer>> server =
        HttpServer::start(options, [this](Request& request) { return app_->handle(request); });
    ASSERT_TRUE(server.ok()) << server.error().message();
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

  void create_user(const std::string& name, Role role) {
    ASSERT_TRUE(app_->accounts->create_user(name, "password-" + name, role).ok());
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
      if (state != "queued" && state != "running") return state;
      ::usleep(20000);
    }
    return state;
  }

  static nlohmann::json spec(const std::string& map = "c1m1_hotel") { return {{"map", map}, {"max_players", 8}}; }

  TempDir dir_;
  std::unique_ptr<App> app_;
  std::unique_ptr<HttpServer> server_;
  std::uint16_t port_ = 0;
};

}  // namespace left4me::web::testing
