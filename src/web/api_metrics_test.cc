// GET /metrics over real HTTP: who may read it (a loopback scraper, a metrics token, nobody through a proxy)
// and what it says of servers, jobs and requests. The exposition's syntax is checked by promtool in
// tests/integration/web/metrics.sh.
#include <gtest/gtest.h>

#include "web/metrics.h"
#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

class MetricsTest : public testing::WebFixture {};

TEST_F(MetricsTest, ALoopbackScraperReadsEveryServerJobAndRoute) {
  start();
  create_user("alice", Role::kUser);
  Browser alice = logged_in("alice");
  HttpReply server = make_server(alice, "friends-coop", make_blueprint(alice, "bp"));
  ASSERT_EQ(server.status, 201) << server.body;
  std::int64_t id = server.json()["server"]["id"];
  HttpReply started = alice.post("/api/v1/servers/" + std::to_string(id) + "/start", nlohmann::json::object());
  ASSERT_EQ(wait_job(alice, job_of(started)), "succeeded");
  ASSERT_OK(app_->status_cache->refresh());
  EXPECT_EQ(alice.get("/api/v1/nothing-here").status, 404);

  HttpReply scraped = testing::http_request(port_, "GET", "/metrics");
  ASSERT_EQ(scraped.status, 200) << scraped.body;
  EXPECT_EQ(scraped.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  std::string labels = "id=\"" + std::to_string(id) + "\",name=\"friends-coop\"";
  const std::string& text = scraped.body;
  EXPECT_NE(text.find("left4me_host_status_known 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("left4me_server_state{" + labels + ",state=\"running\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("left4me_server_state{" + labels + ",state=\"stopped\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("left4me_server_players{" + labels + "} 1\n"), std::string::npos);
  EXPECT_NE(text.find("left4me_server_max_players{" + labels + "} 8\n"), std::string::npos);
  EXPECT_NE(text.find("left4me_server_query_seconds{" + labels + "} 0.0005\n"), std::string::npos);
  EXPECT_NE(text.find("left4me_jobs{type=\"start\",state=\"succeeded\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("left4me_jobs{type=\"stop\",state=\"queued\"} 0\n"), std::string::npos);
  EXPECT_NE(
      text.find("left4me_http_requests_total{method=\"POST\",route=\"/api/v1/servers/{id}/start\",code=\"202\"} 1"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("left4me_http_requests_total{method=\"other\",route=\"unmatched\",code=\"404\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("left4me_sse_viewers{stream=\"console\"} 0\n"), std::string::npos);
}

// Through a proxy every request comes from loopback: one that carries X-Forwarded-For is not a local scraper.
TEST_F(MetricsTest, OnlyALocalScraperOrAMetricsTokenReadsIt) {
  start();
  create_user("alice", Role::kUser);
  create_user("root", Role::kAdmin);
  EXPECT_EQ(testing::http_request(port_, "GET", "/metrics", "", {{"X-Forwarded-For", "198.51.100.7"}}).status, 403);

  Browser alice = logged_in("alice");
  HttpReply refused = alice.post("/api/v1/tokens", {{"name", "scraper"}, {"scope", "metrics"}});
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(alice.post("/api/v1/tokens", {{"name", "x"}, {"scope", "everything"}}).error_code(), "invalid");
  HttpReply full = alice.post("/api/v1/tokens", {{"name", "full"}});
  Browser alices_script(port_);
  alices_script.set_bearer(full.json()["token"]);
  alices_script.set_header("X-Forwarded-For", "198.51.100.7");
  EXPECT_EQ(alices_script.get("/metrics").error_code(), "metrics_scope");

  Browser root = logged_in("root");
  HttpReply made = root.post("/api/v1/tokens", {{"name", "prometheus"}, {"scope", "metrics"}});
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(made.json()["scope"], "metrics");
  EXPECT_EQ(made.json()["read_only"], true);
  Browser scraper(port_);
  scraper.set_bearer(made.json()["token"]);
  scraper.set_header("X-Forwarded-For", "198.51.100.7");
  EXPECT_EQ(scraper.get("/metrics").status, 200);
  // A metrics token reads nothing else, not even what its administrator may.
  EXPECT_EQ(scraper.get("/api/v1/servers").error_code(), "metrics_token");
  EXPECT_EQ(scraper.get("/api/v1/users").error_code(), "metrics_token");
  EXPECT_EQ(root.get("/api/v1/tokens").json()["tokens"][0]["scope"], "metrics");
}

TEST(RenderMetricsTest, LabelValuesAreEscapedAndEveryFamilyIsDeclared) {
  EXPECT_EQ(escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  MetricsInput input;
  std::string text = render_metrics(input);
  for (const char* name : {"left4me_host_status_known", "left4me_server_state", "left4me_server_players",
                           "left4me_jobs", "left4me_http_requests_total", "left4me_sse_viewers"}) {
    EXPECT_NE(text.find(std::string("# TYPE ") + name + " "), std::string::npos) << name;
  }
  EXPECT_NE(text.find("left4me_host_status_known 0\n"), std::string::npos);

  Server record{.id = 3, .name = "a \"b\" \\ c"};
  nlohmann::json host = {{"restarts", 2}, {"live", {{"players", 4}, {"query_ms", 1.25}}}};
  input.servers.push_back(ServerView{.record = &record, .state = ServerState::kRunning, .host = &host});
  text = render_metrics(input);
  EXPECT_NE(text.find("left4me_server_state{id=\"3\",name=\"a \\\"b\\\" \\\\ c\",state=\"running\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("left4me_server_restarts{id=\"3\",name=\"a \\\"b\\\" \\\\ c\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("left4me_server_query_seconds{id=\"3\",name=\"a \\\"b\\\" \\\\ c\"} 0.00125\n"),
            std::string::npos);
  EXPECT_EQ(text.find("left4me_server_max_players{id"), std::string::npos);  // not reported: no series
}

TEST(RequestCountsTest, CountsByMethodRouteAndStatus) {
  RequestCounts counts;
  counts.add("GET", "/a", 200);
  counts.add("GET", "/a", 200);
  counts.add("GET", "/a", 404);
  std::vector<RequestCount> snapshot = counts.snapshot();
  ASSERT_EQ(snapshot.size(), 2u);
  EXPECT_EQ(snapshot[0].count, 2u);
  EXPECT_EQ(snapshot[1].status, 404);
}

}  // namespace
}  // namespace left4me::web
