// Database: SQLite in WAL mode: one writer connection behind a mutex (foreign keys, busy timeout) and a
// small pool of read-only connections, so reads run in parallel with each other and with the writer. Each
// connection keeps its prepared statements. Thread-safe: every use goes through a Database::Lock.
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace left4me::web {

class Database;

// A prepared statement with positional binds (1-based) and a row cursor. Owned by one thread.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Statement& bind_null(int index);
  template <typename T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  // Advances to the next row: true with a row, false when done, an error otherwise.
  Result<bool> step();
  // Runs a statement that returns no rows to completion.
  Status run();
  // Rewinds for another run with new binds.
  void reset();

  std::int64_t column_int(int index) const;
  std::string column_text(int index) const;
  bool column_is_null(int index) const;
  std::optional<std::int64_t> column_optional_int(int index) const;

 private:
  friend class Database;
  // in_use: the connection's cache slot of a cached statement (reset, not finalized, at the end).
  Statement(sqlite3* db, sqlite3_stmt* statement, bool* in_use) : db_(db), statement_(statement), in_use_(in_use) {}
  sqlite3* db_;
  sqlite3_stmt* statement_;
  bool* in_use_;
};

// Whether a lock may write. kRead takes a read-only connection from the pool: it sees every committed
// change, never an open transaction's.
enum class LockMode { kWrite, kRead };

class Database {
 public:
  // Opens (creating if needed) the database file with WAL, foreign keys and a busy timeout.
  static Result<std::unique_ptr<Database>> open(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  struct Connection;

  // Exclusive use of a connection for the lifetime of the lock: the writer, or a reader from the pool.
  class Lock {
   public:
    explicit Lock(Database& database, LockMode mode = LockMode::kWrite);
    ~Lock();
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;
    // A prepared statement, from the connection's cache when that SQL was prepared before.
    Result<Statement> prepare(std::string_view sql);
    // Runs one or more statements without parameters.
    Status exec(std::string_view sql);
    std::int64_t last_insert_id() const;
    int changes() const;

   private:
    Database& database_;
    Connection* connection_;
    std::unique_lock<std::mutex> writer_guard_;  // held for the writer only
  };

  // A transaction (BEGIN IMMEDIATE) holding the lock; rolled back unless commit() succeeds.
  class Transaction {
   public:
    static Result<std::unique_ptr<Transaction>> begin(Database& database);
    ~Transaction();
    Lock& lock() { return lock_; }
    Result<Statement> prepare(std::string_view sql) { return lock_.prepare(sql); }
    Status commit();

   private:
    explicit Transaction(Database& database) : lock_(database) {}
    Lock lock_;
    bool done_ = false;
  };

  const std::string& path() const { return path_; }
  // The schema version (PRAGMA user_version).
  Result<int> schema_version();
  // PRAGMA integrity_check and foreign_key_check: ok, or an error listing the problems.
  Status check_integrity();
  // Copies the whole database into destination with the online backup API (safe while in use).
  Status backup_to(const std::string& destination);

 private:
  static constexpr int kReaders = 4;
  explicit Database(std::string path);
  Connection* acquire_reader();
  void release_reader(Connection* reader);

  std::string path_;
  std::unique_ptr<Connection> writer_;
  std::mutex writer_mutex_;
  std::vector<std::unique_ptr<Connection>> readers_;
  std::mutex readers_mutex_;
  std::condition_variable reader_free_;
  std::vector<Connection*> idle_readers_;
};

}  // namespace left4me::web
