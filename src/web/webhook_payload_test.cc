// The two shapes a webhook is sent in: the plain JSON object docs/api.md documents, and Discord's message.
#include "web/webhook_payload.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace left4me::web {
namespace {

Alert crash() {
  return Alert{AlertEvent::kCrash, 1764756000,  7, "coop <b>@everyone</b>", "the server process ended: SIGKILL",
               std::nullopt,       std::nullopt};
}

TEST(WebhookPayloadTest, PlainJsonHasEveryDocumentedField) {
  nlohmann::json body = nlohmann::json::parse(json_payload(crash()));
  EXPECT_EQ(body, nlohmann::json::parse(R"({"event": "crash", "time": "2025-12-03T10:00:00Z",
      "server": {"id": 7, "name": "coop <b>@everyone</b>"}, "reason": "the server process ended: SIGKILL",
      "job": null, "source": "left4me"})"));

  Alert job{AlertEvent::kJobFailed, 1764756000, std::nullopt, "", "l4d2ctl exit code 1", 12, JobType::kInstall};
  body = nlohmann::json::parse(payload(WebhookKind::kJson, job));
  EXPECT_EQ(body["event"], "job_failed");
  EXPECT_EQ(body["server"], nullptr);
  EXPECT_EQ(body["job"], nlohmann::json::parse(R"({"id": 12, "type": "install"})"));
}

TEST(WebhookPayloadTest, DiscordIsOneLineMentioningNobody) {
  nlohmann::json body = nlohmann::json::parse(payload(WebhookKind::kDiscord, crash()));
  EXPECT_EQ(body["content"],
            "left4me: server coop <b>@everyone</b> crashed and was restarted: the server process ended: SIGKILL");
  EXPECT_EQ(body["allowed_mentions"], nlohmann::json::parse(R"({"parse": []})"));

  Alert job{AlertEvent::kJobFailed, 0, 3, "pub", "line one\nline two", 12, JobType::kStart};
  EXPECT_EQ(nlohmann::json::parse(discord_payload(job))["content"],
            "left4me: start job 12 failed on server pub: line one line two");
  Alert test{AlertEvent::kTest, 0, std::nullopt, "", "", std::nullopt, std::nullopt};
  EXPECT_EQ(nlohmann::json::parse(discord_payload(test))["content"], "left4me: test message from the left4me panel");
}

TEST(WebhookPayloadTest, DiscordContentStaysWithinItsLimitWithoutCuttingACharacter) {
  Alert alert = crash();
  alert.reason = std::string(1995, 'x') + "\xc3\xa9\xc3\xa9\xc3\xa9";  // é é é past the limit
  std::string content = nlohmann::json::parse(discord_payload(alert))["content"];
  EXPECT_LE(content.size(), 2000u);
  EXPECT_TRUE(content.ends_with("..."));
  EXPECT_EQ(content.find("\xef\xbf\xbd"), std::string::npos) << "a character was cut in two";
}

}  // namespace
}  // namespace left4me::web
