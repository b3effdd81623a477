#include "web/job_runner.h"

#include "web/overlay_directories.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <deque>
#include <nlohmann/json.hpp>

#include "base/file.h"
#include "base/log.h"
#include "base/strings.h"
#include "json/parse_json.h"
#include "web/blueprint_spec.h"
#include "web/build_switch.h"
#include "web/crypto.h"
#include "web/install_progress.h"
#include "web/rcon_console.h"
#include "web/restart_schedule.h"
#include "web/script_overlays.h"
#include "web/server_view.h"

namespace left4me::web {
namespace {

constexpr Scope kSystem{0, true};
// The lines kept of a step's output for transport_error: ssh's own come last, a changed host key's warning in ~15.
constexpr std::size_t kTransportLines = 32;
constexpr std::chrono::milliseconds kLongestHostPause{30000};

}  // namespace

std::string install_target(std::int64_t host_id, const std::string& host_name) {
  return host_id == kLocalHostId ? std::string(kInstallationTarget) : "installation on " + host_name;
}

void JobRunner::start() {
  std::lock_guard<std::mutex> guard(mutex_);
  for (int i = 0; i < options_.workers; ++i) {
    ++alive_;
    workers_.emplace_back([this] { work(); });
  }
}

Result<Job> JobRunner::queue(JobType type, const Server& server, std::int64_t user_id) {
  Result<Job> job = jobs_.enqueue(type, server.name, server.id, user_id, Dedupe::kYes);
  if (job) notify();
  return job;
}

Result<Job> JobRunner::queue_scheduled_restart(const Server& server) {
  return queue(JobType::kScheduledRestart, server, server.owner_id);
}

Result<Job> JobRunner::queue_install(std::int64_t user_id, std::int64_t host_id) {
  return queue_host_job(JobType::kInstall, user_id, host_id);
}

Result<Job> JobRunner::queue_update_check(std::optional<std::int64_t> user_id, std::int64_t host_id) {
  return queue_host_job(JobType::kCheckUpdate, user_id, host_id);
}

Result<Job> JobRunner::queue_host_job(JobType type, std::optional<std::int64_t> user_id, std::int64_t host_id) {
  std::optional<HostCtls::Entry> host = hosts_.find(host_id);
  if (!host) return Error::not_found(fmt::format("host {} not found", host_id));
  if (!host->ctl) return Error::unavailable(host->problem);
  Result<Job> job =
      jobs_.enqueue(type, install_target(host_id, host->name), std::nullopt, user_id, Dedupe::kYes, host_id);
  if (job) notify();
  return job;
}

Result<Job> JobRunner::queue_own(JobType type, const std::string& target, std::optional<std::int64_t> user_id) {
  Result<Job> job = jobs_.enqueue(type, target, std::nullopt, user_id, Dedupe::kYes);
  if (job) notify();
  return job;
}

void JobRunner::notify() { wake_.notify_one(); }

std::optional<std::int64_t> JobRunner::running_job(std::int64_t server_id) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto found = server_jobs_.find(server_id);
  return found == server_jobs_.end() ? std::nullopt : std::optional<std::int64_t>(found->second);
}

std::size_t JobRunner::alive_workers() {
  std::lock_guard<std::mutex> guard(mutex_);
  return alive_;
}

void JobRunner::stop(std::chrono::seconds grace) {
  std::vector<std::thread> workers;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    stopping_ = true;
    wake_.notify_all();
    stop_wake_.notify_all();
    wake_.wait_for(lock, grace, [this] { return children_.empty() && busy_lanes_.empty(); });
    for (const auto& [job_id, pid] : children_) ::kill(-pid, SIGTERM);
    workers.swap(workers_);
  }
  wake_.notify_all();
  for (std::thread& worker : workers) worker.join();
}

void JobRunner::work() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    Result<std::optional<Job>> claimed = jobs_.claim_next(held_lanes());
    if (!claimed) {
      log::error("jobs: {}", claimed.error().message());
      wake_.wait_for(lock, std::chrono::seconds(1));
      continue;
    }
    if (!*claimed) {
      wake_.wait_for(lock, std::chrono::seconds(1));
      continue;
    }
    Job job = std::move(**claimed);
    busy_lanes_.insert(job.lane());
    if (job.server_id) server_jobs_[*job.server_id] = job.id;
    lock.unlock();
    run(job);
    lock.lock();
    busy_lanes_.erase(job.lane());
    if (job.server_id) server_jobs_.erase(*job.server_id);
    wake_.notify_all();  // the lane's next job may run now
  }
  --alive_;
}

