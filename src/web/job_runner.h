// JobRunner: JOB_WORKER_THREADS workers that take queued jobs from the table and run them through
// l4d2ctl on the job's host (its server's, or the host an install names; host_ctls.h). Jobs of one lane (a server,
// Job::lane) run one at a time in creation order; different lanes run in parallel. A host that cannot be reached is
// waited for (docs/design.md, "Several hosts: jobs"). Thread-safe.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "web/blueprints.h"
#include "web/ctl.h"
#include "web/host_ctls.h"
#include "web/job_log_hub.h"
#include "web/jobs.h"
#include "web/restart_schedules.h"
#include "web/servers.h"
#include "web/status_cache.h"

namespace left4me::web {

// What a job running in the web app is given: a line for its log, and whether the web app is stopping.
struct JobSink {
  std::function<void(const std::string& line)> log;
  std::function<bool()> stopping;
};

struct JobRunnerOptions {
  int workers = 4;
  std::string scratch_dir;                           // rendered specs are written here
  std::chrono::seconds start_wait{90};               // start, restart: how long to wait for the server to answer
  std::chrono::seconds switch_max_wait{1800};        // switch_build: the wait for an empty server before warning
  std::chrono::seconds switch_warning{60};           // switch_build: from the warning to the restart
  std::string secret_key;                            // derives each server's own RCON password (derive_rcon_password)
  std::string host_root;                             // LEFT4ME_ROOT: a removed user's overlays go from its overlays/
  std::chrono::seconds host_retry{300};              // HOST_RETRY_SECONDS: how long a job waits for its host to answer
  std::chrono::milliseconds first_host_pause{1000};  // the first pause between tries; doubling, at most 30 s
};

// The target of install and check_update jobs on a host: kInstallationTarget on the local one, else
// "installation on <name>" (each host's installs are a lane of their own).
std::string install_target(std::int64_t host_id, const std::string& host_name);

class JobRunner {
 public:
  JobRunner(Jobs& jobs, Servers& servers, Blueprints& blueprints, RestartSchedules& schedules, const HostCtls& hosts,
            StatusCache& status, JobLogHub& hub, JobRunnerOptions options)
      : jobs_(jobs),
        servers_(servers),
        blueprints_(blueprints),
        schedules_(schedules),
        hosts_(hosts),
        status_(status),
        hub_(hub),
        options_(std::move(options)) {}
  ~JobRunner() { stop(std::chrono::seconds(0)); }

  // Queues a job of the web app's own work on target (jobs of one target run in order) for the user, or for
  // nobody (the panel's own); a second one while one is queued is that one.
  Result<Job> queue_own(JobType type, const std::string& target, std::optional<std::int64_t> user_id);

  // Called as each job ends, after its final state is stored (on the job's worker; it must not wait for long).
  using FinishListener = std::function<void(const Job& job, JobState state, const std::string& reason)>;
  // Set before start().
  void set_finish_listener(FinishListener listener) { on_finish_ = std::move(listener); }
  // What runs jobs of a type that is no host action but the web app's own work, inside the web app (refreshing an
  // overlay's content: refresh_workshop, workshop_refresh_job.h; refresh_managed, managed_overlays.h): its lines go
  // to the job's log, sink.stopping() says when to give up; an error fails the job with its message. Runs on a
  // worker. Set before start(), one per type; a job of a type without one fails saying so.
  using InProcessJob = std::function<Status(const Job& job, const JobSink& sink)>;
  void set_in_process(JobType type, InProcessJob action) { in_process_[type] = std::move(action); }
  // What runs inside the web app after each build_overlay job's host build, whatever its outcome (a failed build
  // may have written files too): recording what the overlay holds now. An error fails a build that succeeded.
  // Set before start(); none: nothing runs after.
  void set_after_build(InProcessJob action) { after_build_ = std::move(action); }

