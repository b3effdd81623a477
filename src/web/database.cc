#include "web/database.h"

#include <fmt/format.h>

#include <functional>
#include <unordered_map>

namespace left4me::web {
namespace {

Error sqlite_error(sqlite3* db, std::string_view what) {
  int code = sqlite3_extended_errcode(db);
  ErrorCode kind = ErrorCode::kFailed;
  if ((code & 0xff) == SQLITE_CONSTRAINT) kind = ErrorCode::kAlreadyExists;
  if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED) kind = ErrorCode::kUnavailable;
  return Error(kind, fmt::format("sqlite: {}: {}", what, sqlite3_errmsg(db)));
}

// Transparent hashing: look statements up by string_view without building a string.
struct SqlHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
};

}  // namespace

struct Database::Connection {
  struct Cached {
    sqlite3_stmt* statement = nullptr;
    bool in_use = false;
  };
  // Beyond this many distinct statements the rest are prepared each time.
  static constexpr std::size_t kMaxCached = 256;

  sqlite3* db = nullptr;
  std::unordered_map<std::string, Cached, SqlHash, std::equal_to<>> cache;

  ~Connection() {
    for (auto& [sql, cached] : cache) sqlite3_finalize(cached.statement);
    sqlite3_close_v2(db);
  }
};

namespace {

Result<std::unique_ptr<Database::Connection>> open_connection(const std::string& path, int flags) {
  auto connection = std::make_unique<Database::Connection>();
  // NOMUTEX: a Lock gives one thread a connection at a time; SQLite's own mutex would be redundant.
  int rc = sqlite3_open_v2(path.c_str(), &connection->db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = connection->db != nullptr ? sqlite3_errmsg(connection->db) : sqlite3_errstr(rc);
    return Error::failed(fmt::format("open database '{}': {}", path, message));
  }
  sqlite3_busy_timeout(connection->db, 5000);
  return connection;
}

}  // namespace

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), statement_(other.statement_), in_use_(other.in_use_) {
  other.statement_ = nullptr;
  other.in_use_ = nullptr;
}

Statement::~Statement() {
  if (statement_ == nullptr) return;
  if (in_use_ != nullptr) {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
    *in_use_ = false;
  } else {
    sqlite3_finalize(statement_);
  }
}

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(statement_, index, value);
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  sqlite3_bind_text(statement_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(statement_, index);
  return *this;
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_error(db_, sqlite3_sql(statement_));
}

Status Statement::run() {
  for (;;) {
    Result<bool> row = step();
    if (!row) return row.error();
    if (!*row) return ok_status();
  }
}

void Statement::reset() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

std::int64_t Statement::column_int(int index) const { return sqlite3_column_int64(statement_, index); }

std::string Statement::column_text(int index) const {
  const unsigned char* text = sqlite3_column_text(statement_, index);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(sqlite3_column_bytes(statement_, index)));
}

bool Statement::column_is_null(int index) const { return sqlite3_column_type(statement_, index) == SQLITE_NULL; }

std::optional<std::int64_t> Statement::column_optional_int(int index) const {
  if (column_is_null(index)) return std::nullopt;
  return column_int(index);
}

Database::Database(std::string path) : path_(std::move(path)) {}

Result<std::unique_ptr<Database>> Database::open(const std::string& path) {
  std::unique_ptr<Database> database(new Database(path));
  Result<std::unique_ptr<Connection>> writer = open_connection(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!writer) return writer.error();
  database->writer_ = std::move(*writer);
  {
    Lock lock(*database);
    // WAL lets readers (the pool, backups, a second process) work while the app writes.
    if (Status status = lock.exec("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;");
        !status) {
      return status.error().with_context(fmt::format("open database '{}'", path));
    }
  }
  for (int i = 0; i < kReaders; ++i) {
    Result<std::unique_ptr<Connection>> reader = open_connection(path, SQLITE_OPEN_READONLY);
    if (!reader) return reader.error();
    database->idle_readers_.push_back(reader->get());
    database->readers_.push_back(std::move(*reader));
  }
  return database;
}

Database::~Database() = default;

Database::Connection* Database::acquire_reader() {
  std::unique_lock<std::mutex> lock(readers_mutex_);
  reader_free_.wait(lock, [this] { return !idle_readers_.empty(); });
  Connection* reader = idle_readers_.back();
  idle_readers_.pop_back();
  return reader;
}

void Database::release_reader(Connection* reader) {
  {
    std::lock_guard<std::mutex> guard(readers_mutex_);
    idle_readers_.push_back(reader);
  }
  reader_free_.notify_one();
}

