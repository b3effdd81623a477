#include "web/jobs.h"

#include <fmt/format.h>

#include "web/accounts.h"

namespace left4me::web {
namespace {

constexpr const char* kColumns =
    "id, type, target, server_id, owner_id, state, created_at, started_at, finished_at, exit_code, "
    "coalesce(reason, ''), coalesce(progress, ''), overlay_id, host_id";

// The job of the current row; a type or state this binary does not know is a broken database.
Result<Job> read_job(const Statement& statement) {
  Job job;
  job.id = statement.column_int(0);
  std::string type = statement.column_text(1);
  std::string state = statement.column_text(5);
  std::optional<JobType> known_type = parse_job_type(type);
  std::optional<JobState> known_state = parse_job_state(state);
  if (!known_type || !known_state) {
    return Error::failed(fmt::format("job {}: the database holds an unknown {} '{}'", job.id,
                                     known_type ? "state" : "type", known_type ? state : type));
  }
  job.type = *known_type;
  job.target = statement.column_text(2);
  job.server_id = statement.column_optional_int(3);
  job.owner_id = statement.column_optional_int(4);
  job.state = *known_state;
  job.created_at = statement.column_int(6);
  job.started_at = statement.column_optional_int(7);
  job.finished_at = statement.column_optional_int(8);
  job.exit_code = statement.column_optional_int(9);
  job.reason = statement.column_text(10);
  job.progress = statement.column_text(11);
  job.overlay_id = statement.column_optional_int(12);
  job.host_id = statement.column_optional_int(13);
  return job;
}

// The first row of a query of kColumns as a job, or nullopt when it has none.
Result<std::optional<Job>> first_job(Statement& select) {
  Result<bool> row = select.step();
  if (!row) return row.error();
  if (!*row) return std::optional<Job>();
  Result<Job> job = read_job(select);
  if (!job) return job.error();
  return std::optional<Job>(std::move(*job));
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

Result<Job> Jobs::enqueue(JobType type, const std::string& target, std::optional<std::int64_t> server_id,
                          std::optional<std::int64_t> owner_id, Dedupe dedupe, std::optional<std::int64_t> host_id) {
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Database::Lock& lock = (*transaction)->lock();
  if (dedupe == Dedupe::kYes) {
    auto existing = lock.prepare(
        fmt::format("SELECT {} FROM jobs WHERE type = ? AND state = ? AND (server_id = ? OR (? IS NULL AND "
                    "server_id IS NULL AND target = ?)) ORDER BY id LIMIT 1",
                    kColumns));
    if (!existing) return existing.error();
    existing->bind(1, to_string(type)).bind(2, to_string(JobState::kQueued)).bind(3, server_id).bind(4, server_id);
    existing->bind(5, target);
    Result<bool> row = existing->step();
    if (!row) return row.error();
    if (*row) return read_job(*existing);
  }
  auto insert = lock.prepare(
      "INSERT INTO jobs (type, target, server_id, owner_id, state, created_at, host_id) VALUES (?, ?, ?, ?, ?, ?, ?)");
  if (!insert) return insert.error();
  insert->bind(1, to_string(type)).bind(2, target).bind(3, server_id).bind(4, owner_id);
  insert->bind(5, to_string(JobState::kQueued)).bind(6, unix_now()).bind(7, host_id);
  if (Status status = insert->run(); !status) return status.error();
  Result<Job> job = select_one(lock, lock.last_insert_id(), Scope{0, true});
  if (!job) return job.error();
  if (Status status = (*transaction)->commit(); !status) return status.error();
  return job;
}

Result<Job> Jobs::enqueue_overlay_job(JobType type, std::int64_t overlay_id, const std::string& target,
                                      std::optional<std::int64_t> owner_id) {
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Database::Lock& lock = (*transaction)->lock();
  auto existing = lock.prepare(
      fmt::format("SELECT {} FROM jobs WHERE type = ? AND state = ? AND overlay_id = ? ORDER BY id LIMIT 1", kColumns));
  if (!existing) return existing.error();
  existing->bind(1, to_string(type)).bind(2, to_string(JobState::kQueued)).bind(3, overlay_id);
  Result<bool> row = existing->step();
  if (!row) return row.error();
  if (*row) return read_job(*existing);
  auto insert = lock.prepare(
      "INSERT INTO jobs (type, target, overlay_id, owner_id, state, created_at) VALUES (?, ?, ?, ?, ?, ?)");
  if (!insert) return insert.error();
  insert->bind(1, to_string(type)).bind(2, target).bind(3, overlay_id).bind(4, owner_id);
  insert->bind(5, to_string(JobState::kQueued)).bind(6, unix_now());
  if (Status status = insert->run(); !status) return status.error();
  Result<Job> job = select_one(lock, lock.last_insert_id(), Scope{0, true});
  if (!job) return job.error();
  if (Status status = (*transaction)->commit(); !status) return status.error();
  return job;
}

Result<Job> Jobs::enqueue_workshop_refresh(std::int64_t overlay_id, const std::string& target,
                                           std::optional<std::int64_t> owner_id) {
  return enqueue_overlay_job(JobType::kRefreshWorkshop, overlay_id, target, owner_id);
}

Result<std::optional<Job>> Jobs::last_overlay_job(JobType type, std::int64_t overlay_id) {
  Database::Lock lock(database_, LockMode::kRead);
  auto select = lock.prepare(
      fmt::format("SELECT {} FROM jobs WHERE type = ? AND overlay_id = ? ORDER BY id DESC LIMIT 1", kColumns));
  if (!select) return select.error();
  select->bind(1, to_string(type)).bind(2, overlay_id);
  return first_job(*select);
}

Result<Jobs::RefreshAll> Jobs::enqueue_workshop_refresh_all() {
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Database::Lock& lock = (*transaction)->lock();
  auto busy =
      lock.prepare(fmt::format("SELECT {} FROM jobs WHERE type = ? AND state IN (?, ?) ORDER BY id LIMIT 1", kColumns));
  if (!busy) return busy.error();
  busy->bind(1, to_string(JobType::kRefreshWorkshop)).bind(2, to_string(JobState::kQueued));
  busy->bind(3, to_string(JobState::kRunning));
  Result<bool> row = busy->step();
  if (!row) return row.error();
  if (*row) {
    Result<Job> job = read_job(*busy);
    if (!job) return job.error();
    return RefreshAll{std::move(*job), false};
  }
  auto insert = lock.prepare("INSERT INTO jobs (type, target, state, created_at) VALUES (?, ?, ?, ?)");
  if (!insert) return insert.error();
  insert->bind(1, to_string(JobType::kRefreshWorkshop)).bind(2, std::string(kWorkshopOverlaysTarget));
  insert->bind(3, to_string(JobState::kQueued)).bind(4, unix_now());
  if (Status status = insert->run(); !status) return status.error();
  Result<Job> job = select_one(lock, lock.last_insert_id(), Scope{0, true});
  if (!job) return job.error();
  if (Status status = (*transaction)->commit(); !status) return status.error();
  return RefreshAll{std::move(*job), true};
}

Result<std::optional<Job>> Jobs::pending_workshop_refresh(std::int64_t overlay_id) {
  Database::Lock lock(database_, LockMode::kRead);
  auto select = lock.prepare(
      fmt::format("SELECT {} FROM jobs WHERE type = ? AND state IN (?, ?) AND (overlay_id = ? OR overlay_id IS NULL) "
                  "ORDER BY state = ? DESC, id LIMIT 1",
                  kColumns));
  if (!select) return select.error();
  select->bind(1, to_string(JobType::kRefreshWorkshop)).bind(2, to_string(JobState::kQueued));
  select->bind(3, to_string(JobState::kRunning)).bind(4, overlay_id).bind(5, to_string(JobState::kRunning));
  return first_job(*select);
}

Result<std::optional<std::int64_t>> Jobs::last_workshop_refresh_all() {
  Database::Lock lock(database_, LockMode::kRead);
  auto select = lock.prepare("SELECT max(created_at) FROM jobs WHERE type = ? AND overlay_id IS NULL");
  if (!select) return select.error();
  select->bind(1, to_string(JobType::kRefreshWorkshop));
  Result<bool> row = select->step();
  if (!row) return row.error();
  return select->column_optional_int(0);
}

Result<Job> Jobs::get(std::int64_t id, const Scope& scope) {
  Database::Lock lock(database_, LockMode::kRead);
  return select_one(lock, id, scope);
}

Result<std::vector<Job>> Jobs::list(const Scope& scope, const JobFilter& filter) {
  Database::Lock lock(database_, LockMode::kRead);
  std::string where = kScopeCondition;
  if (filter.state) where += " AND state = ?";
  if (filter.type) where += " AND type = ?";
  if (filter.server_id) where += " AND server_id = ?";
  if (filter.target) where += " AND target = ?";
  auto select = lock.prepare(fmt::format("SELECT {} FROM jobs WHERE {} ORDER BY id DESC LIMIT ?", kColumns, where));
  if (!select) return select.error();
  int index = 1;
  select->bind(index, scope.user_id);
  ++index;
  select->bind(index, scope.admin ? 1 : 0);
  ++index;
  if (filter.state) select->bind(index++, to_string(*filter.state));
  if (filter.type) select->bind(index++, to_string(*filter.type));
  if (filter.server_id) select->bind(index++, *filter.server_id);
  if (filter.target) select->bind(index++, *filter.target);
  select->bind(index, filter.limit);
  std::vector<Job> jobs;
  for (;;) {
    Result<bool> row = select->step();
    if (!row) return row.error();
    if (!*row) break;
    Result<Job> job = read_job(*select);
    if (!job) return job.error();
    jobs.push_back(std::move(*job));
  }
  return jobs;
}

Result<Job> Jobs::cancel(std::int64_t id, const Scope& scope) {
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Database::Lock& lock = (*transaction)->lock();
  Result<Job> job = select_one(lock, id, scope);
  if (!job) return job.error();
  if (job->state != JobState::kQueued) {
    return Error(ErrorCode::kAlreadyExists,
                 fmt::format("job {} is {}: only a queued job can be cancelled", id, to_string(job->state)));
  }
  auto update = lock.prepare(
      "UPDATE jobs SET state = ?, finished_at = ?, reason = 'cancelled before it started' WHERE id = ? AND state = ?");
  if (!update) return update.error();
  update->bind(1, to_string(JobState::kCancelled)).bind(2, unix_now()).bind(3, id);
  if (Status status = update->bind(4, to_string(JobState::kQueued)).run(); !status) return status.error();
  Result<Job> updated = select_one(lock, id, scope);
  if (!updated) return updated.error();
  if (Status status = (*transaction)->commit(); !status) return status.error();
  return updated;
}

Result<std::optional<Job>> Jobs::claim_next(const std::set<std::string>& busy_lanes) {
  auto transaction = Database::Transaction::begin(database_);
  if (!transaction) return transaction.error();
  Database::Lock& lock = (*transaction)->lock();
  auto select = lock.prepare(fmt::format("SELECT {} FROM jobs WHERE state = ? ORDER BY id", kColumns));
  if (!select) return select.error();
  select->bind(1, to_string(JobState::kQueued));
  std::set<std::string> seen;  // a lane whose oldest queued job is skipped keeps its later jobs waiting too
  std::optional<Job> claimed;
  for (;;) {
    Result<bool> row = select->step();
    if (!row) return row.error();
    if (!*row) break;
    Result<Job> job = read_job(*select);
    if (!job) return job.error();
    std::string lane = job->lane();
    if (busy_lanes.count(lane) != 0 || !seen.insert(lane).second) continue;
    claimed = std::move(*job);
    break;
  }
  if (!claimed) return std::optional<Job>();
  auto update = lock.prepare("UPDATE jobs SET state = ?, started_at = ? WHERE id = ?");
  if (!update) return update.error();
  std::int64_t now = unix_now();
  update->bind(1, to_string(JobState::kRunning)).bind(2, now).bind(3, claimed->id);
  if (Status status = update->run(); !status) return status.error();
  if (Status status = (*transaction)->commit(); !status) return status.error();
  claimed->state = JobState::kRunning;
  claimed->started_at = now;
  return claimed;
}

Status Jobs::finish(std::int64_t id, JobState state, std::optional<int> exit_code, const std::string& reason) {
  Database::Lock lock(database_);
  auto update = lock.prepare("UPDATE jobs SET state = ?, finished_at = ?, exit_code = ?, reason = ? WHERE id = ?");
  if (!update) return update.error();
  update->bind(1, to_string(state)).bind(2, unix_now()).bind(3, exit_code).bind(4, reason).bind(5, id);
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
  auto update = lock.prepare("UPDATE jobs SET state = ?, finished_at = ?, reason = ? WHERE state = ?");
  if (!update) return update.error();
  update->bind(1, to_string(JobState::kInterrupted)).bind(2, unix_now()).bind(3, reason);
  if (Status status = update->bind(4, to_string(JobState::kRunning)).run(); !status) return status.error();
  return lock.changes();
}

Result<std::map<std::int64_t, PendingJob>> Jobs::pending(const Scope& scope) {
  Database::Lock lock(database_, LockMode::kRead);
  auto select = lock.prepare(
      fmt::format("SELECT server_id, type, state FROM jobs WHERE server_id IS NOT NULL AND state IN (?, ?) AND {} "
                  "ORDER BY id",
                  kScopeCondition));
  if (!select) return select.error();
  select->bind(1, to_string(JobState::kQueued)).bind(2, to_string(JobState::kRunning));
  select->bind(3, scope.user_id).bind(4, scope.admin ? 1 : 0);
  std::map<std::int64_t, PendingJob> pending;
  for (;;) {
    Result<bool> row = select->step();
    if (!row) return row.error();
    if (!*row) break;
    std::optional<JobType> type = parse_job_type(select->column_text(1));
    std::optional<JobState> state = parse_job_state(select->column_text(2));
    if (!type || !state) continue;  // read_job reports such a row wherever the job itself is read
    auto [it, first] = pending.try_emplace(select->column_int(0), PendingJob{*type, *state});
    if (!first && *state == JobState::kRunning) it->second = PendingJob{*type, *state};
  }
  return pending;
}

Result<std::map<std::pair<JobType, JobState>, std::int64_t>> Jobs::count_by_type_and_state() {
  Database::Lock lock(database_, LockMode::kRead);
  auto select = lock.prepare("SELECT type, state, COUNT(*) FROM jobs GROUP BY type, state");
  if (!select) return select.error();
  std::map<std::pair<JobType, JobState>, std::int64_t> counts;
  for (;;) {
    Result<bool> row = select->step();
    if (!row) return row.error();
    if (!*row) break;
    std::optional<JobType> type = parse_job_type(select->column_text(0));
    std::optional<JobState> state = parse_job_state(select->column_text(1));
    if (!type || !state) continue;  // read_job reports such a row wherever the job itself is read
    counts[{*type, *state}] += select->column_int(2);
  }
  return counts;
}

}  // namespace left4me::web
