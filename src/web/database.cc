#include "web/database.h"

#include <fmt/format.h>

namespace left4me::web {
namespace {

Error sqlite_error(sqlite3* db, std::string_view what) {
  int code = sqlite3_extended_errcode(db);
  ErrorCode kind = ErrorCode::kFailed;
  if ((code & 0xff) == SQLITE_CONSTRAINT) kind = ErrorCode::kAlreadyExists;
  if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED) kind = ErrorCode::kUnavailable;
  return Error(kind, fmt::format("sqlite: {}: {}", what, sqlite3_errmsg(db)));
}

}  // namespace

Statement::Statement(Statement&& other) noexcept : db_(other.db_), statement_(other.statement_) {
  other.statement_ = nullptr;
}

Statement::~Statement() {
  if (statement_ != nullptr) sqlite3_finalize(statement_);
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

Result<std::unique_ptr<Database>> Database::open(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Error::failed(fmt::format("open database '{}': {}", path, message));
  }
  std::unique_ptr<Database> database(new Database(db, path));
  sqlite3_busy_timeout(db, 5000);
  Lock lock(*database);
  // WAL lets readers (backups, a second process) work while the app writes.
  if (Status status = lock.exec("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;");
      !status) {
    return status.error().with_context(fmt::format("open database '{}'", path));
  }
  return database;
}

Database::~Database() { sqlite3_close_v2(db_); }

Result<Statement> Database::Lock::prepare(std::string_view sql) {
  sqlite3_stmt* statement = nullptr;
  int rc = sqlite3_prepare_v2(database_.db_, sql.data(), static_cast<int>(sql.size()), &statement, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(database_.db_, sql);
  return Statement(database_.db_, statement);
}

Status Database::Lock::exec(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  int rc = sqlite3_exec(database_.db_, text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string why = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    Error error = sqlite_error(database_.db_, text.substr(0, 60));
    return Error(error.code(), fmt::format("sqlite: {}: {}", text.substr(0, 60), why));
  }
  return ok_status();
}

std::int64_t Database::Lock::last_insert_id() const { return sqlite3_last_insert_rowid(database_.db_); }
int Database::Lock::changes() const { return sqlite3_changes(database_.db_); }

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
  if (sqlite3_open_v2(destination.c_str(), &target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string message = target != nullptr ? sqlite3_errmsg(target) : "cannot allocate";
    sqlite3_close(target);
    return Error::failed(fmt::format("backup to '{}': {}", destination, message));
  }
  Status result = ok_status();
  {
    Lock lock(*this);
    sqlite3_backup* backup = sqlite3_backup_init(target, "main", db_, "main");
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
