// The one conversion of server states, job states and job types to and from text.
#include "web/states.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace left4me::web {
namespace {

TEST(StatesTest, EveryServerStateHasOneNameThatParsesBack) {
  std::set<std::string_view> names;
  for (ServerState state : {ServerState::kNew, ServerState::kStopped, ServerState::kStarting, ServerState::kRunning,
                            ServerState::kFailed, ServerState::kUnknown}) {
    std::string_view name = to_string(state);
    EXPECT_FALSE(name.empty());
    EXPECT_TRUE(names.insert(name).second) << name;
    EXPECT_EQ(parse_server_state(name), state) << name;
  }
  // The host's names (l4d2ctl status) are ours.
  EXPECT_EQ(parse_server_state("running"), ServerState::kRunning);
  EXPECT_EQ(parse_server_state("stopped"), ServerState::kStopped);
  EXPECT_EQ(parse_server_state("Running"), std::nullopt);
  EXPECT_EQ(parse_server_state(""), std::nullopt);
}

TEST(StatesTest, EveryJobStateAndTypeHasOneNameThatParsesBack) {
  std::set<std::string_view> names;
  for (JobState state : all_job_states()) {
    EXPECT_TRUE(names.insert(to_string(state)).second);
    EXPECT_EQ(parse_job_state(to_string(state)), state);
  }
  EXPECT_EQ(names,
            (std::set<std::string_view>{"queued", "running", "succeeded", "failed", "cancelled", "interrupted"}));
  std::set<std::string_view> types;
  for (JobType type : {JobType::kStart, JobType::kStop, JobType::kRestart, JobType::kDelete, JobType::kInstall}) {
    EXPECT_TRUE(types.insert(to_string(type)).second);
    EXPECT_EQ(parse_job_type(to_string(type)), type);
  }
  EXPECT_EQ(parse_job_type("reboot"), std::nullopt);
  EXPECT_EQ(parse_job_state("done"), std::nullopt);
}

TEST(StatesTest, EveryShareRoleHasOneNameThatParsesBackInOrderOfPower) {
  std::vector<std::string_view> names;
  for (ShareRole role : all_share_roles()) {
    names.push_back(to_string(role));
    EXPECT_EQ(parse_share_role(to_string(role)), role);
  }
  EXPECT_EQ(names, (std::vector<std::string_view>{"viewer", "operator", "manager"}));
  EXPECT_LT(ShareRole::kViewer, ShareRole::kOperator);
  EXPECT_LT(ShareRole::kOperator, ShareRole::kManager);
  EXPECT_EQ(parse_share_role("owner"), std::nullopt);
  EXPECT_EQ(parse_share_role("Viewer"), std::nullopt);
}

TEST(StatesTest, UpAndPending) {
  EXPECT_TRUE(is_up(ServerState::kStarting));
  EXPECT_TRUE(is_up(ServerState::kRunning));
  for (ServerState down : {ServerState::kNew, ServerState::kStopped, ServerState::kFailed, ServerState::kUnknown}) {
    EXPECT_FALSE(is_up(down)) << to_string(down);
  }
  for (JobState state : all_job_states()) {
    EXPECT_EQ(is_pending(state), state == JobState::kQueued || state == JobState::kRunning) << to_string(state);
  }
}

}  // namespace
}  // namespace left4me::web