Result<ExitStatus> JobRunner::step(const Job& job, const std::vector<std::string>& args) {
  return step(job, "l4d2ctl " + join(args, " "),
              [&](const Ctl& ctl, const std::function<void(std::string_view)>& on_line,
                  const std::function<void(pid_t)>& on_spawn) { return ctl.run_streaming(args, on_line, on_spawn); });
}

Result<ExitStatus> JobRunner::step(const Job& job, const std::string& shown, const StepCall& call) {
  (void)hub_.publish(job.id, "$ " + shown);
  Result<std::shared_ptr<const Ctl>> ctl = ctl_of(job);
  if (!ctl) {
    (void)hub_.publish(job.id, ctl.error().message());
    return ctl.error();
  }
  bool install = job.type == JobType::kInstall;
  InstallEstimator estimator;
  HostWait wait;
  Result<ExitStatus> status = ExitStatus{};
  for (;;) {
    std::deque<std::string> last;  // for transport_error
    status = call(
        **ctl,
        [&](std::string_view line) {
          std::string text(line);
          last.emplace_back(text);
          if (last.size() > kTransportLines) last.pop_front();
          // A progress line is stored and shown with the estimate of the time left (l4d2ctl cannot know it).
          std::optional<nlohmann::json> progress = install ? parse_install_progress(text) : std::nullopt;
          if (progress) {
            text = estimator.add(std::move(*progress), InstallEstimator::Clock::now()).dump();
            (void)jobs_.set_progress(job.id, text);
          }
          (void)hub_.publish(job.id, text);
        },
        [&](pid_t pid) {
          std::lock_guard<std::mutex> guard(mutex_);
          children_[job.id] = pid;
        });
    {
      std::lock_guard<std::mutex> guard(mutex_);
      children_.erase(job.id);
    }
    if (!status) {
      (void)hub_.publish(job.id, status.error().message());
      break;
    }
    std::optional<Error> unreachable =
        transport_error(**ctl, *status, join(std::vector<std::string>(last.begin(), last.end()), "\n"));
    if (!unreachable) break;
    if (!wait_for_host(job, *unreachable, wait)) {
      status = *unreachable;
      break;
    }
  }
  end_wait(wait);
  return status;
}

Result<RunResult> JobRunner::ask(const Job& job, const std::vector<std::string>& args) {
  Result<std::shared_ptr<const Ctl>> ctl = ctl_of(job);
  if (!ctl) return ctl.error();
  HostWait wait;
  Result<RunResult> result = Error::failed("not run");
  for (;;) {
    result = (*ctl)->run(args, std::chrono::seconds(20));
    std::optional<Error> unreachable = result ? transport_error(**ctl, result->status, result->err) : std::nullopt;
    if (!unreachable) break;
    if (!wait_for_host(job, *unreachable, wait)) {
      result = *unreachable;
      break;
    }
  }
  end_wait(wait);
  return result;
}

bool JobRunner::wait_for_host(const Job& job, const Error& unreachable, HostWait& wait) {
  using Clock = std::chrono::steady_clock;
  using std::chrono::duration_cast;
  // A refused host key is a question for an administrator, not for time.
  if (unreachable.code() != ErrorCode::kUnavailable) {
    (void)hub_.publish(job.id, unreachable.message());
    return false;
  }
  const Clock::time_point now = Clock::now();
  if (!wait.holding) {
    std::lock_guard<std::mutex> guard(mutex_);
    wait = HostWait{now, options_.first_host_pause, job_hosts_.at(job.id).id, true};
    ++waiting_hosts_[wait.host_id];
  }
  auto left = duration_cast<std::chrono::milliseconds>(options_.host_retry - (now - wait.since));
  if (left <= std::chrono::milliseconds(0)) {
    (void)hub_.publish(job.id, fmt::format("gave up after waiting {} s for the host: {}", options_.host_retry.count(),
                                           unreachable.message()));
    return false;
  }
  std::chrono::milliseconds next = std::min(wait.pause, left);
  (void)hub_.publish(job.id,
                     fmt::format("{}; trying again in {:.0f} s (giving up after {} s)", unreachable.message(),
                                 std::ceil(static_cast<double>(next.count()) / 1000.0), options_.host_retry.count()));
  status_.invalidate();
  wait.pause = std::min(wait.pause * 2, kLongestHostPause);
  return pause(next);
}

