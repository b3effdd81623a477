#include "web/app.h"

#include "web/blueprint_overlays.h"
#include "web/overlay_directories.h"

#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <mutex>

#include "base/file.h"
#include "base/log.h"
#include "base/strings.h"
#include "web/crypto.h"
#include "web/game_builds.h"
#include "web/migrations.h"
#include "web/overlay_files.h"
#include "web/pages.h"
#include "web/restart_schedule.h"
#include "web/responses.h"
#include "web/routes.h"
#include "web/server_view.h"
#include "web/sessions.h"
#include "web/ssh.h"

namespace left4me::web {
namespace {

// An upload nobody added to for this long is removed (overlay_uploads.h).
constexpr std::chrono::hours kUploadIdle{1};

// Everything is served by us: no inline script or style, no framing, no third parties.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

// Over HTTPS (through the TLS proxy, or SESSION_COOKIE_SECURE=true): every cookie travels only over TLS, and the
// browser keeps to HTTPS for a year. Done here, once, so no cookie can be set without it.
void served_over_https(Response& response) {
  for (auto& [name, value] : response.headers) {
    if (name == "Set-Cookie" && value.find("; Secure") == std::string::npos) value += "; Secure";
  }
  response.header("Strict-Transport-Security", "max-age=31536000");
}

// The session of a page request's cookie (for its error page's navigation), or nullopt.
std::optional<SessionInfo> page_viewer(Accounts& accounts, const Request& request) {
  std::optional<std::string> cookie = request.cookie(kSessionCookie);
  if (!cookie) return std::nullopt;
  Result<std::optional<SessionInfo>> session = accounts.find_session(*cookie);
  return session ? *session : std::nullopt;
}

bool is_safe_method(const std::string& method) { return method == "GET" || method == "HEAD"; }

// Paths for programs, not people: their errors stay JSON (a scraper of /metrics reads no HTML page).
bool is_api(const std::string& path) {
  return path.rfind("/api/", 0) == 0 || path == "/health" || path == kMetricsRoute;
}

// The next '/'-separated segment of text (advancing it); nullopt when text is used up.
std::optional<std::string_view> next_segment(std::string_view* text, bool* done) {
  if (*done) return std::nullopt;
  size_t slash = text->find('/');
  std::string_view segment = text->substr(0, slash);
  if (slash == std::string_view::npos) {
    *done = true;
  } else {
    text->remove_prefix(slash + 1);
  }
  return segment;
}

// Matches "/a/{x}/b" against a path, collecting the {} parts. Runs for every route on every request, so
// it walks both strings in place instead of splitting them.
bool match_pattern(std::string_view pattern, std::string_view path, std::vector<std::string>* params) {
  params->clear();
  bool pattern_done = false;
  bool path_done = false;
  for (;;) {
    std::optional<std::string_view> expected = next_segment(&pattern, &pattern_done);
    std::optional<std::string_view> actual = next_segment(&path, &path_done);
    if (!expected || !actual) return !expected && !actual;
    if (!expected->empty() && expected->front() == '{' && expected->back() == '}') {
      if (actual->empty()) return false;
      params->emplace_back(*actual);
    } else if (*expected != *actual) {
      return false;
    }
  }
}

std::optional<std::string> submitted_csrf(const Request& request) {
  if (auto header = request.header("x-csrf-token")) return std::string(*header);
  Result<nlohmann::json> body = parse_body(request);
  if (body) return string_field(*body, "csrf_token");
  return std::nullopt;
}

// The panel's SSH files: its key in <data>/ssh, each host's pinned key in <data>/ssh/known_hosts.d/<id>.
std::string ssh_dir(const WebConfig& config) { return config.data_dir + "/ssh"; }

SshTarget ssh_target(const WebConfig& config, const Host& host) {
  return SshTarget{host.address, host.ssh_port, host.ssh_user,
                   fmt::format("{}/known_hosts.d/{}", ssh_dir(config), host.id)};
}

// The Ctl of a remote host: l4d2ctl over SSH with the panel's key and the host's pinned key. The control
// sockets' directory must be short (sun_path): <data>/ssh/c when it fits, else one under /tmp for this user.
HostCtls::Factory remote_ctl_factory(const WebConfig& config) {
  return [config](const Host& host) -> Result<std::shared_ptr<const Ctl>> {
    Result<PanelKey> key = ensure_panel_key(ssh_dir(config));
    if (!key) return key.error();
    SshSettings settings;
    settings.key_file = key->private_key_file;
    settings.control_dir = ssh_dir(config) + "/c";
    if (settings.control_dir.size() > kMaxControlDirLength) {
      settings.control_dir = fmt::format("/tmp/left4me-ssh-{}", ::getuid());
    }
    if (::mkdir(settings.control_dir.c_str(), 0700) != 0 && errno != EEXIST) {
      return Error::from_errno(settings.control_dir, errno);
    }
    return std::shared_ptr<const Ctl>(Ctl::over_ssh(settings, ssh_target(config, host), config.l4d2ctl_env));
  };
}

}  // namespace

Result<std::unique_ptr<App>> App::create(WebConfig config) {
  std::unique_ptr<App> app(new App(std::move(config)));
  Result<std::unique_ptr<Database>> database = Database::open(app->config.database_path);
  if (!database) return database.error();
  app->database = std::move(*database);
  if (Status status = migrate(*app->database); !status) return status.error();
  app->accounts = std::make_unique<Accounts>(*app->database, app->config.secret_key);
  app->two_factor = std::make_unique<TwoFactor>(*app->database, app->config.secret_key);
  app->audit = std::make_unique<AuditLog>(*app->database);
  app->blueprints = std::make_unique<Blueprints>(*app->database, app->config.user_limits);
  app->overlays = std::make_unique<Overlays>(*app->database);
  app->managed_overlays = std::make_unique<ManagedOverlays>(*app->database);
  app->script_overlays = std::make_unique<ScriptOverlays>(*app->database, host_root(app->config));
  Result<std::unique_ptr<OverlayUploads>> uploads = OverlayUploads::create(
      app->config.scratch_dir + "/uploads", app->config.upload_max_bytes, app->config.upload_chunk_bytes);
  if (!uploads) return uploads.error();
  app->uploads = std::move(*uploads);
  // Blueprints saved before overlays were records name them by directory: each such name becomes a record.
  if (Result<int> adopted = adopt_blueprint_overlays(*app->database, *app->blueprints, *app->overlays); !adopted) {
    return adopted.error();
  }
  app->servers = std::make_unique<Servers>(
      *app->database, PortRange{app->config.port_range_start, app->config.port_range_end}, app->config.user_limits);
  app->restart_schedules = std::make_unique<RestartSchedules>(*app->database);
  app->jobs = std::make_unique<Jobs>(*app->database);
  app->ctl = std::make_unique<Ctl>(app->config.l4d2ctl, app->config.l4d2ctl_env);
  app->hosts = std::make_unique<Hosts>(*app->database);
  if (Status status = app->hosts->set_local_ports(app->servers->ports()); !status) return status.error();
  // The App owns the local Ctl for its whole life: the registry's pointer does not.
  app->host_ctls = std::make_unique<HostCtls>(std::shared_ptr<const Ctl>(std::shared_ptr<const Ctl>(), app->ctl.get()),
                                              remote_ctl_factory(app->config));
  app->scan_host_keys = [](const std::string& address, int port) -> Result<std::vector<HostKey>> {
    Result<std::vector<ScannedKey>> scanned = left4me::web::scan_host_keys(address, port);
    if (!scanned) return scanned.error();
    std::vector<HostKey> keys;
    for (const ScannedKey& key : *scanned) keys.push_back(HostKey{key.known_hosts_line, key.fingerprint});
    return keys;
  };
  app->pin_host_key = [config = app->config](const Host& host) -> Status {
    std::string directory = ssh_dir(config) + "/known_hosts.d";
    for (const std::string& path : {ssh_dir(config), directory}) {
      if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) return Error::from_errno(path, errno);
    }
    // The stored line is "<address> <type> <key>" as scanned; pin_host_key checks the type against it.
    std::vector<std::string> words = split(host.key.known_hosts_line, ' ');
    std::string type = words.size() == 3 ? words[1] : "";
    return left4me::web::pin_host_key(ssh_target(config, host),
                                      ScannedKey{host.key.known_hosts_line, host.key.fingerprint, type});
  };
  if (Status status = app->reload_hosts(); !status) return status.error();
  HostCtls& host_ctls = *app->host_ctls;
  app->host_facts = std::make_unique<HostFacts>(
      [&host_ctls](std::int64_t host) -> Result<GameBuilds> {
        Result<std::shared_ptr<const Ctl>> ctl = host_ctls.get(host);
        if (!ctl) return ctl.error();
        return read_game_builds(**ctl);
      },
      std::chrono::seconds(30));
  Servers& servers = *app->servers;
  app->status_cache = std::make_unique<StatusCache>(
      [&host_ctls] {
        std::vector<PolledHost> polled;
        for (HostCtls::Entry& entry : host_ctls.all())
          polled.push_back({entry.id, entry.name, std::move(entry.ctl), entry.problem});
        return polled;
      },
      [&servers](std::int64_t host) {
        Result<std::vector<std::string>> instances = servers.instances_on(host);
        return instances ? std::move(*instances) : std::vector<std::string>{};
      },
      app->config.status_cache, std::chrono::seconds(10), app->config.status_watch);
  // The host's map list changes when an overlay or the installation does: a minute old is fresh enough for a form.
  app->map_lists = std::make_unique<MapLists>(*app->ctl, std::chrono::seconds(60));
  app->job_logs = std::make_unique<JobLogHub>(*app->jobs);
  app->server_logs =
      std::make_unique<ServerLogHub>([&host_ctls](std::int64_t host_id) { return host_ctls.get(host_id); }, 100);
  app->runner = std::make_unique<JobRunner>(
      *app->jobs, *app->servers, *app->blueprints, *app->restart_schedules, *app->host_ctls, *app->status_cache,
      *app->job_logs,
      JobRunnerOptions{app->config.job_worker_threads, app->config.scratch_dir, app->config.start_wait,
                       app->config.build_switch_max_wait, app->config.build_switch_warning, app->config.secret_key,
                       host_root(app->config), app->config.host_retry});
  app->server_events = std::make_unique<ServerEvents>(*app->database);
  app->webhooks = std::make_unique<Webhooks>(*app->database);
  WebhookSenderOptions sending;
  sending.timeout = app->config.webhook_timeout;
  sending.first_retry = app->config.webhook_retry;
  app->webhook_sender = std::make_unique<WebhookSender>(*app->webhooks, sending);
  app->workshop_lists = std::make_unique<WorkshopLists>(*app->database);
  app->workshop_refresher =
      std::make_unique<WorkshopRefresher>(*app->overlays, *app->workshop_lists,
                                          WorkshopRefreshOptions{app->config.host_root, app->config.steam_web_api_url});
  WorkshopRefresher& refresher = *app->workshop_refresher;
  app->runner->set_in_process(JobType::kRefreshWorkshop,
                              [&refresher](const Job& job, const JobSink& sink) { return refresher.run(job, sink); });
  JobRunner& runner = *app->runner;
  app->history =
      std::make_unique<ServerHistory>(*app->server_events, *app->servers, *app->job_logs, *app->webhook_sender,
                                      [&runner](std::int64_t server) { return runner.running_job(server); });
  ServerHistory& history = *app->history;
  app->status_cache->set_listener([&history](const std::vector<HostEvent>& events) { history.on_host_events(events); });
  app->runner->set_in_process(JobType::kRefreshManaged, [&app = *app](const Job& job, const JobSink& sink) {
    return app.refresh_managed_overlay(job, sink);
  });
  // After a script overlay's build, what it left in the overlay counts toward its owner's quota.
  app->runner->set_after_build([&app = *app](const Job& job, const JobSink& sink) -> Status {
    if (!job.overlay_id) return ok_status();
    Result<Overlay> overlay = app.overlays->get(*job.overlay_id, Scope{0, true});
    if (!overlay) return overlay.error();
    Result<std::int64_t> bytes = overlay_tree_bytes(overlay_directory(app.config, *overlay));
    if (!bytes) return bytes.error();
    sink.log(fmt::format("the overlay now holds {} bytes", *bytes));
    return app.overlays->set_size(overlay->id, *bytes);
  });
  app->runner->set_finish_listener([&history](const Job& job, JobState state, const std::string& reason) {
    history.on_job_finished(job, state, reason);
  });
  // Crash recovery: nothing runs yet, so any job marked running was cut off by a crash or kill.
  Result<int> interrupted =
      app->jobs->interrupt_running("the web app stopped while this job ran; check the server's state before retrying");
  if (!interrupted) return interrupted.error();
  if (*interrupted > 0) log::warning("marked {} job(s) interrupted by the previous shutdown", *interrupted);
  return app;
}