  void start();
  // The job running on the server now, or nullopt.
  std::optional<std::int64_t> running_job(std::int64_t server_id);
  // Queues a job on the server for the user (start, stop, restart, delete) and wakes a worker. Repeated clicks
  // on the same action while one is still queued share that job.
  Result<Job> queue(JobType type, const Server& server, std::int64_t user_id);
  // Queues the server's daily restart for its owner (among whose jobs it shows), as queue does.
  Result<Job> queue_scheduled_restart(const Server& server);
  // Queues the game's installation (or update) on the host for the user, as queue does. kNotFound for no such
  // host, kUnavailable for one the panel cannot use (its key not confirmed).
  Result<Job> queue_install(std::int64_t user_id, std::int64_t host_id = kLocalHostId);
  // Queues `l4d2ctl install --check` on the host for the user, or for nobody (the panel's own daily check), as
  // queue_install does.
  Result<Job> queue_update_check(std::optional<std::int64_t> user_id, std::int64_t host_id = kLocalHostId);
  // Wakes a worker: a job was queued.
  void notify();
  // Stops taking jobs; waits up to grace for running jobs, then ends their l4d2ctl (they are recorded as
  // interrupted). Idempotent.
  void stop(std::chrono::seconds grace);
  std::size_t alive_workers();