void JobRunner::end_wait(HostWait& wait) {
  if (!wait.holding) return;
  std::lock_guard<std::mutex> guard(mutex_);
  if (--waiting_hosts_[wait.host_id] == 0) waiting_hosts_.erase(wait.host_id);
  wait.holding = false;
  wake_.notify_all();  // the host's other jobs may be taken again
}

std::set<std::string> JobRunner::held_lanes() {
  std::set<std::string> lanes = busy_lanes_;
  if (waiting_hosts_.empty()) return lanes;
  if (Result<std::vector<Server>> servers = servers_.list_all(); servers) {
    for (const Server& server : *servers) {
      if (waiting_hosts_.contains(server.host_id)) lanes.insert(Job::server_lane(server.id));
    }
  }
  for (const auto& [host_id, waiting] : waiting_hosts_) {
    if (std::optional<HostCtls::Entry> host = hosts_.find(host_id)) lanes.insert(install_target(host_id, host->name));
  }
  return lanes;
}

std::int64_t JobRunner::host_of(const Job& job) {
  if (job.server_id) {
    if (Result<Server> server = servers_.get(*job.server_id, kSystem); server) return server->host_id;
  }
  return job.host_id.value_or(kLocalHostId);
}

Result<std::shared_ptr<const Ctl>> JobRunner::ctl_of(const Job& job) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto found = job_hosts_.find(job.id);
  if (found == job_hosts_.end()) return Error::failed(fmt::format("job {} is not running", job.id));
  return found->second.ctl;
}

Status JobRunner::claim_instance(const Job& job, const Server& server) {
  // Only the exit code is used: the status of an instance that is not this server's is never shown.
  Result<RunResult> found = ask(job, {"status", server.instance, "--json"});
  if (!found) return found.error();
  std::optional<Error> refused;
  if (found->status.success()) {
    refused = Error(ErrorCode::kAlreadyExists,
                    fmt::format("instance '{}' already exists on the host and this panel did not make it; nothing "
                                "was changed (an administrator can adopt it as a server on the Administration page, "
                                "or remove it with l4d2ctl delete)",
                                server.instance));
  } else if (found->status.signalled || found->status.code != 3) {
    refused = Error::failed(fmt::format("cannot tell whether instance '{}' exists on the host: l4d2ctl status {}",
                                        server.instance, found->status.describe()));
  }
  if (refused) {
    (void)hub_.publish(job.id, refused->message());
    return *refused;
  }
  (void)hub_.publish(job.id, fmt::format("instance '{}' is new on the host: this server takes it", server.instance));
  return servers_.claim_instance(server.id);
}

Result<ExitStatus> JobRunner::initialize(const Job& job, const Server& server) {
  if (!server.owns_instance) {
    if (Status claimed = claim_instance(job, server); !claimed) return claimed.error();
  }
  // Blueprint changes apply on the server's next action: render the blueprint as it is now.
  Result<Blueprint> blueprint = blueprints_.get(server.blueprint_id, kSystem);
  if (!blueprint) return blueprint.error();
  Result<std::string> spec = render_instance_spec(blueprint->spec_yaml, server.port, server.name,
                                                  derive_rcon_password(options_.secret_key, server.id));
  if (!spec) return spec.error();
  Result<ExitStatus> status =
      step(job, fmt::format("l4d2ctl initialize {} -f <the blueprint's spec>", server.instance),
           [&](const Ctl& ctl, const std::function<void(std::string_view)>& on_line,
               const std::function<void(pid_t)>& on_spawn) {
             return ctl.initialize(server.instance, *spec, options_.scratch_dir, on_line, on_spawn);
           });
  if (status && status->success()) (void)servers_.mark_applied(server.id, blueprint->id, blueprint->version);
  return status;
}

