#include "web/jobs.h"

#include <fmt/format.h>

#include "web/accounts.h"

namespace left4me::web {
namespace {

constexpr const char* kColumns =
    "id, type, target, server_id, owner_id, state, created_at, started_at, finished_at, exit_code, "
    "coalesce(reason, ''), coalesce(progress, '')";

Job read_job(const Statement& statement) {
  Job job;
  job.id = statement.column_int(0);
  job.type = statement.column_text(1);
  job.target = statement.column_text(2);
  job.server_id = statement.column_optional_int(3);
  job.owner_id = statement.column_optional_int(4);
  job.state = statement.column_text(5);
  job.created_at = statement.column_int(6);
  job.started_at = statement.column_optional_int(7);
  job.finished_at = statement.column_optional_int(8);
  job.exit_code = statement.column_optional_int(9);
  job.reason = statement.column_text(10);
  job.progress = statement.column_text(11);
  return job;
}

Result<Job> select_one(Database::Lock& lock, std::int64_t id, const Scope& scope) {
  auto select = lock.prepare(fmt::format("SELECT {} FROM jobs WHERE id = ? AND {}", kColumns, kScopeCondition));
  if (!select) return select.error();
  select->bind(1, id).bind(2, scope.user_id).bind(3, scope.admin ? 1 : 0);
  Result<bool> row = select->step();
  if (!row) return row.error();
  if (!*row) return Error::not_found(fmt::format("job {} not found", id));
  return read_job(*select);
}

}  // namespace

Result<Job> Jobs::enqueue(const std::string& type, const std::string& target, std::optional<std::int64_t> server_id,
                          std::optional<std::int64_t> owner_id, Dedupe dedupe) {
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Database::Lock& lock = (*transaction)->lock();
  if (dedupe == Dedupe::kYes) {
    auto existing = lock.prepare(fmt::format(
        "SELECT {} FROM jobs WHERE type = ? AND target = ? AND state = 'queued' ORDER BY id LIMIT 1", kColumns));
    if (!existing) return existing.error();
    existing->bind(1, type).bind(2, target);
    Result<bool> row = existing->step();
    if (!row) return row.error();
    if (*row) return read_job(*existing);
  }
  auto insert = lock.prepare(
      "INSERT INTO jobs (type, target, server_id, owner_id, state, created_at) VALUES (?, ?, ?, ?, 'queued', ?)");
  if (!insert) return insert.error();
  insert->bind(1, type).bind(2, target).bind(3, server_id).bind(4, owner_id).bind(5, unix_now());
  if (Status status = insert->run(); !status) return status.error();
  Result<Job> job = select_one(lock, lock.last_insert_id(), Scope{0, true});
  if (!job) return job.error();
  if (Status status = (*transaction)->commit(); !status) return status.error();
  return job;
}

Result<Job> Jobs::get(std::int64_t id, const Scope& scope) {
  Database::Lock lock(database_, LockMode::kRead);
  return select_one(lock, id, scope);
}

Result<std::vector<Job>> Jobs::list(const Scope& scope, const JobFilter& filter) {
  Database::Lock lock(database_, LockMode::kRead);
  std::string where = kScopeCondition;
  if (filter.state) where += " AND state = ?";
  if (filter.server_id) where += " AND server_id = ?";
  auto select = lock.prepare(fmt::format("SELECT {} FROM jobs WHERE {} ORDER BY id DESC LIMIT ?", kColumns, where));
  if (!select) return select.error();
  int index = 1;
  select->bind(index, scope.user_id);
  ++index;
  select->bind(index, scope.admin ? 1 : 0);
  ++index;
  if (filter.state) select->bind(index++, *filter.state);
  if (filter.server_id) select->bind(index++, *filter.server_id);
  select->bind(index, filter.limit);
  std::vector<Job> jobs;
  for (;;) {
    Result<bool> row = select->step();
    if (!row) return row.error();
    if (!*row) break;
    jobs.push_back(read_job(*select));
  }
  return jobs;
}

Result<Job> Jobs::cancel(std::int64_t id, const Scope& scope) {
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Database::Lock& lock = (*transaction)->lock();
  Result<Job> job = select_one(lock, id, scope);
  if (!job) return job.error();
  if (job->state != "queued") {
    return Error(ErrorCode::kAlreadyExists,
                 fmt::format("job {} is {}: only a queued job can be cancelled", id, job->state));
  }
  auto update = lock.prepare(
      "UPDATE jobs SET state = 'cancelled', finished_at = ?, reason = 'cancelled before it started' "
      "WHERE id = ? AND state = 'queued'");
  if (!update) return update.error();
  if (Status status = update->bind(1, unix_now()).bind(2, id).run(); !status) return status.error();
  Result<Job> updated = select_one(lock, id, scope);
  if (!updated) return updated.error();
  if (Status status = (*transaction)->commit(); !status) return status.error();
  return updated;
}

Result<std::optional<Job>> Jobs::claim_next(const std::set<std::string>& busy_targets) {
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Database::Lock& lock = (*transaction)->lock();
  auto select = lock.prepare(fmt::format("SELECT {} FROM jobs WHERE state = 'queued' ORDER BY id", kColumns));
  if (!select) return select.error();
  std::set<std::string> seen;  // a target whose oldest queued job is skipped keeps its later jobs waiting too
  std::optional<Job> claimed;
  for (;;) {
    Result<bool> row = select->step();
    if (!row) return row.error();
    if (!*row) break;
    Job job = read_job(*select);
    if (busy_targets.count(job.target) != 0 || !seen.insert(job.target).second) continue;
    claimed = std::move(job);
    break;
  }
  if (!claimed) return std::optional<Job>();
  auto update = lock.prepare("UPDATE jobs SET state = 'running', started_at = ? WHERE id = ?");
  if (!update) return update.error();
  std::int64_t now = unix_now();
  if (Status status = update->bind(1, now).bind(2, claimed->id).run(); !status) return status.error();
  if (Status status = (*transaction)->commit(); !status) return status.error();
  claimed->state = "running";
  claimed->started_at = now;
  return claimed;
}

Status Jobs::finish(std::int64_t id, const std::string& state, std::optional<int> exit_code,
                    const std::string& reason) {
  Database::Lock lock(database_);
  auto update = lock.prepare("UPDATE jobs SET state = ?, finished_at = ?, exit_code = ?, reason = ? WHERE id = ?");
  if (!update) return update.error();
  update->bind(1, state).bind(2, unix_now()).bind(3, exit_code).bind(4, reason).bind(5, id);
  return update->run();
}

Status Jobs::set_progress(std::int64_t id, const std::string& progress_json) {
  Database::Lock lock(database_);
  auto update = lock.prepare("UPDATE jobs SET progress = ? WHERE id = ?");
  if (!update) return update.error();
  return update->bind(1, progress_json).bind(2, id).run();
}

Status Jobs::append_line(std::int64_t job_id, std::int64_t seq, const std::string& line) {
  Database::Lock lock(database_);
  auto insert = lock.prepare("INSERT INTO job_lines (job_id, seq, at, line) VALUES (?, ?, ?, ?)");
  if (!insert) return insert.error();
  return insert->bind(1, job_id).bind(2, seq).bind(3, unix_now()).bind(4, line).run();
}

Result<std::vector<JobLine>> Jobs::lines_after(std::int64_t job_id, std::int64_t after_seq) {
  Database::Lock lock(database_, LockMode::kRead);
  auto select = lock.prepare("SELECT seq, at, line FROM job_lines WHERE job_id = ? AND seq > ? ORDER BY seq");
  if (!select) return select.error();
  select->bind(1, job_id).bind(2, after_seq);
  std::vector<JobLine> lines;
  for (;;) {
    Result<bool> row = select->step();
    if (!row) return row.error();
    if (!*row) break;
    lines.push_back(JobLine{select->column_int(0), select->column_int(1), select->column_text(2)});
  }
  return lines;
}

Result<int> Jobs::interrupt_running(const std::string& reason) {
  Database::Lock lock(database_);
  auto update =
      lock.prepare("UPDATE jobs SET state = 'interrupted', finished_at = ?, reason = ? WHERE state = 'running'");
  if (!update) return update.error();
  if (Status status = update->bind(1, unix_now()).bind(2, reason).run(); !status) return status.error();
  return lock.changes();
}

Result<bool> Jobs::has_pending(std::int64_t server_id) {
  Database::Lock lock(database_, LockMode::kRead);
  auto select = lock.prepare("SELECT 1 FROM jobs WHERE server_id = ? AND state IN ('queued', 'running') LIMIT 1");
  if (!select) return select.error();
  select->bind(1, server_id);
  Result<bool> row = select->step();
  if (!row) return row.error();
  return *row;
}

}  // namespace left4me::web