 private:
  void work();
  void run(const Job& job);
  // Stores the job's final state and reason, from how its l4d2ctl steps ended, and ends its log.
  void finish(const Job& job, const Result<ExitStatus>& status);
  // Runs one l4d2ctl step of a job on its host, storing its output; returns the exit status or an error line.
  Result<ExitStatus> step(const Job& job, const std::vector<std::string>& args);
  // The same for a step run by call (a call of the job's Ctl given the output and spawn callbacks); shown is the
  // command as the job's log shows it. While the host cannot be reached, the call is tried again (wait_for_host).
  using StepCall =
      std::function<Result<ExitStatus>(const Ctl& ctl, const std::function<void(std::string_view)>& on_line,
                                       const std::function<void(pid_t)>& on_spawn)>;
  Result<ExitStatus> step(const Job& job, const std::string& shown, const StepCall& call);
  // Runs `l4d2ctl args...` on the job's host to completion, capturing its output (a question, not a step: nothing
  // is shown), tried again as step is.
  Result<RunResult> ask(const Job& job, const std::vector<std::string>& args);
  // The Ctl of the job's host, taken by run() before anything runs (an error when the panel cannot use the host).
  Result<std::shared_ptr<const Ctl>> ctl_of(const Job& job);
  // The host the job acts on: its server's, or the one it names (none: local).
  std::int64_t host_of(const Job& job);
  // Queues an install or check_update job on the host (queue_install).
  Result<Job> queue_host_job(JobType type, std::optional<std::int64_t> user_id, std::int64_t host_id);
  // How a job waits for a host that cannot be reached: since when, the next pause, and whether it holds the host
  // (waiting_hosts_) until end_wait.
  struct HostWait {
    std::chrono::steady_clock::time_point since;
    std::chrono::milliseconds pause{0};
    std::int64_t host_id = 0;
    bool holding = false;
  };
  void end_wait(HostWait& wait);
  // After a try that could not reach the host (unreachable, transport_error's error): notes it in the job's log,
  // waits the next pause and returns true; returns false when host_retry has passed since the first such try, a
  // host key was refused (never tried again), or the runner stops.
  bool wait_for_host(const Job& job, const Error& unreachable, HostWait& wait);
  // The lanes of every queued job on a host some job is waiting for (waiting_hosts_): such jobs are not taken
  // meanwhile, so a host that is away holds one worker, not all of them.
  std::set<std::string> held_lanes();
  // build_overlay: `l4d2ctl build-overlay <id> <host root>/scripts/<id>.sh`, the script's output as the job's log.
  Result<ExitStatus> build_overlay(const Job& job);
  // A job that runs inside the web app (set_in_process): its lines go to its log; it ends as its status says.
  Result<ExitStatus> run_in_process(const Job& job);
  // Runs action inside the web app as the job's part, as run_in_process does.
  Result<ExitStatus> run_action(const Job& job, const InProcessJob& action);
  // A job on a server (kNotFound "the server was deleted" when it is gone).
  Result<ExitStatus> run_server_job(const Job& job);
  // The l4d2ctl steps of a job on a server the panel has.
  Result<ExitStatus> act_on_server(const Job& job, const Server& server);
  // Before the panel first initializes a server's host instance: nothing of that name may exist on the host
  // (made with the CLI, or left by a lost database). Takes the instance for the server when none does; fails
  // (kAlreadyExists) and changes nothing when one does.
  Status claim_instance(const Job& job, const Server& server);
  // Renders the server's blueprint and runs `l4d2ctl initialize` (after claim_instance the first time).
  Result<ExitStatus> initialize(const Job& job, const Server& server);
  // switch_build: waits until nobody plays on the server (at most switch_max_wait, then warns them over RCON and
  // waits switch_warning). kRestart when the server is to be restarted on the current build now, kDone when
  // there is nothing to switch; an error when the web app stops meanwhile or l4d2ctl cannot say.
  enum class Switch { kRestart, kDone };
  Result<Switch> wait_until_empty(const Job& job, const std::string& instance);
  // scheduled_restart: says the schedule's message to the players, then waits until nobody plays on the server, at
  // most the schedule's maximum wait counted from the restart's time, and says the message again to players still
  // there. kRestart to restart it now; kDone when there is nothing to do (the server is not running, or the restart
  // was turned off meanwhile); an error when the web app stops meanwhile or l4d2ctl cannot say.
  Result<Switch> wait_for_scheduled_restart(const Job& job, const Server& server, const std::string& instance);
  // Looks at the instance with `l4d2ctl status --json --players`.
  Result<nlohmann::json> instance_status(const Job& job, const std::string& instance);
  // Says text to the players over RCON (`l4d2ctl rcon <instance> -- say <text>`), noting a failure in the job's log.
  void say(const Job& job, const std::string& instance, const std::string& text);
  // Starts (verb "start") or restarts the server, initialized from its blueprint as it is now.
  Result<ExitStatus> launch(const Job& job, const Server& server, const std::string& verb);
  // Sleeps up to `duration`; false when the runner stops meanwhile.
  bool pause(std::chrono::milliseconds duration);
  // Records the server's state as view_server decides it from what `l4d2ctl status` says of its instance now,
  // and puts that status in the live status.
  // Asks once: a job that gave up waiting for its host does not wait again here.
  void record_host_state(const Job& job, const Server& server);

  Jobs& jobs_;
  Servers& servers_;
  Blueprints& blueprints_;
  RestartSchedules& schedules_;
  const HostCtls& hosts_;
  StatusCache& status_;
  JobLogHub& hub_;
  JobRunnerOptions options_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable stop_wake_;  // pause(): only stop() wakes it, so no queued job's wake-up is taken
  bool stopping_ = false;
  std::set<std::string> busy_lanes_;
  std::map<std::int64_t, std::int64_t> server_jobs_;  // server id -> the job running on it
  FinishListener on_finish_;
  std::map<JobType, InProcessJob> in_process_;
  InProcessJob after_build_;
  std::map<std::int64_t, pid_t> children_;  // running l4d2ctl per job, for shutdown
  struct JobHost {
    std::int64_t id = 0;
    Result<std::shared_ptr<const Ctl>> ctl;
  };
  std::map<std::int64_t, JobHost> job_hosts_;           // running job -> its host and the host's Ctl
  std::map<std::int64_t, std::int64_t> waiting_hosts_;  // host id -> how many jobs wait for it
  std::vector<std::thread> workers_;
  std::size_t alive_ = 0;
};

}  // namespace left4me::web