void JobRunner::record_host_state(const Job& job, const Server& server) {
  std::optional<std::string> instance = server.managed_instance();
  StatusMap answer;  // what the host said of the instance: its status, or nothing (it has none)
  HostStatuses host = HostStatuses::answered(answer);
  Result<std::shared_ptr<const Ctl>> ctl = ctl_of(job);
  if (instance && !ctl) {
    host = HostStatuses::no_answer();
  } else if (instance) {
    Result<RunResult> now = (*ctl)->run({"status", *instance, "--json", "--players"}, std::chrono::seconds(20));
    Result<nlohmann::json> parsed = now && now->status.success() ? parse_json_limited(now->out)
                                                                 : Result<nlohmann::json>(Error::failed("no status"));
    if (parsed && parsed->is_object() && parsed->contains("state") && (*parsed)["state"].is_string()) {
      answer[*instance] = *parsed;
      status_.put(*instance, std::move(*parsed));
    } else if (now && !now->status.signalled && now->status.code == 3) {  // no such instance
      status_.put(*instance, std::nullopt);
    } else {
      host = HostStatuses::no_answer();
      status_.invalidate();
    }
  }
  (void)servers_.record_state(server.id, view_server(server, host).state);
}

bool JobRunner::pause(std::chrono::milliseconds duration) {
  std::unique_lock<std::mutex> lock(mutex_);
  stop_wake_.wait_for(lock, duration, [this] { return stopping_; });
  return !stopping_;
}

Result<JobRunner::Switch> JobRunner::wait_until_empty(const Job& job, const std::string& instance) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + options_.switch_max_wait;
  // Often enough that an empty server is noticed soon, seldom enough that a long wait costs nothing.
  const auto poll = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(options_.switch_max_wait) / 20,
                               std::chrono::milliseconds(250), std::chrono::milliseconds(10000));
  std::string said;
  for (;;) {
    Result<RunResult> now = ask(job, {"status", instance, "--json"});
    if (!now) return now.error();
    if (!now->status.success()) return Error::failed("l4d2ctl status " + now->status.describe());
    Result<nlohmann::json> status = parse_json_limited(now->out);
    if (!status) return status.error();
    SwitchDecision decision = decide_switch(*status, Clock::now(), deadline);
    if (decision.reason != said) (void)hub_.publish(job.id, decision.reason);  // each change once
    said = decision.reason;
    switch (decision.step) {
      case SwitchStep::kDone:
        return Switch::kDone;
      case SwitchStep::kRestartNow:
        return Switch::kRestart;
      case SwitchStep::kWarnThenRestart: {
        Result<ExitStatus> warned = step(job, {"rcon", instance, "--", "say", switch_warning(options_.switch_warning)});
        if (!warned || !warned->success()) (void)hub_.publish(job.id, "the warning was not sent; restarting anyway");
        if (!pause(options_.switch_warning)) return Error::failed("the web app shut down while this job waited");
        return Switch::kRestart;
      }
      case SwitchStep::kWait:
        if (!pause(poll)) return Error::failed("the web app shut down while this job waited");
        break;
    }
  }
}

Result<nlohmann::json> JobRunner::instance_status(const Job& job, const std::string& instance) {
  Result<RunResult> now = ask(job, {"status", instance, "--json", "--players"});
  if (!now) return now.error();
  if (!now->status.success()) return Error::failed("l4d2ctl status " + now->status.describe());
  return parse_json_limited(now->out);
}

void JobRunner::say(const Job& job, const std::string& instance, const std::string& text) {
  Result<std::string> command = say_command(text);
  Result<ExitStatus> said =
      command ? step(job, {"rcon", instance, "--", *command}) : Result<ExitStatus>(command.error());
  if (!said || !said->success()) (void)hub_.publish(job.id, "the message was not said; going on");
}

