// The audit log on a real SQLite file: rows as recorded, newest first, in pages.
#include "web/audit.h"

#include <gtest/gtest.h>

#include "testing/test_support.h"
#include "web/accounts.h"
#include "web/migrations.h"

namespace left4me::web {
namespace {

TEST(AuditLogTest, ListsNewestFirstInPages) {
  test::TempDir dir;
  auto database = Database::open(dir.path() + "/web.db");
  ASSERT_OK(database);
  ASSERT_OK(migrate(**database));
  AuditLog audit(**database);
  EXPECT_TRUE(audit.list(0, 10)->entries.empty());
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK(audit.record({std::nullopt, "root"}, audit::kTwoFactorReset, "user u" + std::to_string(i), "why"));
  }
  Result<AuditPage> first = audit.list(0, 2);
  ASSERT_OK(first);
  ASSERT_EQ(first->entries.size(), 2u);
  EXPECT_TRUE(first->has_more);
  EXPECT_EQ(first->entries[0].target, "user u4");
  EXPECT_EQ(first->entries[0].action, audit::kTwoFactorReset);
  EXPECT_EQ(first->entries[0].actor.name, "root");
  EXPECT_FALSE(first->entries[0].actor.id);
  EXPECT_EQ(first->entries[0].detail, "why");
  EXPECT_GT(first->entries[0].at, 0);
  Result<AuditPage> last = audit.list(2, 2);
  ASSERT_EQ(last->entries.size(), 1u);
  EXPECT_FALSE(last->has_more);
  EXPECT_EQ(last->entries[0].target, "user u0");
  EXPECT_EQ(audit.list(-1, 2).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(audit.list(0, 0).error().code(), ErrorCode::kInvalidArgument);
}

// The row keeps the actor's name after the user is gone.
TEST(AuditLogTest, KeepsTheActorsNameWhenTheUserGoes) {
  ::setenv("LEFT4ME_FAST_PASSWORD_HASH", "1", 1);
  test::TempDir dir;
  auto database = Database::open(dir.path() + "/web.db");
  ASSERT_OK(database);
  ASSERT_OK(migrate(**database));
  Accounts accounts(**database, "key");
  Result<User> ann = accounts.create_user("ann", "password-ann", Role::kUser);
  ASSERT_OK(ann);
  AuditLog audit(**database);
  ASSERT_OK(audit.record({ann->id, ann->name}, audit::kTwoFactorEnabled, "user ann"));
  {
    Database::Lock lock(**database);
    ASSERT_OK(lock.exec("DELETE FROM users"));
  }
  Result<AuditPage> page = audit.list(0, 10);
  ASSERT_EQ(page->entries.size(), 1u);
  EXPECT_FALSE(page->entries[0].actor.id);
  EXPECT_EQ(page->entries[0].actor.name, "ann");
}

}  // namespace
}  // namespace left4me::web