App::~App() { stop_background(std::chrono::seconds(0)); }

Status App::reload_hosts() {
  Result<std::vector<Host>> all = hosts->list();
  if (!all) return all.error();
  host_ctls->rebuild(*all);
  return ok_status();
}

Status App::forget_host_key(const Host& host) const {
  std::string file = ssh_target(config, host).known_hosts_file;
  if (::unlink(file.c_str()) != 0 && errno != ENOENT) return Error::from_errno("remove " + file, errno);
  return ok_status();
}

Result<std::string> App::panel_public_key() const {
  // The key is made once and never changes while the app runs: its public line is read (ssh-keygen -y) once per
  // data directory, not on every view of the hosts page or GET /api/v1/hosts. A failure is not kept.
  static std::mutex mutex;
  static std::map<std::string, std::string> known;
  std::string directory = ssh_dir(config);
  std::lock_guard<std::mutex> guard(mutex);
  if (auto found = known.find(directory); found != known.end()) return found->second;
  Result<PanelKey> key = ensure_panel_key(directory);
  if (!key) return key.error();
  known[directory] = key->public_key_line;
  return key->public_key_line;
}

ServerPlacement App::placement(std::optional<std::int64_t> host) const {
  return ServerPlacement{host, status_cache->unreachable_hosts()};
}

