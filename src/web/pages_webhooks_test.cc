// The Webhooks page over real HTTP in-process: adding, refusing bad input beside the form (nothing saved), editing,
// the test button, deleting; and the server page's History with the API behind it.
#include <gtest/gtest.h>

#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

class WebhookPagesTest : public testing::WebFixture {};

TEST_F(WebhookPagesTest, AdminAddsEditsTestsAndDeletesWebhooks) {
  start();
  create_user("root", Role::kAdmin);
  Browser admin = logged_in("root");
  EXPECT_NE(admin.get("/admin").body.find("href=\"/admin/webhooks\""), std::string::npos);
  HttpReply bad = post_form(admin, "/admin/webhooks", "url=ftp%3A%2F%2Fexample.com%2Fx&kind=json&events=crash");
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("url: &apos;ftp://example.com/x&apos; is not an http:// or https:// URL"), std::string::npos)
      << bad.body;
  EXPECT_NE(bad.body.find("value=\"ftp://example.com/x\""), std::string::npos);
  HttpReply no_events = post_form(admin, "/admin/webhooks", "url=http%3A%2F%2F127.0.0.1%3A9%2Fa&kind=json");
  EXPECT_EQ(no_events.status, 422);
  EXPECT_NE(no_events.body.find("events: choose at least one"), std::string::npos);
  HttpReply bad_kind =
      post_form(admin, "/admin/webhooks", "url=http%3A%2F%2F127.0.0.1%3A9%2Fa&kind=slack&events=crash");
  EXPECT_EQ(bad_kind.status, 422);
  EXPECT_NE(bad_kind.body.find("kind: &apos;slack&apos; is not one of json, discord"), std::string::npos);
  EXPECT_TRUE(admin.get("/api/v1/webhooks").json()["webhooks"].empty());

  EXPECT_EQ(
      post_form(admin, "/admin/webhooks", "url=http%3A%2F%2F127.0.0.1%3A9%2Fa&kind=json&events=crash&events=failed")
          .status,
      303);
  nlohmann::json webhook = admin.get("/api/v1/webhooks").json()["webhooks"][0];
  EXPECT_EQ(webhook["events"], nlohmann::json::parse(R"(["crash", "failed"])"));
  std::string path = "/admin/webhooks/" + std::to_string(webhook["id"].get<std::int64_t>());
  HttpReply page = admin.get("/admin/webhooks");
  EXPECT_NE(page.body.find("http://127.0.0.1:9/a"), std::string::npos);
  EXPECT_NE(page.body.find("action=\"" + path + "/test\""), std::string::npos);

  HttpReply refused = post_form(admin, path, "url=nope&kind=discord&events=job_failed");
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(admin.get("/api/v1/webhooks").json()["webhooks"][0]["url"], "http://127.0.0.1:9/a");
  EXPECT_EQ(post_form(admin, path, "url=https%3A%2F%2Fexample.com%2Fb&kind=discord&events=job_failed").status, 303);
  webhook = admin.get("/api/v1/webhooks").json()["webhooks"][0];
  EXPECT_EQ(webhook["kind"], "discord");
  EXPECT_EQ(webhook["events"], nlohmann::json::parse(R"(["job_failed"])"));

  EXPECT_EQ(post_form(admin, path + "/test", "").status, 303);
  EXPECT_EQ(post_form(admin, "/admin/webhooks/999/test", "").status, 404);
  EXPECT_EQ(post_form(admin, path + "/delete", "").status, 303);
  EXPECT_TRUE(admin.get("/api/v1/webhooks").json()["webhooks"].empty());
  EXPECT_EQ(post_form(admin, path + "/delete", "").status, 404);
}

TEST_F(WebhookPagesTest, TheServerPageShowsItsHistoryToItsOwner) {
  start();
  create_user("alice", Role::kUser);
  Browser alice = logged_in("alice");
  std::int64_t server = make_server_with_forms(alice, "alpha");
  std::string page = "/servers/" + std::to_string(server);
  EXPECT_NE(alice.get(page).body.find("id=\"events-empty\""), std::string::npos);
  ASSERT_OK(app_->server_events->record(server, ServerEventKind::kCrash, "the <b>process</b> ended", std::nullopt));
  Result<Job> job = app_->jobs->enqueue(JobType::kStop, "alpha", server, std::nullopt, Dedupe::kNo);
  ASSERT_OK(job);
  ASSERT_OK(app_->server_events->record(server, ServerEventKind::kStopped, "by a job", job->id));
  std::string body = alice.get(page).body;
  std::size_t stopped = body.find("<span class=\"state idle\">stopped</span>");
  std::size_t crash = body.find("<span class=\"state bad\">crash</span>");
  ASSERT_NE(stopped, std::string::npos) << body;
  ASSERT_NE(crash, std::string::npos);
  EXPECT_LT(stopped, crash) << "newest first";
  EXPECT_NE(body.find("the &lt;b&gt;process&lt;/b&gt; ended"), std::string::npos);
  nlohmann::json events = alice.get("/api/v1/servers/" + std::to_string(server) + "/events?limit=1").json();
  ASSERT_EQ(events["events"].size(), 1u);
  EXPECT_EQ(events["events"][0]["kind"], "stopped");
  EXPECT_EQ(events["events"][0]["job_id"], job->id);
  EXPECT_NE(body.find("href=\"/jobs/" + std::to_string(job->id) + "\""), std::string::npos);
  EXPECT_EQ(alice.get("/api/v1/servers/" + std::to_string(server) + "/events?limit=0").status, 422);
  EXPECT_EQ(alice.get("/api/v1/servers/" + std::to_string(server) + "/events?limit=x").status, 422);
}

}  // namespace
}  // namespace left4me::web