Result<JobRunner::Switch> JobRunner::wait_for_scheduled_restart(const Job& job, const Server& server,
                                                                const std::string& instance) {
  Result<StoredRestartSchedule> stored = schedules_.get(server.id);
  if (!stored) return stored.error();
  const RestartSchedule& schedule = stored->schedule;
  if (!schedule.enabled) {
    (void)hub_.publish(job.id, "the daily restart was turned off meanwhile: nothing to do");
    return Switch::kDone;
  }
  // The maximum wait counts from the restart's time: a job that waited for its server's earlier jobs waits less.
  using Clock = std::chrono::steady_clock;
  const auto now = static_cast<std::int64_t>(std::time(nullptr));
  const std::chrono::seconds late(std::max<std::int64_t>(0, now - stored->last_due_at.value_or(now)));
  const Clock::time_point since = Clock::now() - late;
  const std::chrono::seconds max_wait = std::chrono::minutes(schedule.max_wait_minutes);
  (void)hub_.publish(job.id, fmt::format("daily restart at {} UTC: waiting at most {} min for the server to be empty",
                                         format_time_of_day(schedule.minute_of_day), schedule.max_wait_minutes));
  const auto poll = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(max_wait) / 20,
                               std::chrono::milliseconds(250), std::chrono::milliseconds(10000));
  std::string logged;
  bool told = false;
  for (;;) {
    Result<nlohmann::json> status = instance_status(job, instance);
    if (!status) return status.error();
    auto waited = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - since);
    RestartDecision decision = decide_scheduled_restart(*status, waited, max_wait);
    if (decision.reason != logged) (void)hub_.publish(job.id, decision.reason);  // each change once
    logged = decision.reason;
    switch (decision.step) {
      case RestartStep::kNothing:
        if (told) (void)hub_.publish(job.id, "the server stopped meanwhile: nothing to do");
        return Switch::kDone;
      case RestartStep::kRestart:
        // Players still on it (or not known) at the maximum wait hear the message once more.
        if (decision.players.value_or(1) > 0 && !schedule.message.empty()) say(job, instance, schedule.message);
        return Switch::kRestart;
      case RestartStep::kWait:
        if (!told && !schedule.message.empty()) say(job, instance, schedule.message);
        told = true;
        if (!pause(poll)) return Error::failed("the web app shut down while this job waited");
        break;
    }
  }
}

Result<ExitStatus> JobRunner::launch(const Job& job, const Server& server, const std::string& verb) {
  Result<ExitStatus> status = initialize(job, server);
  // --wait: the job succeeds only once the server answers, so its outcome means something to the user.
  if (status && status->success()) {
    status = step(job, {verb, server.instance, "--wait", "--timeout", std::to_string(options_.start_wait.count())});
  }
  return status;
}

Result<ExitStatus> JobRunner::act_on_server(const Job& job, const Server& server) {
  // A host instance the panel does not manage is never stopped or deleted: until the panel made or adopted
  // it, an instance of that name is someone else's (made with the CLI).
  std::optional<std::string> instance = server.managed_instance();
  switch (job.type) {
    case JobType::kSwitchBuild: {
      if (!instance) {
        (void)hub_.publish(job.id, "this server has not been started yet: it starts on the current build");
        return ExitStatus{};
      }
      Result<Switch> wanted = wait_until_empty(job, *instance);
      if (!wanted) return wanted.error();
      if (*wanted == Switch::kDone) return ExitStatus{};
      return launch(job, server, "restart");
    }
    case JobType::kScheduledRestart: {
      if (!instance) {
        (void)hub_.publish(job.id, "this server has not been started yet: nothing to restart");
        return ExitStatus{};
      }
      Result<Switch> wanted = wait_for_scheduled_restart(job, server, *instance);
      if (!wanted) return wanted.error();
      if (*wanted == Switch::kDone) return ExitStatus{};
      return launch(job, server, "restart");  // as the Restart button does
    }
    case JobType::kStart:
      return launch(job, server, "start");
    case JobType::kRestart:
      return launch(job, server, "restart");
    case JobType::kStop:
      if (instance) return step(job, {"stop", *instance});
      (void)hub_.publish(job.id, "nothing to stop: this server has not been started yet");
      return ExitStatus{};
    case JobType::kDelete:
      if (instance) return step(job, {"delete", *instance});
      (void)hub_.publish(job.id, "nothing to delete on the host: this server has not been started yet");
      return ExitStatus{};
    case JobType::kInstall:
    case JobType::kCheckUpdate:
    case JobType::kRefreshManaged:
    case JobType::kRefreshWorkshop:
    case JobType::kBuildOverlay:
      break;
  }
  return Error::invalid(fmt::format("a {} job does not act on a server", to_string(job.type)));
}

Result<ExitStatus> JobRunner::run_server_job(const Job& job) {
  Result<Server> server =
      job.server_id ? servers_.get(*job.server_id, kSystem) : Result<Server>(Error::not_found("no server"));
  if (!server) return Error::not_found("the server was deleted");
  Result<ExitStatus> status = act_on_server(job, *server);
  if (job.type == JobType::kDelete && status && status->success()) {
    Result<std::optional<RemovedUser>> removed = servers_.remove(server->id);
    if (removed && *removed) {  // the last server of a user being deleted: their overlays' directories go too
      for (const std::string& directory : (*removed)->overlay_directories) {
        remove_overlay_directory(options_.host_root, directory);
      }
    }
    if (std::optional<std::string> instance = server->managed_instance()) status_.put(*instance, std::nullopt);
    return status;
  }
  // Record what the host says now, whatever the outcome, in the database and in the live status. The server is
  // read again: a start may just have taken its instance.
  Result<Server> now = servers_.get(server->id, kSystem);
  record_host_state(job, now ? *now : *server);
  return status;
}