Status App::reconcile_servers() {
  Result<std::shared_ptr<const StatusMap>> statuses = status_cache->refresh();
  if (!statuses) return statuses.error();
  Result<std::vector<Server>> all = servers->list_all();
  if (!all) return all.error();
  for (const Server& server : *all) {
    ServerState state = view_server(server, HostStatuses::answered(**statuses)).state;
    if (state == server.recorded_state) continue;
    log::info("server '{}': state {} -> {} (from l4d2ctl)", server.name, to_string(server.recorded_state),
              to_string(state));
    if (Status status = servers->record_state(server.id, state); !status) return status;
  }
  return ok_status();
}

void App::start_background() {
  if (Status status = reconcile_servers(); !status) {
    log::warning("cannot reconcile server states: {}", status.error().message());
  }
  webhook_sender->start();
  status_cache->start();
  if (config.job_worker_enabled) {
    // What a refresh cut off by the last shutdown left in the Workshop cache (no refresh runs yet).
    if (Result<model::Layout> layout = model::Layout::create(config.host_root)) {
      (void)content::WorkshopCache(*layout, {}).remove_partial_downloads();
    }
    runner->start();
  }
  look_for_update_check();
  look_for_workshop_refresh();
  look_for_scheduled_restarts(static_cast<std::int64_t>(std::time(nullptr)));
  heartbeat_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(heartbeat_mutex_);
    while (!heartbeat_stop_) {
      heartbeat_wake_.wait_for(lock, config.sse_heartbeat);
      if (heartbeat_stop_) break;
      lock.unlock();
      job_logs->heartbeat();
      server_logs->heartbeat();
      look_for_update_check();
      look_for_workshop_refresh();
      look_for_scheduled_restarts(static_cast<std::int64_t>(std::time(nullptr)));
      uploads->remove_idle(kUploadIdle);
      lock.lock();
    }
  });
}

