#include "web/database.h"

#include <gtest/gtest.h>

#include "web/accounts.h"
#include "web/migrations.h"
#include "testing/test_support.h"

namespace left4me::web {
namespace {

TEST(DatabaseTest, MigratesToLatestAndIsIdempotent) {
  test::TempDir dir;
  auto database = Database::open(dir.path() + "/web.db");
  ASSERT_OK(database);
  ASSERT_OK(migrate(**database));
  EXPECT_EQ(*(*database)->schema_version(), latest_schema_version());
  ASSERT_OK(migrate(**database));
  EXPECT_OK((*database)->check_integrity());
}

// What an upgrade of the package does to the database: the new l4d2web migrates it from whatever schema
// the old one left, keeping every row (here an account of schema 1, which later migrations extend).
TEST(DatabaseTest, MigratesADatabaseFromEveryOlderSchemaKeepingItsRows) {
  for (int from = 1; from < latest_schema_version(); ++from) {
    test::TempDir dir;
    auto database = Database::open(dir.path() + "/web.db");
    ASSERT_OK(database);
    ASSERT_OK(migrate_to(**database, from)) << from;
    {
      Database::Lock lock(**database);
      ASSERT_OK(lock.exec("INSERT INTO users (name, password_hash, created_at) VALUES ('alice', 'x', 7)"));
    }
    ASSERT_OK(migrate(**database)) << from;
    EXPECT_EQ(*(*database)->schema_version(), latest_schema_version()) << from;
    Database::Lock lock(**database);
    auto row = lock.prepare("SELECT name, created_at FROM users");
    ASSERT_OK(row);
    ASSERT_TRUE(*row->step()) << from;
    EXPECT_EQ(row->column_text(0), "alice");
    EXPECT_EQ(row->column_int(1), 7);
  }
}

TEST(DatabaseTest, UsesWalAndForeignKeys) {
  test::TempDir dir;
  auto database = Database::open(dir.path() + "/web.db");
  ASSERT_OK(database);
  Database::Lock lock(**database);
  auto mode = lock.prepare("PRAGMA journal_mode");
  ASSERT_OK(mode);
  ASSERT_TRUE(*mode->step());
  EXPECT_EQ(mode->column_text(0), "wal");
  auto keys = lock.prepare("PRAGMA foreign_keys");
  ASSERT_TRUE(*keys->step());
  EXPECT_EQ(keys->column_int(0), 1);
}

TEST(DatabaseTest, RefusesNewerSchema) {
  test::TempDir dir;
  auto database = Database::open(dir.path() + "/web.db");
  ASSERT_OK(database);
  {
    Database::Lock lock(**database);
    ASSERT_OK(lock.exec("PRAGMA user_version = 999"));
  }
  Status status = migrate(**database);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message().find("newer than this build"), std::string::npos);
}

TEST(DatabaseTest, TransactionRollsBackUnlessCommitted) {
  test::TempDir dir;
  auto database = Database::open(dir.path() + "/web.db");
  ASSERT_OK(migrate(**database));
  {
    auto transaction = Database::Transaction::begin(**database);
    ASSERT_OK(transaction);
    ASSERT_OK((*transaction)->lock().exec("INSERT INTO users (name, password_hash, created_at) VALUES ('a','x',0)"));
  }
  Accounts accounts(**database, "secret");
  EXPECT_EQ(*accounts.count_users(), 0);
}

TEST(DatabaseTest, BackupCopiesEverything) {
  test::TempDir dir;
  auto database = Database::open(dir.path() + "/web.db");
  ASSERT_OK(migrate(**database));
  {
    Database::Lock lock(**database);
    ASSERT_OK(lock.exec("INSERT INTO users (name, password_hash, created_at) VALUES ('a','x',0)"));
  }
  ASSERT_OK((*database)->backup_to(dir.path() + "/copy.db"));
  auto copy = Database::open(dir.path() + "/copy.db");
  ASSERT_OK(copy);
  EXPECT_OK((*copy)->check_integrity());
  Accounts accounts(**copy, "secret");
  EXPECT_EQ(*accounts.count_users(), 1);
}

TEST(DatabaseTest, ReadersSeeCommittedRowsWithoutWaitingForTheWriter) {
  test::TempDir dir;
  auto database = Database::open(dir.path() + "/web.db");
  ASSERT_OK(migrate(**database));
  auto count = [&] {
    Database::Lock reader(**database, LockMode::kRead);
    auto select = reader.prepare("SELECT count(*) FROM users");
    EXPECT_OK(select);
    if (!select) return std::int64_t{-1};
    EXPECT_TRUE(*select->step());
    return select->column_int(0);
  };
  {
    Database::Lock lock(**database);
    ASSERT_OK(lock.exec("INSERT INTO users (name, password_hash, created_at) VALUES ('a','x',0)"));
  }
  auto transaction = Database::Transaction::begin(**database);
  ASSERT_OK(transaction);
  ASSERT_OK((*transaction)->lock().exec("INSERT INTO users (name, password_hash, created_at) VALUES ('b','x',0)"));
  EXPECT_EQ(count(), 1);  // the writer is busy; a reader still answers, without the uncommitted row
  ASSERT_OK((*transaction)->commit());
  EXPECT_EQ(count(), 2);
  Database::Lock reader(**database, LockMode::kRead);
  EXPECT_FALSE(reader.exec("INSERT INTO users (name, password_hash, created_at) VALUES ('c','x',0)").ok());
}

TEST(DatabaseTest, TheSameStatementTwiceAtOnceWorks) {
  test::TempDir dir;
  auto database = Database::open(dir.path() + "/web.db");
  ASSERT_OK(database);
  Database::Lock lock(**database);
  for (int round = 0; round < 3; ++round) {  // later rounds come from the statement cache
    auto outer = lock.prepare("SELECT ?");
    auto inner = lock.prepare("SELECT ?");
    ASSERT_OK(outer);
    ASSERT_OK(inner);
    outer->bind(1, 1);
    inner->bind(1, 2);
    ASSERT_TRUE(*outer->step());
    ASSERT_TRUE(*inner->step());
    EXPECT_EQ(outer->column_int(0), 1);
    EXPECT_EQ(inner->column_int(0), 2);
  }
  auto fresh = lock.prepare("SELECT ?");  // a cached statement comes back reset, without old binds
  ASSERT_OK(fresh);
  ASSERT_TRUE(*fresh->step());
  EXPECT_TRUE(fresh->column_is_null(0));
}

TEST(DatabaseTest, OpenFailureNamesThePath) {
  auto database = Database::open("/nonexistent-dir/x/web.db");
  ASSERT_FALSE(database.ok());
  EXPECT_NE(database.error().message().find("/nonexistent-dir/x/web.db"), std::string::npos);
}

}  // namespace
}  // namespace left4me::web
