// may(): every action against the owner, an administrator, each share role and a stranger, written out as a table
// here rather than derived from least_role, so a change to the rule shows up as a failing row.
#include "web/authorization.h"

#include <gtest/gtest.h>

#include <map>

namespace left4me::web {
namespace {

constexpr Decision A = Decision::kAllowed;
constexpr Decision F = Decision::kForbidden;
constexpr Decision H = Decision::kHidden;

struct Row {
  ServerAction action;
  Decision viewer, operator_, manager;
};

// Owner and administrators may everything; strangers see nothing.
constexpr Row kTable[] = {
    {ServerAction::kView, A, A, A},         {ServerAction::kConsoleRead, A, A, A},
    {ServerAction::kStart, F, A, A},        {ServerAction::kStop, F, A, A},
    {ServerAction::kRestart, F, A, A},      {ServerAction::kRcon, F, A, A},
    {ServerAction::kRconPassword, F, F, F}, {ServerAction::kChangeBlueprint, F, F, A},
    {ServerAction::kShare, F, F, A},        {ServerAction::kSchedule, F, F, A},
    {ServerAction::kDelete, F, F, F},       {ServerAction::kSwitchBuild, F, F, F},
};

TEST(AuthorizationTest, EveryActionForEveryRole) {
  Server server;
  server.id = 7;
  server.name = "alpha";
  server.owner_id = 1;
  User owner{.id = 1, .name = "alice"};
  User admin{.id = 2, .name = "root", .is_admin = true};
  User other{.id = 3, .name = "bob"};
  for (const Row& row : kTable) {
    SCOPED_TRACE(std::string(describe(row.action)));
    EXPECT_EQ(may(owner, row.action, server, std::nullopt), A);
    EXPECT_EQ(may(admin, row.action, server, std::nullopt), A);
    EXPECT_EQ(may(other, row.action, server, std::nullopt), H);
    EXPECT_EQ(may(other, row.action, server, ShareRole::kViewer), row.viewer);
    EXPECT_EQ(may(other, row.action, server, ShareRole::kOperator), row.operator_);
    EXPECT_EQ(may(other, row.action, server, ShareRole::kManager), row.manager);
  }
  EXPECT_EQ(std::size(kTable), static_cast<std::size_t>(ServerAction::kSwitchBuild) + 1);  // every action has a row
}

TEST(AuthorizationTest, AuthorizeAnswersHiddenAsAMissingServerAndForbiddenWithTheRole) {
  Server server;
  server.id = 7;
  server.name = "alpha";
  server.owner_id = 1;
  User bob{.id = 3, .name = "bob"};
  Status hidden = authorize(bob, ServerAction::kView, server);
  ASSERT_FALSE(hidden);
  EXPECT_EQ(hidden.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(hidden.error().message(), "server 7 not found");
  server.viewer_share = ShareRole::kViewer;
  EXPECT_TRUE(authorize(bob, ServerAction::kView, server));
  Status forbidden = authorize(bob, ServerAction::kStart, server);
  ASSERT_FALSE(forbidden);
  EXPECT_EQ(forbidden.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(forbidden.error().message(), "as a viewer of server 'alpha', you may not start it");
  server.viewer_share = ShareRole::kOperator;
  EXPECT_EQ(authorize(bob, ServerAction::kDelete, server).error().message(),
            "as an operator of server 'alpha', you may not delete it");
}

}  // namespace
}  // namespace left4me::web