void App::look_for_update_check() {
  // The process that runs jobs checks; the host's record says when anyone last did. Looked at every ten minutes.
  if (!config.job_worker_enabled || config.update_check_interval.count() == 0) return;
  auto now = std::chrono::steady_clock::now();
  if (now < next_update_look_) return;
  next_update_look_ = now + std::chrono::minutes(10);
  Result<GameBuilds> builds = read_game_builds(*ctl);
  std::optional<UpdateCheck> last = builds ? builds->last_check : std::nullopt;
  if (!update_check_due(last, static_cast<std::int64_t>(std::time(nullptr)), config.update_check_interval)) return;
  Result<Job> job = runner->queue_update_check(std::nullopt);
  if (!job) {
    log::warning("cannot queue the update check: {}", job.error().message());
  } else {
    log::info("job {}: checking for a game update (the last check is older than {} h)", job->id,
              config.update_check_interval.count());
  }
}

Status App::refresh_managed_overlay(const Job& job, const JobSink& sink) {
  std::optional<std::int64_t> id = parse_managed_job_target(job.target);
  if (!id) return Error::invalid(fmt::format("'{}' names no overlay", job.target));
  Result<Overlay> overlay = overlays->get(*id, Scope{0, true});
  if (!overlay) return Error::not_found("the overlay was deleted");
  ManagedRefreshOptions options;
  options.overlays_dir = config.host_root + "/overlays";
  options.scratch_dir = config.scratch_dir;
  options.sources_dir = managed_sources_dir(config.data_dir);
  if (Status made = make_directories(options.overlays_dir, 0755); !made) return made.error();
  std::int64_t overlay_id = overlay->id;
  Result<ExitStatus> refreshed =
      web::refresh_managed_overlay(*overlay, *managed_overlays, options, sink.log, [this, overlay_id] {
        Result<bool> used = managed_overlays->in_use(overlay_id);
        return !used || *used;  // when unsure, keep the old tree
      });
  if (!refreshed) return refreshed.error();
  return ok_status();
}

