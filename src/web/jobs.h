// Jobs: the table of host actions (start, stop, restart, delete, install) with their state and their
// output stored line by line. Scheduling lives in JobRunner. Thread-safe (through Database).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "web/database.h"
#include "web/scope.h"
#include "web/states.h"

namespace left4me::web {

// The target of install jobs on the local host (other jobs name their server; another host's install jobs are
// "installation on <host name>", install_target in job_runner.h).
inline constexpr std::string_view kInstallationTarget = "installation";
// The target of the refresh of every Workshop overlay (the daily one).
inline constexpr std::string_view kWorkshopOverlaysTarget = "workshop overlays";

struct Job {
  std::int64_t id = 0;
  JobType type = JobType::kStart;
  std::string target;  // the server's name when queued (for people to read), or kInstallationTarget
  std::optional<std::int64_t> server_id;
  std::optional<std::int64_t> overlay_id;  // refresh_workshop: the overlay (none: every Workshop overlay)
  std::optional<std::int64_t> owner_id;    // none for system jobs
  std::optional<std::int64_t> host_id;     // install, check_update: the host it runs on (none: the local one)
  JobState state = JobState::kQueued;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> started_at;
  std::optional<std::int64_t> finished_at;
  std::optional<std::int64_t> exit_code;
  std::string reason;    // why it failed, was cancelled or interrupted
  std::string progress;  // the last progress JSON (install), empty if none

  // What the job's turn is taken on: its server (by id: names are only unique per owner); for every Workshop refresh
  // the one lane "workshop" (they share the Workshop cache, which takes one refresh at a time); else its target.
  // Jobs of one lane run one at a time, in order.
  std::string lane() const {
    if (server_id) return server_lane(*server_id);
    return type == JobType::kRefreshWorkshop ? "workshop" : target;
  }
  static std::string server_lane(std::int64_t server_id) { return "server " + std::to_string(server_id); }
};

struct JobLine {
  std::int64_t seq = 0;  // 1, 2, ... per job
  std::int64_t at = 0;
  std::string line;
};

// The job a server waits for or runs (see Jobs::pending).
struct PendingJob {
  JobType type = JobType::kStart;
  JobState state = JobState::kQueued;  // queued or running

  bool operator==(const PendingJob&) const = default;
};

struct JobFilter {
  std::optional<JobState> state;
  std::optional<JobType> type;
  std::optional<std::int64_t> server_id;
  std::optional<std::string> target;  // e.g. kInstallationTarget: the local host's installs
  int limit = 200;
};

enum class Dedupe { kNo, kYes };

class Jobs {
 public:
  explicit Jobs(Database& database) : database_(database) {}

  // Queues a job. With Dedupe::kYes an already queued job of the same type and lane (its server, or else its
  // target) is returned instead. host_id: the host a job on no server acts on (install, check_update).
  Result<Job> enqueue(JobType type, const std::string& target, std::optional<std::int64_t> server_id,
                      std::optional<std::int64_t> owner_id, Dedupe dedupe,
                      std::optional<std::int64_t> host_id = std::nullopt);
  // Queues a job of the type on the overlay (jobs.overlay_id) for owner_id, named target; a job of that type on the
  // same overlay already queued is returned instead.
  Result<Job> enqueue_overlay_job(JobType type, std::int64_t overlay_id, const std::string& target,
                                  std::optional<std::int64_t> owner_id);
  // Queues a refresh_workshop job of the overlay for its owner (or the asking user), as enqueue_overlay_job.
  Result<Job> enqueue_workshop_refresh(std::int64_t overlay_id, const std::string& target,
                                       std::optional<std::int64_t> owner_id);
  // The newest job of the type on the overlay, whoever queued it (nullopt: none).
  Result<std::optional<Job>> last_overlay_job(JobType type, std::int64_t overlay_id);
  // Queues one system refresh_workshop job for every Workshop overlay, unless a refresh_workshop job (of any
  // overlay) is queued or running: then that job is returned as busy, and nothing is queued.
  struct RefreshAll {
    Job job;
    bool queued = false;  // false: job is the one already queued or running
  };
  Result<RefreshAll> enqueue_workshop_refresh_all();
  // The queued or running refresh_workshop job that will refresh the overlay (its own, or one of every overlay).
  Result<std::optional<Job>> pending_workshop_refresh(std::int64_t overlay_id);
  // When the newest refresh of every Workshop overlay was queued (nullopt: never).
  Result<std::optional<std::int64_t>> last_workshop_refresh_all();
  // kNotFound when absent or outside the scope (a system job is visible to admins only).
  Result<Job> get(std::int64_t id, const Scope& scope);
  Result<std::vector<Job>> list(const Scope& scope, const JobFilter& filter);
  // Cancels a queued job; kAlreadyExists (conflict) if it already runs or ended.
  Result<Job> cancel(std::int64_t id, const Scope& scope);
  // Marks the oldest queued job whose lane is not in busy_lanes running and returns it. Jobs of one lane (Job::lane)
  // therefore run in creation order.
  Result<std::optional<Job>> claim_next(const std::set<std::string>& busy_lanes);
  Status finish(std::int64_t id, JobState state, std::optional<int> exit_code, const std::string& reason);
  Status set_progress(std::int64_t id, const std::string& progress_json);
  Status append_line(std::int64_t job_id, std::int64_t seq, const std::string& line);
  Result<std::vector<JobLine>> lines_after(std::int64_t job_id, std::int64_t after_seq);
  // Crash recovery: every job left running becomes interrupted with the reason; returns how many.
  Result<int> interrupt_running(const std::string& reason);
  // The pending job of each server in the scope, by server id: the running one, else the oldest queued one
  // (the next to run).
  Result<std::map<std::int64_t, PendingJob>> pending(const Scope& scope);
  // How many jobs there are of each type in each state (every user's; /metrics). Pairs with no job are absent.
  Result<std::map<std::pair<JobType, JobState>, std::int64_t>> count_by_type_and_state();

 private:
  Database& database_;
};

}  // namespace left4me::web
