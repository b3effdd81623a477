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

// What an upgrade of the package does to the database: the new l4d2web migrates it from whatever schema
// the old one left, keeping every row (here an account of schema 1, which later migrations extend).
TEST(DatabaseTest, MigratesADatabaseFromEveryOlderSchemaKeepingItsRows) {
  for (int from = 1; from < latest_schema_version(); ++from) {
    testing::TempDir dir;
    auto database = Database::open(dir.path() + "/web.db");
    ASSERT_TRUE(database.ok()) << database.error().message();
    ASSERT_TRUE(migrate_to(**database, from).ok()) << from;
    {
      Database::Lock lock(**database);
      ASSERT_TRUE(lock.exec("INSERT INTO users (name, password_hash, created_at) VALUES ('alice', 'x', 7)").ok());
    }
    ASSERT_TRUE(migrate(**database).ok()) << from;
    EXPECT_EQ(*(*database)->schema_version(), latest_schema_version()) << from;
    Database::Lock lock(**database);
    auto row = lock.prepare("SELECT name, created_at FROM users");
    ASSERT_TRUE(row.ok());
    ASSERT_TRUE(*row->step()) << from;
    EXPECT_EQ(row->column_text(0), "alice");
    EXPECT_EQ(row->column_int(1), 7);
  }
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
    ASSERT_TRUE(
        (*transaction)->lock().exec("INSERT INTO users (name, password_hash, created_at) VALUES ('a','x',0)").ok());
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

TEST(DatabaseTest, ReadersSeeCommittedRowsWithoutWaitingForTheWriter) {
  testing::TempDir dir;
  auto database = Database::open(dir.path() + "/web.db");
  ASSERT_TRUE(migrate(**database).ok());
  auto count = [&] {
    Database::Lock reader(**database, LockMode::kRead);
    auto select = reader.prepare("SELECT count(*) FROM users");
    EXPECT_TRUE(select.ok() && *select->step());
    return select->column_int(0);
  };
  {
    Database::Lock lock(**database);
    ASSERT_TRUE(lock.exec("INSERT INTO users (name, password_hash, created_at) VALUES ('a','x',0)").ok());
  }
  auto transaction = Database::Transaction::begin(**database);
  ASSERT_TRUE(transaction.ok());
  ASSERT_TRUE(
      (*transaction)->lock().exec("INSERT INTO users (name, password_hash, created_at) VALUES ('b','x',0)").ok());
  EXPECT_EQ(count(), 1);  // the writer is busy; a reader still answers, without the uncommitted row
  ASSERT_TRUE((*transaction)->commit().ok());
  EXPECT_EQ(count(), 2);
  Database::Lock reader(**database, LockMode::kRead);
  EXPECT_FALSE(reader.exec("INSERT INTO users (name, password_hash, created_at) VALUES ('c','x',0)").ok());
}

TEST(DatabaseTest, TheSameStatementTwiceAtOnceWorks) {
  testing::TempDir dir;
  auto database = Database::open(dir.path() + "/web.db");
  ASSERT_TRUE(database.ok());
  Database::Lock lock(**database);
  for (int round = 0; round < 3; ++round) {  // later rounds come from the statement cache
    auto outer = lock.prepare("SELECT ?");
    auto inner = lock.prepare("SELECT ?");
    ASSERT_TRUE(outer.ok() && inner.ok());
    outer->bind(1, 1);
    inner->bind(1, 2);
    ASSERT_TRUE(*outer->step());
    ASSERT_TRUE(*inner->step());
    EXPECT_EQ(outer->column_int(0), 1);
    EXPECT_EQ(inner->column_int(0), 2);
  }
  auto fresh = lock.prepare("SELECT ?");  // a cached statement comes back reset, without old binds
  ASSERT_TRUE(fresh.ok() && *fresh->step());
  EXPECT_TRUE(fresh->column_is_null(0));
}

TEST(DatabaseTest, OpenFailureNamesThePath) {
  auto database = Database::open("/nonexistent-dir/x/web.db");
  ASSERT_FALSE(database.ok());
  EXPECT_NE(database.error().message().find("/nonexistent-dir/x/web.db"), std::string::npos);
}

}  // namespace
}  // namespace left4me::web
