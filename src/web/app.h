// App: the web application: configuration, database, stores, job runner and live-log hubs, and the one
// list of routes with the authentication, CSRF and security-header rules every request passes.
// Thread-safe once started: handle() runs on the HTTP server's threads.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "web/accounts.h"
#include "web/blueprints.h"
#include "web/config.h"
#include "web/ctl.h"
#include "web/database.h"
#include "web/forwarded.h"
#include "web/http.h"
#include "web/job_log_hub.h"
#include "web/job_runner.h"
#include "web/jobs.h"
#include "web/server_log_hub.h"
#include "web/servers.h"

namespace left4me::web {

struct AuthContext {
  User user;
  bool via_token = false;
  bool read_only = false;
  std::string csrf_token;     // sessions only
  std::string session_token;  // sessions only
};

struct Context {
  Request& request;
  std::vector<std::string> params;  // the {..} parts of the route pattern, in order
  std::optional<AuthContext> auth;
  ClientInfo client;  // who sent the request (through a trusted proxy: the client behind it)

  const User& user() const { return auth->user; }
  Scope scope() const { return Scope{auth->user.id, auth->user.is_admin}; }
  // params[index] as a positive id, or nullopt.
  std::optional<std::int64_t> id_param(std::size_t index) const;
};

enum class Access { kPublic, kUser, kAdmin };

using RouteHandler = std::function<Response(Context&)>;

struct Route {
  std::string method;
  std::string pattern;  // "/api/v1/servers/{id}/start"
  Access access;
  RouteHandler handler;
};

class App {
 public:
  // Loads the database (migrating it), recovers from a crash (running jobs -> interrupted).
  static Result<std::unique_ptr<App>> create(WebConfig config);
  ~App();

  // Starts the job workers, reconciles server states with l4d2ctl and starts the heartbeat thread.
  void start_background();
  // Stops the heartbeat, the log followers and the workers (waiting up to grace for running jobs).
  void stop_background(std::chrono::seconds grace);

  // The HTTP entry point: routing, auth, CSRF, headers, access log.
  Response handle(Request& request);
  void add_route(Route route);

  // While no user exists: a fresh one-time setup token (else nullopt).
  Result<std::optional<std::string>> ensure_setup_token();
  // Sets server states from `l4d2ctl list --json` (after a crash or at start).
  Status reconcile_servers();
  // LOGIN_FAILURES_PER_ACCOUNT, _PER_ADDRESS and the window, for Accounts::login.
  ThrottleLimits login_limits() const;

  WebConfig config;
  std::unique_ptr<Database> database;
  std::unique_ptr<Accounts> accounts;
  std::unique_ptr<Blueprints> blueprints;
  std::unique_ptr<Servers> servers;
  std::unique_ptr<Jobs> jobs;
  std::unique_ptr<Ctl> ctl;
  std::unique_ptr<StatusCache> status_cache;
  std::unique_ptr<JobLogHub> job_logs;
  std::unique_ptr<ServerLogHub> server_logs;
  std::unique_ptr<JobRunner> runner;
  // Set by the pages: turns an error answer to a page request (not /api, /health) into an HTML page.
  std::function<Response(const Request&, Response)> page_errors;

 private:
  explicit App(WebConfig config_in) : config(std::move(config_in)) {}
  Response dispatch(Request& request, const ClientInfo& client);
  std::vector<Route> routes_;
  std::thread heartbeat_;
  std::mutex heartbeat_mutex_;
  std::condition_variable heartbeat_wake_;
  bool heartbeat_stop_ = false;
};

// Starts a session for user: adds its cookie to response (a JSON body with the user and the CSRF token
// when response is empty).
Response start_session(App& app, const User& user, Response response);
// Adds a fresh pre-login CSRF cookie (double submit) to response; the token goes to token_out.
Response login_csrf_cookie(Response response, std::string* token_out);

// Route modules; each adds its routes to the app.
void register_account_routes(App& app);
void register_resource_routes(App& app);
void register_basic_pages(App& app);

// Runs the web app until SIGTERM/SIGINT (the `serve` command).
int serve(const WebConfig& config);

}  // namespace left4me::web