void App::look_for_workshop_refresh() {
  // Like the update check: the process that runs jobs looks, every ten minutes.
  if (!config.job_worker_enabled || config.workshop_refresh_interval.count() == 0) return;
  auto now = std::chrono::steady_clock::now();
  if (now < next_workshop_look_) return;
  next_workshop_look_ = now + std::chrono::minutes(10);
  Result<std::optional<std::int64_t>> last = jobs->last_workshop_refresh_all();
  if (!last) {
    log::warning("cannot tell when the Workshop overlays were last refreshed: {}", last.error().message());
    return;
  }
  auto interval = std::chrono::duration_cast<std::chrono::seconds>(config.workshop_refresh_interval).count();
  if (*last && static_cast<std::int64_t>(std::time(nullptr)) - **last < interval) return;
  Result<std::vector<std::int64_t>> workshop = workshop_lists->workshop_overlays();
  if (!workshop || workshop->empty()) return;  // nothing to refresh: no job
  Result<Jobs::RefreshAll> queued = jobs->enqueue_workshop_refresh_all();
  if (!queued) {
    log::warning("cannot queue the Workshop refresh: {}", queued.error().message());
  } else if (queued->queued) {
    runner->notify();
    log::info("job {}: refreshing every Workshop overlay (daily)", queued->job.id);
  }
}