Database::Lock::Lock(Database& database, LockMode mode) : database_(database) {
  if (mode == LockMode::kRead) {
    connection_ = database.acquire_reader();
  } else {
    writer_guard_ = std::unique_lock<std::mutex>(database.writer_mutex_);
    connection_ = database.writer_.get();
  }
}

Database::Lock::~Lock() {
  if (!writer_guard_.owns_lock()) database_.release_reader(connection_);
}

Result<Statement> Database::Lock::prepare(std::string_view sql) {
  sqlite3* db = connection_->db;
  auto& cache = connection_->cache;
  auto it = cache.find(sql);
  if (it != cache.end() && !it->second.in_use) {
    it->second.in_use = true;
    return Statement(db, it->second.statement, &it->second.in_use);
  }
  sqlite3_stmt* statement = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &statement, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db, sql);
  // Cache the first of each SQL text (a second one alive at the same time is prepared on its own).
  if (it == cache.end() && statement != nullptr && cache.size() < Connection::kMaxCached) {
    auto [inserted, unused] = cache.emplace(std::string(sql), Connection::Cached{statement, true});
    return Statement(db, statement, &inserted->second.in_use);
  }
  return Statement(db, statement, nullptr);
}

Status Database::Lock::exec(std::string_view sql) {
  sqlite3* db = connection_->db;
  std::string text(sql);
  char* message = nullptr;
  int rc = sqlite3_exec(db, text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string why = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    Error error = sqlite_error(db, text.substr(0, 60));
    return Error(error.code(), fmt::format("sqlite: {}: {}", text.substr(0, 60), why));
  }
  return ok_status();
}

std::int64_t Database::Lock::last_insert_id() const { return sqlite3_last_insert_rowid(connection_->db); }
int Database::Lock::changes() const { return sqlite3_changes(connection_->db); }

Result<std::unique_ptr<Database::Transaction>> Database::Transaction::begin(Database& database) {
  std::unique_ptr<Transaction> transaction(new Transaction(database));
  if (Status status = transaction->lock_.exec("BEGIN IMMEDIATE"); !status) {
    transaction->done_ = true;
    return status.error();
  }
  return transaction;
}

Database::Transaction::~Transaction() {
  if (!done_) (void)lock_.exec("ROLLBACK");
}

Status Database::Transaction::commit() {
  Status status = lock_.exec("COMMIT");
  if (status) done_ = true;
  return status;
}

Result<int> Database::schema_version() {
  Lock lock(*this);
  Result<Statement> statement = lock.prepare("PRAGMA user_version");
  if (!statement) return statement.error();
  Result<bool> row = statement->step();
  if (!row) return row.error();
  return static_cast<int>(statement->column_int(0));
}

Status Database::check_integrity() {
  Lock lock(*this);
  std::vector<std::string> problems;
  for (std::string_view pragma : {"PRAGMA integrity_check", "PRAGMA foreign_key_check"}) {
    Result<Statement> statement = lock.prepare(pragma);
    if (!statement) return statement.error();
    for (;;) {
      Result<bool> row = statement->step();
      if (!row) return row.error();
      if (!*row) break;
      std::string text = statement->column_text(0);
      if (pragma == "PRAGMA integrity_check" && text == "ok") continue;
      if (pragma == "PRAGMA foreign_key_check") {
        text = fmt::format("foreign key violation in table '{}' row {}", text, statement->column_int(1));
      }
      problems.push_back(text);
    }
  }
  if (problems.empty()) return ok_status();
  std::string message = "integrity check of '" + path_ + "' failed:";
  for (const std::string& problem : problems) message += "\n  " + problem;
  return Error::failed(message);
}

Status Database::backup_to(const std::string& destination) {
  sqlite3* target = nullptr;
  if (sqlite3_open_v2(destination.c_str(), &target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    std::string message = target != nullptr ? sqlite3_errmsg(target) : "cannot allocate";
    sqlite3_close(target);
    return Error::failed(fmt::format("backup to '{}': {}", destination, message));
  }
  Status result = ok_status();
  {
    Lock lock(*this);
    sqlite3_backup* backup = sqlite3_backup_init(target, "main", writer_->db, "main");
    if (backup == nullptr) {
      result = Error::failed(fmt::format("backup to '{}': {}", destination, sqlite3_errmsg(target)));
    } else {
      int rc = sqlite3_backup_step(backup, -1);
      sqlite3_backup_finish(backup);
      if (rc != SQLITE_DONE) {
        result = Error::failed(fmt::format("backup to '{}': {}", destination, sqlite3_errstr(rc)));
      }
    }
  }
  sqlite3_close(target);
  return result;
}

}  // namespace left4me::web
