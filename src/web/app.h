// App: the web application: configuration, database, stores, job runner and live-log hubs, and the rules every
// request passes on its way to its route (routes.h): authentication, CSRF, access, security headers.
// Thread-safe once started: handle() runs on the HTTP server's threads.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "web/accounts.h"
#include "web/audit.h"
#include "web/blueprints.h"
#include "web/config.h"
#include "web/ctl.h"
#include "web/database.h"
#include "web/forwarded.h"
#include "web/host_ctls.h"
#include "web/host_facts.h"
#include "web/hosts.h"
#include "web/http.h"
#include "web/job_log_hub.h"
#include "web/job_runner.h"
#include "web/jobs.h"
#include "web/managed_overlays.h"
#include "web/map_lists.h"
#include "web/overlay_uploads.h"
#include "web/overlays.h"
#include "web/restart_schedules.h"
#include "web/script_overlays.h"
#include "web/server_log_hub.h"
#include "web/route.h"
#include "web/server_events.h"
#include "web/server_history.h"
#include "web/servers.h"
#include "web/metrics.h"
#include "web/status_cache.h"
#include "web/two_factor.h"
#include "web/webhook_sender.h"
#include "web/webhooks.h"
#include "web/workshop_lists.h"
#include "web/workshop_refresh_job.h"

namespace left4me::web {

class App {
 public:
  // Loads the database (migrating it), recovers from a crash (running jobs -> interrupted).
  static Result<std::unique_ptr<App>> create(WebConfig config);
  ~App();

  // Starts the job workers, reconciles server states with l4d2ctl and starts the heartbeat thread.
  void start_background();
  // Stops the heartbeat, the log followers and the workers (waiting up to grace for running jobs).
  void stop_background(std::chrono::seconds grace);

  // The HTTP entry point: routing, auth, CSRF, headers, access log. An error answer to a page request (not
  // /api, /health) becomes an HTML page (page_error_hook).
  Response handle(Request& request);

  // While no user exists: a fresh one-time setup token (else nullopt).
  Result<std::optional<std::string>> ensure_setup_token();
  // Records each server's state as view_server decides it from `l4d2ctl list --json` (after a crash or at start).
  Status reconcile_servers();
  // The scheduler of daily restarts (docs/design.md, "Scheduled restarts"): queues a scheduled_restart job for each
  // server whose restart is due at now (Unix seconds) and that runs, once per day and server, even across restarts
  // of the web app. The heartbeat thread calls it with the clock's time; tests call it with theirs.
  void look_for_scheduled_restarts(std::int64_t now);
  // The refresh_managed job (managed_overlays.h): the overlay its target names, refreshed from its source.
  Status refresh_managed_overlay(const Job& job, const JobSink& sink);
  // Takes the host records as they are now into host_ctls (after any change of a host).
  Status reload_hosts();
  // Removes a deleted host's pinned key file, if there is one: a later host may be given the same id.
  Status forget_host_key(const Host& host) const;
  // The panel's public key line for `left4me host-authorize` on a host (the key is made on first use).
  Result<std::string> panel_public_key() const;
  // Where a new server may go now: the hosts that did not answer their last poll are passed over.
  ServerPlacement placement(std::optional<std::int64_t> host) const;
  // LOGIN_FAILURES_PER_ACCOUNT, _PER_ADDRESS and the window, for Accounts::login.
  ThrottleLimits login_limits() const;

  WebConfig config;
  std::unique_ptr<Database> database;
  std::unique_ptr<Accounts> accounts;
  std::unique_ptr<TwoFactor> two_factor;
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<Blueprints> blueprints;
  std::unique_ptr<Overlays> overlays;
  std::unique_ptr<ManagedOverlays> managed_overlays;
  std::unique_ptr<ScriptOverlays> script_overlays;
  std::unique_ptr<OverlayUploads> uploads;  // uploads into overlays, and each overlay's change lock
  std::unique_ptr<Servers> servers;
  std::unique_ptr<Hosts> hosts;
  std::unique_ptr<HostCtls> host_ctls;
  std::unique_ptr<HostFacts> host_facts;  // each host's game build and free disk, for the hosts page
  // ssh-keyscan of a host being added (the SSH transport's scan_host_keys; tests may put another).
  std::function<Result<std::vector<HostKey>>(const std::string& address, int port)> scan_host_keys;
  // Writes the host's confirmed key to its known_hosts file (<data>/ssh/known_hosts.d/<id>).
  std::function<Status(const Host& host)> pin_host_key;
  std::unique_ptr<RestartSchedules> restart_schedules;
  std::unique_ptr<Jobs> jobs;
  std::unique_ptr<Ctl> ctl;
  std::unique_ptr<StatusCache> status_cache;
  std::unique_ptr<MapLists> map_lists;
  std::unique_ptr<JobLogHub> job_logs;
  std::unique_ptr<ServerLogHub> server_logs;
  std::unique_ptr<JobRunner> runner;
  std::unique_ptr<ServerEvents> server_events;
  std::unique_ptr<Webhooks> webhooks;
  std::unique_ptr<WebhookSender> webhook_sender;
  std::unique_ptr<ServerHistory> history;
  std::unique_ptr<WorkshopLists> workshop_lists;
  std::unique_ptr<WorkshopRefresher> workshop_refresher;
  RequestCounts request_counts;  // /metrics

 private:
  explicit App(WebConfig config_in) : config(std::move(config_in)) {}
  // For a signed-in administrator without two-factor sign-in while administrators must use it: the answer that
  // sends them to set it up (nullopt: the request goes on).
  std::optional<Response> two_factor_gate(const Request& request, const Route& route, const Context& context);
  // Answers the request; found is the route it matched (nullptr for none).
  Response dispatch(Request& request, const ClientInfo& client, const Route*& found);
  // Queues the panel's own update check when no check ran within LEFT4ME_UPDATE_CHECK_HOURS (heartbeat thread).
  void look_for_update_check();
  std::chrono::steady_clock::time_point next_update_look_{};
  // Queues the refresh of every Workshop overlay when the last one is older than LEFT4ME_WORKSHOP_REFRESH_HOURS and
  // none runs (heartbeat thread; the packaged timer does it instead).
  void look_for_workshop_refresh();
  std::chrono::steady_clock::time_point next_workshop_look_{};
  std::thread heartbeat_;
  std::mutex heartbeat_mutex_;
  std::condition_variable heartbeat_wake_;
  bool heartbeat_stop_ = false;
};

// Runs the web app until SIGTERM/SIGINT (the `serve` command).
int serve(const WebConfig& config);

}  // namespace left4me::web
