#include "web/database.h"

#include <gtest/gtest.h>

#include "web/accounts.h"
#include "web/migrations.h"
#include "web/test_support.h"

namespace left4me::web {
namespace {

TEST(DatabaseTest, MigratesToLatestAndIsIdempotent) {
  testing::TempDir dir;
  auto database = Database::open(dir.path() + "/web.db");
  ASSERT_TRUE(database.ok()) << database.error().message();
  ASSERT_TRUE(migrate(**database).ok());
  EXPECT_EQ(*(*database)->schema_version(), latest_schema_version());
  ASSERT_TRUE(migrate(**database).ok());
  EXPECT_TRUE((*database)->check_integrity().ok());
}

TEST(DatabaseTest, UsesWalAndForeignKeys) {
  testing::TempDir dir;
  auto database = Database::open(dir.path() + "/web.db");
  ASSERT_TRUE(database.ok());
  Database::Lock lock(**database);
  auto mode = lock.prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  ASSERT_TRUE(*mode->step());
  EXPECT_EQ(mode->column_text(0), "wal");
  auto keys = lock.prepare("PRAGMA foreign_keys");
  ASSERT_TRUE(*keys->step());
  EXPECT_EQ(keys->column_int(0), 1);
}

TEST(DatabaseTest, RefusesNewerSchema) {
  testing::TempDir dir;
  auto database = Database::open(dir.path() + "/web.db");
  ASSERT_TRUE(database.ok());
  {
    Database::Lock lock(**database);
    ASSERT_TRUE(lock.exec("PRAGMA user_version = 999").ok());
  }
  Status status = migrate(**database);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message().find("newer than this build"), std::string::npos);
}

TEST(DatabaseTest, TransactionRollsBackUnlessCommitted) {
  testing::TempDir dir;
  auto database = Database::open(dir.path() + "/web.db");
  ASSERT_TRUE(migrate(**database).ok());
  {
    auto transaction = Database::Transaction::begin(**database);
    ASSERT_TRUE(transaction.ok());
    ASSERT_TRUE((*transaction)->lock().exec("INSERT INTO users (name, password_hash, created_at) VALUES ('a','x',0)").ok());
  }
  Accounts accounts(**database, "secret");
  EXPECT_EQ(*accounts.count_users(), 0);
}

TEST(DatabaseTest, BackupCopiesEverything) {
  testing::TempDir dir;
  auto database = Database::open(dir.path() + "/web.db");
  ASSERT_TRUE(migrate(**database).ok());
  {
    Database::Lock lock(**database);
    ASSERT_TRUE(lock.exec("INSERT INTO users (name, password_hash, created_at) VALUES ('a','x',0)").ok());
  }
  ASSERT_TRUE((*database)->backup_to(dir.path() + "/copy.db").ok());
  auto copy = Database::open(dir.path() + "/copy.db");
  ASSERT_TRUE(copy.ok());
  EXPECT_TRUE((*copy)->check_integrity().ok());
  Accounts accounts(**copy, "secret");
  EXPECT_EQ(*accounts.count_users(), 1);
}

TEST(DatabaseTest, OpenFailureNamesThePath) {
  auto database = Database::open("/nonexistent-dir/x/web.db");
  ASSERT_FALSE(database.ok());
  EXPECT_NE(database.error().message().find("/nonexistent-dir/x/web.db"), std::string::npos);
}

}  // namespace
}  // namespace left4me::web