void JobRunner::run(const Job& job) {
  hub_.begin(job.id);
  {
    std::int64_t host_id = host_of(job);
    Result<std::shared_ptr<const Ctl>> ctl = hosts_.get(host_id);
    std::lock_guard<std::mutex> guard(mutex_);
    job_hosts_.insert_or_assign(job.id, JobHost{host_id, std::move(ctl)});
  }
  Result<ExitStatus> status = ExitStatus{};
  switch (job.type) {
    case JobType::kInstall:
      status = step(job, {"install", "--json"});
      break;
    case JobType::kCheckUpdate:
      status = step(job, {"install", "--check", "--json"});
      break;
    case JobType::kSwitchBuild:
    case JobType::kScheduledRestart:
    case JobType::kStart:
    case JobType::kStop:
    case JobType::kRestart:
    case JobType::kDelete:
      status = run_server_job(job);
      break;
    case JobType::kRefreshManaged:
    case JobType::kRefreshWorkshop:
      status = run_in_process(job);
      break;
    case JobType::kBuildOverlay:
      status = build_overlay(job);
      break;
  }
  {
    std::lock_guard<std::mutex> guard(mutex_);
    job_hosts_.erase(job.id);
  }
  finish(job, status);
}

Result<ExitStatus> JobRunner::build_overlay(const Job& job) {
  if (!job.overlay_id) return Error::invalid("this build_overlay job names no overlay");
  // A script overlay's directory is its id: only files overlays were ever adopted under other names.
  std::string directory = std::to_string(*job.overlay_id);
  Result<std::string> script = overlay_script_path(options_.host_root, directory);
  if (!script) return script.error();
  if (!path_exists(*script)) {
    Error missing = Error::not_found("the overlay has no script to build (it was deleted, or none was saved)");
    (void)hub_.publish(job.id, missing.message());
    return missing;
  }
  Result<ExitStatus> built = step(job, {"build-overlay", directory, *script});
  if (after_build_) {
    Result<ExitStatus> recorded = run_action(job, after_build_);
    if (built && built->success() && !recorded) return recorded;
  }
  return built;
}

Result<ExitStatus> JobRunner::run_in_process(const Job& job) {
  auto found = in_process_.find(job.type);
  if (found == in_process_.end() || !found->second) {
    return Error::unavailable(fmt::format("this web app does not run {} jobs", to_string(job.type)));
  }
  return run_action(job, found->second);
}

Result<ExitStatus> JobRunner::run_action(const Job& job, const InProcessJob& action) {
  JobSink sink{[&](const std::string& line) { (void)hub_.publish(job.id, line); },
               [this] {
                 std::lock_guard<std::mutex> guard(mutex_);
                 return stopping_;
               }};
  Status status = action(job, sink);
  if (!status) {
    (void)hub_.publish(job.id, status.error().message());
    return status.error();
  }
  return ExitStatus{};
}

void JobRunner::finish(const Job& job, const Result<ExitStatus>& status) {
  JobState state = JobState::kSucceeded;
  std::string reason;
  std::optional<int> exit_code;
  bool stopping;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    stopping = stopping_;
  }
  if (!status) {
    state = stopping ? JobState::kInterrupted : JobState::kFailed;
    reason = status.error().message();
  } else {
    exit_code = status->shell_code();
    if (!status->success()) {
      state = stopping ? JobState::kInterrupted : JobState::kFailed;
      reason = stopping ? "the web app shut down while this job ran" : "l4d2ctl " + status->describe();
    }
  }
  if (Status finished = jobs_.finish(job.id, state, exit_code, reason); !finished) {
    log::error("jobs: job {}: {}", job.id, finished.error().message());
  }
  hub_.end(job.id, state);
  if (on_finish_) on_finish_(job, state, reason);
  log::info("job {} {} '{}': {}{}", job.id, to_string(job.type), job.target, to_string(state),
            reason.empty() ? "" : " (" + reason + ")");
}

}  // namespace left4me::web