void App::look_for_scheduled_restarts(std::int64_t now) {
  // The process that runs jobs schedules them (not the admin wrapper's commands, JOB_WORKER_ENABLED=false).
  if (!config.job_worker_enabled) return;
  Result<std::vector<StoredRestartSchedule>> schedules = restart_schedules->enabled();
  if (!schedules) {
    log::warning("cannot read the daily restarts: {}", schedules.error().message());
    return;
  }
  for (const StoredRestartSchedule& stored : *schedules) {
    ScheduleDecision decision = check_restart_schedule(stored.schedule, stored.last_due_at, now);
    if (decision.check != ScheduleCheck::kDue) continue;
    Result<Server> server = servers->get(stored.server_id, Scope{0, true});
    if (!server) continue;
    // Claimed first, so that nothing (a second look, a restarted web app) queues this day's restart again.
    Result<bool> claimed = restart_schedules->claim(server->id, decision.due_at);
    if (!claimed)
      log::warning("server '{}': cannot record its daily restart: {}", server->name, claimed.error().message());
    if (!claimed || !*claimed) continue;
    std::string at = format_time_of_day(stored.schedule.minute_of_day);
    if (!is_up(server->recorded_state)) {
      log::info("server '{}': no daily restart at {} UTC today: it is {}", server->name, at,
                to_string(server->recorded_state));
      continue;
    }
    // Never two for one server: a restart that still waits for its players (its time was changed) is the day's.
    Result<std::vector<Job>> running = jobs->list(
        Scope{0, true},
        JobFilter{
            .state = JobState::kRunning, .type = JobType::kScheduledRestart, .server_id = server->id, .limit = 1});
    if (running && !running->empty()) {
      log::info("server '{}': its daily restart still runs (job {}): none more at {} UTC", server->name,
                running->front().id, at);
      continue;
    }
    Result<Job> job = runner->queue_scheduled_restart(*server);
    if (!job) {
      log::warning("server '{}': cannot queue the daily restart at {} UTC: {}", server->name, at,
                   job.error().message());
    } else {
      log::info("job {}: the daily restart of server '{}' at {} UTC", job->id, server->name, at);
    }
  }
}

void App::stop_background(std::chrono::seconds grace) {
  {
    std::lock_guard<std::mutex> guard(heartbeat_mutex_);
    heartbeat_stop_ = true;
  }
  heartbeat_wake_.notify_all();
  if (heartbeat_.joinable()) heartbeat_.join();
  if (server_logs) server_logs->stop_all();
  if (runner) runner->stop(grace);
  if (status_cache) status_cache->stop();
  if (webhook_sender) webhook_sender->stop();
}

Result<std::optional<std::string>> App::ensure_setup_token() {
  Result<std::int64_t> users = accounts->count_users();
  if (!users) return users.error();
  if (*users > 0) return std::optional<std::string>();
  Result<std::string> token = accounts->create_setup_token(config.setup_link_lifetime);
  if (!token) return token.error();
  return std::optional<std::string>(*token);
}

ThrottleLimits App::login_limits() const {
  return ThrottleLimits{config.login_failures_per_account, config.login_failures_per_address, config.login_window};
}

std::optional<Response> App::two_factor_gate(const Request& request, const Route& route, const Context& context) {
  // API tokens are unaffected: an administrator's scripts keep working.
  if (!context.auth || context.auth->via_token || !context.user().is_admin || context.user().two_factor) {
    return std::nullopt;
  }
  // What such an administrator may still do: set it up, and sign out.
  if (route.access == Access::kPublic || route.pattern.starts_with(kTwoFactorPagePath) || route.pattern == "/logout" ||
      route.pattern == "/api/v1/session") {
    return std::nullopt;
  }
  Result<bool> required = two_factor->required_for_admins();
  if (!required) return error_from(required.error());
  if (!*required) return std::nullopt;
  if (is_api(request.path)) {
    return error_response(403, "two_factor_required",
                          "administrators must set up two-factor sign-in first (on the account page)");
  }
  return redirect(std::string(kTwoFactorPagePath) + "?notice=two_factor_required");
}

