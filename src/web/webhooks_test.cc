// Webhooks on a real SQLite file: the one rule for their fields (each bad input a clear error naming its field),
// and the store keeping them with the outcome of their last delivery.
#include "web/webhooks.h"

#include <gtest/gtest.h>

#include "testing/test_support.h"
#include "web/migrations.h"

namespace left4me::web {
namespace {

TEST(CheckWebhookTest, AcceptsHttpAndHttpsWithEventsInTheirOrder) {
  Result<WebhookSpec> spec = check_webhook("https://discord.com/api/webhooks/1/abc", "discord", {"failed", "crash"});
  ASSERT_OK(spec);
  EXPECT_EQ(spec->kind, WebhookKind::kDiscord);
  EXPECT_EQ(spec->events, (std::vector<AlertEvent>{AlertEvent::kCrash, AlertEvent::kFailed}));
  EXPECT_TRUE(spec->wants(AlertEvent::kCrash));
  EXPECT_FALSE(spec->wants(AlertEvent::kJobFailed));
  EXPECT_TRUE(spec->wants(AlertEvent::kTest));
  EXPECT_OK(check_webhook("http://127.0.0.1:8080/hook?x=1", "json", {"job_failed", "auto_restart"}));
}

TEST(CheckWebhookTest, EachBadFieldIsAnErrorNamingIt) {
  struct Case {
    std::string url, kind;
    std::vector<std::string> events;
    std::string message;
  };
  const Case cases[] = {
      {"", "json", {"crash"}, "url: required"},
      {"ftp://example.com/x", "json", {"crash"}, "url: 'ftp://example.com/x' is not an http:// or https:// URL"},
      {"file:///etc/passwd", "json", {"crash"}, "url: 'file:///etc/passwd' is not an http:// or https:// URL"},
      {"example.com/hook", "json", {"crash"}, "url: 'example.com/hook' is not an http:// or https:// URL"},
      {"https:///hook", "json", {"crash"}, "url: 'https:///hook' names no host"},
      {"http://user@:80/", "json", {"crash"}, "url: 'http://user@:80/' names no host"},
      {"https://exa mple.com/", "json", {"crash"}, "url: spaces and control characters are not allowed"},
      {"https://example.com/\n", "json", {"crash"}, "url: spaces and control characters are not allowed"},
      {"https://example.com/" + std::string(kMaxWebhookUrlLength, 'a'),
       "json",
       {"crash"},
       "url: longer than 2048 bytes"},
      {"https://example.com/", "slack", {"crash"}, "kind: 'slack' is not one of json, discord"},
      {"https://example.com/", "", {"crash"}, "kind: '' is not one of json, discord"},
      {"https://example.com/", "json", {}, "events: choose at least one"},
      {"https://example.com/",
       "json",
       {"crash", "explode"},
       "events: 'explode' is not one of crash, auto_restart, failed, job_failed"},
      {"https://example.com/",
       "json",
       {"test"},
       "events: 'test' is not one of crash, auto_restart, failed, job_failed"},
  };
  for (const Case& c : cases) {
    Result<WebhookSpec> spec = check_webhook(c.url, c.kind, c.events);
    ASSERT_FALSE(spec.ok()) << c.url;
    EXPECT_EQ(spec.error().code(), ErrorCode::kInvalidArgument) << c.url;
    EXPECT_EQ(spec.error().message(), c.message);
  }
}

TEST(WebhooksTest, StoresEditsRemovesAndRecordsOutcomes) {
  test::TempDir dir;
  auto database = Database::open(dir.path() + "/web.db");
  ASSERT_OK(database);
  ASSERT_OK(migrate(**database));
  Webhooks webhooks(**database);
  Result<WebhookSpec> spec = check_webhook("http://127.0.0.1:1/a", "json", {"crash"});
  ASSERT_OK(spec);
  Result<Webhook> created = webhooks.create(*spec);
  ASSERT_OK(created);
  EXPECT_EQ(created->spec.url, "http://127.0.0.1:1/a");
  EXPECT_FALSE(created->last_attempt_at);

  Result<WebhookSpec> changed = check_webhook("https://example.com/b", "discord", {"failed", "job_failed"});
  ASSERT_OK(changed);
  ASSERT_OK(webhooks.update(created->id, *changed));
  ASSERT_OK(webhooks.record_outcome(created->id, 500, "HTTP status 500 (after 5 tries)"));
  ASSERT_OK(webhooks.record_outcome(created->id, 204, ""));
  Result<Webhook> read = webhooks.get(created->id);
  ASSERT_OK(read);
  EXPECT_EQ(read->spec.url, "https://example.com/b");
  EXPECT_EQ(read->spec.kind, WebhookKind::kDiscord);
  EXPECT_EQ(read->spec.events, (std::vector<AlertEvent>{AlertEvent::kFailed, AlertEvent::kJobFailed}));
  EXPECT_EQ(read->last_status, 204);
  EXPECT_EQ(read->last_error, "");
  EXPECT_EQ(read->delivered, 1);
  EXPECT_EQ(read->failed, 1);

  ASSERT_OK(webhooks.remove(created->id));
  EXPECT_EQ(webhooks.get(created->id).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(webhooks.remove(created->id).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(webhooks.update(created->id, *changed).error().code(), ErrorCode::kNotFound);
  EXPECT_OK(webhooks.record_outcome(created->id, 200, ""));  // deleted while a delivery ran: no error
  Result<std::vector<Webhook>> left = webhooks.list();
  ASSERT_OK(left);
  EXPECT_TRUE(left->empty());
}

}  // namespace
}  // namespace left4me::web
