// The one rule for a server's state (view_server) and the render-cache key of a view.
#include "web/server_view.h"

#include <gtest/gtest.h>

namespace left4me::web {
namespace {

// A server the panel manages (it made or adopted instance "web-1"), last recorded as stopped.
Server managed(ServerState recorded = ServerState::kStopped) {
  Server server;
  server.id = 1;
  server.name = "alpha";
  server.instance = "web-1";
  server.owns_instance = true;
  server.recorded_state = recorded;
  return server;
}

StatusMap host_says(const std::string& instance, nlohmann::json status) { return {{instance, std::move(status)}}; }

TEST(ServerViewTest, TheHostsStateWinsForAnInstanceThePanelManages) {
  Server server = managed();
  StatusMap statuses = host_says("web-1", {{"name", "web-1"}, {"state", "running"}, {"pid", 42}});
  ServerView view = view_server(server, HostStatuses::answered(statuses));
  EXPECT_EQ(view.state, ServerState::kRunning);
  ASSERT_NE(view.host, nullptr);
  EXPECT_EQ((*view.host)["pid"], 42);
}

TEST(ServerViewTest, AbsentFromTheHostIsNew) {
  Server server = managed(ServerState::kRunning);
  StatusMap statuses = host_says("web-2", {{"state", "running"}});
  ServerView view = view_server(server, HostStatuses::answered(statuses));
  EXPECT_EQ(view.state, ServerState::kNew);
  EXPECT_EQ(view.host, nullptr);
}

// Whatever the host holds under the name of a server the panel has not started is not the server's.
TEST(ServerViewTest, AnInstanceThePanelDoesNotManageIsNewWhateverTheHostSays) {
  Server server = managed(ServerState::kNew);
  server.owns_instance = false;
  StatusMap statuses = host_says("web-1", {{"state", "running"}, {"live", {{"map", "c1m1_hotel"}}}});
  ServerView view = view_server(server, HostStatuses::answered(statuses));
  EXPECT_EQ(view.state, ServerState::kNew);
  EXPECT_EQ(view.host, nullptr) << "its live parts are not shown either";
  EXPECT_EQ(view_server(server, HostStatuses::no_answer()).state, ServerState::kNew);
}

TEST(ServerViewTest, NothingKnownYetKeepsTheRecordedState) {
  Server server = managed(ServerState::kFailed);
  ServerView view = view_server(server, HostStatuses::not_known());
  EXPECT_EQ(view.state, ServerState::kFailed);
  EXPECT_EQ(view.host, nullptr);
}

TEST(ServerViewTest, AHostThatDoesNotAnswerLeavesItsServersUnknown) {
  EXPECT_EQ(view_server(managed(ServerState::kRunning), HostStatuses::no_answer()).state, ServerState::kUnknown);
}

// `l4d2ctl list` shows an instance it cannot read as {"name","error"}: the server keeps its recorded state.
TEST(ServerViewTest, AnUnreadableStatusKeepsTheRecordedStateAStrangeOneIsUnknown) {
  Server server = managed(ServerState::kRunning);
  StatusMap unreadable = host_says("web-1", {{"name", "web-1"}, {"error", "state.json: not JSON"}});
  EXPECT_EQ(view_server(server, HostStatuses::answered(unreadable)).state, ServerState::kRunning);
  StatusMap strange = host_says("web-1", {{"name", "web-1"}, {"state", "hibernating"}});
  EXPECT_EQ(view_server(server, HostStatuses::answered(strange)).state, ServerState::kUnknown);
  EXPECT_EQ(reported_state(strange["web-1"]), ServerState::kUnknown);
  EXPECT_EQ(reported_state(unreadable["web-1"]), std::nullopt);
}

TEST(ServerViewTest, ActionsFollowTheStateAndWaitForAPendingJob) {
  Server server = managed();
  StatusMap running = host_says("web-1", {{"state", "running"}});
  ServerView up = view_server(server, HostStatuses::answered(running));
  EXPECT_FALSE(up.may_start());
  EXPECT_TRUE(up.may_stop());
  EXPECT_TRUE(up.may_restart());
  ServerView down = view_server(server, HostStatuses::not_known());
  EXPECT_TRUE(down.may_start());
  EXPECT_FALSE(down.may_stop());
  ServerView busy = view_server(server, HostStatuses::not_known(), PendingJob{JobType::kStart, JobState::kQueued});
  EXPECT_FALSE(busy.may_start());
  EXPECT_FALSE(busy.may_stop());
}

std::string key_of(const ServerView& view) {
  CacheKey key;
  add_to_key(key, view);
  return std::move(key).take();
}

// The render cache serves a view's text for as long as its key is the same: every input must change it.
TEST(ServerViewTest, EveryInputOfAViewChangesItsCacheKey) {
  Server server = managed();
  StatusMap first = host_says("web-1", {{"state", "running"}});
  StatusMap second = host_says("web-1", {{"state", "running"}});
  const std::string base = key_of(view_server(server, HostStatuses::answered(first)));
  EXPECT_EQ(key_of(view_server(server, HostStatuses::answered(first))), base);
  EXPECT_NE(key_of(view_server(server, HostStatuses::answered(second))), base) << "another status object";
  EXPECT_NE(key_of(view_server(server, HostStatuses::not_known())), base);
  EXPECT_NE(key_of(view_server(server, HostStatuses::answered(first), PendingJob{})), base);
  std::vector<void (*)(Server&)> changes = {
      [](Server& s) { s.id = 2; },
      [](Server& s) { s.name = "beta"; },
      [](Server& s) { s.instance = "web-9"; },
      [](Server& s) { s.owns_instance = false; },
      [](Server& s) { s.owner_id = 7; },
      [](Server& s) { s.owner_name = "bob"; },
      [](Server& s) { s.blueprint_id = 3; },
      [](Server& s) { s.blueprint_name = "other"; },
      [](Server& s) { s.blueprint_version = 5; },
      [](Server& s) { s.port = 27016; },
      [](Server& s) { s.recorded_state = ServerState::kFailed; },
      [](Server& s) { s.applied_blueprint_id = 3; },
      [](Server& s) { s.applied_version = 2; },
      [](Server& s) { s.created_at = 99; },
  };
  for (std::size_t i = 0; i < changes.size(); ++i) {
    Server changed = server;
    changes[i](changed);
    EXPECT_NE(key_of(view_server(changed, HostStatuses::answered(first))), base) << "change " << i;
  }
}

}  // namespace
}  // namespace left4me::web