Response App::dispatch(Request& request, const ClientInfo& client, const Route*& found) {
  std::string method = request.method == "HEAD" ? "GET" : request.method;
  found = nullptr;
  bool path_known = false;
  std::vector<std::string> params;
  for (const Route& route : routes()) {
    if (!match_pattern(route.pattern, request.path, &params)) continue;
    path_known = true;
    if (route.method == method) {
      found = &route;
      break;
    }
  }
  if (found == nullptr) {
    if (path_known) return error_response(405, "method_not_allowed", "method not allowed");
    return error_response(404, "not_found", "no such page");
  }
  // Only an upload's chunks may be larger than MAX_BODY (the server takes bodies as large as a chunk).
  if (request.body.size() > config.max_body_bytes && found->pattern != kUploadChunkRoute) {
    return error_response(413, "too_large", fmt::format("the body may have at most {} bytes", config.max_body_bytes));
  }
  Context context{request, std::move(params), std::nullopt, client};

  // Who is asking: a bearer token (scripts) or a session cookie (browsers).
  if (auto authorization = request.header("authorization")) {
    std::string_view value = *authorization;
    if (value.substr(0, 7) != "Bearer ")
      return error_response(401, "unauthenticated", "use 'Authorization: Bearer <token>'");
    Result<std::optional<TokenInfo>> token = accounts->find_api_token(std::string(value.substr(7)));
    if (!token) return error_from(token.error());
    if (!*token) return error_response(401, "unauthenticated", "the API token is unknown or revoked");
    TokenScope scope = (*token)->scope;
    context.auth = AuthContext{(*token)->user, true, scope != TokenScope::kFull, scope == TokenScope::kMetrics, "", ""};
    if (scope == TokenScope::kMetrics && found->pattern != kMetricsRoute) {
      return error_response(403, "metrics_token", "this API token may only read /metrics");
    }
  } else if (auto cookie = request.cookie(kSessionCookie)) {
    Result<std::optional<SessionInfo>> session = accounts->find_session(*cookie);
    if (!session) return error_from(session.error());
    if (*session) context.auth = AuthContext{(*session)->user, false, false, false, (*session)->csrf_token, *cookie};
  }

  if (found->access != Access::kPublic && !context.auth) {
    if (is_api(request.path)) return error_response(401, "unauthenticated", "log in or send an API token");
    return redirect("/login?next=" + url_encode(request.path));
  }
  if (!is_safe_method(method)) {
    if (context.auth && context.auth->read_only) {
      return error_response(403, "read_only_token", "this API token is read-only");
    }
    if (context.auth && !context.auth->via_token) {
      std::optional<std::string> sent = submitted_csrf(request);
      if (!sent || !constant_time_equal(*sent, context.auth->csrf_token)) {
        return error_response(403, "csrf", "missing or wrong CSRF token (send X-CSRF-Token or csrf_token)");
      }
    } else if (!context.auth) {
      // Before login there is no session: double-submit the token from the l4d2_csrf cookie.
      std::optional<std::string> cookie = request.cookie(kLoginCsrfCookie);
      std::optional<std::string> sent = submitted_csrf(request);
      if (!cookie || !sent || cookie->empty() || !constant_time_equal(*sent, *cookie)) {
        return error_response(403, "csrf", "missing or wrong CSRF token (GET /api/v1/csrf first)");
      }
    }
  }
  if (std::optional<Response> gate = two_factor_gate(request, *found, context)) return std::move(*gate);
  if (found->access == Access::kAdmin && !context.user().is_admin) {
    return error_response(403, "forbidden", "this needs an administrator");
  }
  return found->handler.call(*this, context);
}

Response App::handle(Request& request) {
  auto started = std::chrono::steady_clock::now();
  ClientInfo client = client_info(request, config.trusted_proxies);
  const Route* route = nullptr;
  Response response = dispatch(request, client, route);
  request_counts.add(route != nullptr ? route->method : kOtherMethod,
                     route != nullptr ? route->pattern : kUnmatchedRoute, response.status);
  if (!is_api(request.path)) {
    if (response.status >= 400)
      response = page_error_hook(request, page_viewer(*accounts, request), std::move(response));
    response = flash_notice(request, std::move(response));
  }
  negotiate_encoding(request, response);
  response.header("Content-Security-Policy", std::string(kContentSecurityPolicy));
  response.header("X-Content-Type-Options", "nosniff");
  response.header("Referrer-Policy", "same-origin");
  response.header("X-Frame-Options", "DENY");
  if (client.https || config.session_cookie_secure) served_over_https(response);
  bool has_cache_control = false;
  for (const auto& [name, value] : response.headers) has_cache_control |= name == "Cache-Control";
  if (!has_cache_control) response.header("Cache-Control", "no-store");
  auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
  // The access log names the path only: queries (setup tokens), cookies and bodies never reach it. The size is
  // the body as sent (compressed when it was).
  if (config.access_log) {
    log::info("access: {} {} {} {} {}B {:.1f}ms", client.address, request.method, request.path, response.status,
              response.body.size(), static_cast<double>(elapsed.count()) / 1000.0);
  }
  return response;
}

int serve(const WebConfig& config) {
  // Block the stop signals before any thread starts, so only sigwait below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  Result<std::unique_ptr<App>> app = App::create(config);
  if (!app) {
    log::error("{}", app.error().message());
    return 1;
  }
  App& web = **app;
  HttpServerOptions options;
  options.host = config.listen_host;
  options.port = config.listen_port;
  options.threads = config.http_threads;
  // An upload's chunks are the largest bodies (App::dispatch refuses bodies over max_body_bytes elsewhere).
  options.max_body_bytes =
      std::max(config.max_body_bytes, static_cast<std::size_t>(config.upload_chunk_bytes) + (64 << 10));
  options.handle_timeout = std::max(std::chrono::seconds(60), config.sse_heartbeat * 4);
  Result<std::unique_ptr<HttpServer>> server =
      HttpServer::start(options, [&web](Request& request) { return web.handle(request); });
  if (!server) {
    log::error("{}", server.error().message());
    return 1;
  }
  web.start_background();
  std::string base = fmt::format("http://{}:{}", config.listen_host, (*server)->port());
  log::info("listening on {} (database {}, {} job workers{})", base, config.database_path,
            config.job_worker_enabled ? config.job_worker_threads : 0,
            config.embedded_default ? ", embedded default: data in " + config.data_dir : "");
  Result<std::optional<std::string>> setup = web.ensure_setup_token();
  if (!setup) {
    log::error("{}", setup.error().message());
  } else if (*setup) {
    fmt::print(
        "\nNo user exists yet. Open this one-time link to create the first admin (valid {} minutes):\n\n"
        "    {}/setup?token={}\n\n",
        config.setup_link_lifetime.count() / 60, base, **setup);
  } else {
    fmt::print("\nLog in at {}/login\n\n", base);
  }
  std::fflush(stdout);

  int received = 0;
  sigwait(&stop_signals, &received);
  log::info("received {}, shutting down", received == SIGTERM ? "SIGTERM" : "SIGINT");
  // Gracefully: no new connections; live streams end (browsers reconnect to the next instance, job logs
  // resume by Last-Event-ID); requests in flight finish; then running jobs get up to 10 s.
  (*server)->stop_accepting();
  web.server_logs->stop_all();
  web.job_logs->close_all();
  if (!(*server)->wait_idle(std::chrono::seconds(10))) log::warning("requests still running after 10 s: cut off");
  (*server)->stop();
  web.stop_background(std::chrono::seconds(10));
  log::info("l4d2web stopped");
  return 0;
}

}  // namespace left4me::web
