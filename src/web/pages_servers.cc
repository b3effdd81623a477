// Pages for servers: the dashboard (every server the user can see, refreshing itself), creating a server,
// the server page (status, actions, live console, job history, blueprint), moving and deleting.
#include <fmt/format.h>

#include <ctime>

#include "base/strings.h"
#include "web/blueprint_spec.h"
#include "web/handlers.h"
#include "web/pages.h"
#include "web/responses.h"
#include "web/restart_schedule.h"
#include "web/server_view.h"
#include "web/shares.h"

namespace left4me::web::page {
namespace {

constexpr std::string_view kRowsTemplate = "_server_rows";

// The players A2S reported (`live.player_list`, docs/cli.md) as the status panel lists them: the name as sent
// (the template escapes it), the score and how long they have been connected.
nlohmann::json player_rows(const nlohmann::json& list) {
  nlohmann::json rows = nlohmann::json::array();
  for (const nlohmann::json& player : list) {
    if (!player.is_object() || !player.contains("name") || !player["name"].is_string()) continue;
    std::int64_t seconds =
        player.contains("seconds") && player["seconds"].is_number_integer() ? player["seconds"].get<std::int64_t>() : 0;
    std::int64_t score =
        player.contains("score") && player["score"].is_number_integer() ? player["score"].get<std::int64_t>() : 0;
    rows.push_back({{"name", player["name"]},
                    {"score", score},
                    {"connected", fmt::format("{}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60)}});
  }
  return rows;
}

// The host's live parts of a server (map, players, process) as its row and status panel show them.
void add_host_parts(nlohmann::json& view, const nlohmann::json& status) {
  if (status.contains("live") && status["live"].is_object()) {
    const nlohmann::json& live = status["live"];
    view["has_live"] = true;
    view["map"] = live.value("map", "");
    view["players"] = fmt::format("{}/{}", live.value("players", 0), live.value("max_players", 0));
    view["live_hostname"] = live.value("hostname", "");
    if (live.contains("player_list") && live["player_list"].is_array()) {
      view["player_list"] = player_rows(live["player_list"]);
      view["has_player_list"] = !view["player_list"].empty();
    }
  }
  if (status.contains("pid") && status["pid"].is_number_integer()) view["pid"] = status["pid"];
  if (status.contains("since") && status["since"].is_string()) {
    view["since"] = time_view(status["since"].get<std::string>());
  }
  if (status.contains("restarts") && status["restarts"].is_number_integer()) view["restarts"] = status["restarts"];
  if (status.contains("last_exit") && status["last_exit"].is_object()) {
    view["last_exit"] = status["last_exit"].value("description", "");
  }
  // Why the last start failed, shown beside the state (the job's own failure is only l4d2ctl's exit code).
  if (status.contains("last_error") && status["last_error"].is_string()) view["last_error"] = status["last_error"];
  if (status.contains("connect") && status["connect"].is_string()) view["address"] = status["connect"];
  // The game build its tree was mounted from; not current: the next start moves it to a newer (or rolled back) one.
  if (status.contains("build") && status["build"].is_object()) {
    const nlohmann::json& build = status["build"];
    view["build_id"] = build.value("id", "");
    view["build_version"] = build.value("version", "");
    view["update_pending"] = !build.value("current", true);
  }
}

// Stopping or restarting a server people play on asks first, naming how many (HTMX's hx-confirm).
void add_confirmations(nlohmann::json& view, const std::string& name, const nlohmann::json* status) {
  if (status == nullptr || !status->contains("live") || !(*status)["live"].is_object()) return;
  const nlohmann::json& players = (*status)["live"].value("players", nlohmann::json(0));
  if (!players.is_number_integer() || players.get<std::int64_t>() <= 0) return;
  std::int64_t count = players.get<std::int64_t>();
  std::string who = count == 1 ? "1 player is" : fmt::format("{} players are", count);
  view["confirm_stop"] = fmt::format("Stop {}? {} on it.", name, who);
  view["confirm_restart"] = fmt::format("Restart {}? {} on it.", name, who);
}

// A server as its dashboard row and its status panel show it to the viewer: state, map, players, actions allowed
// (by its state and the viewer's role), pending job, and whose it is when shared with the viewer.
nlohmann::json server_row(const ServerView& server_view, const User& viewer, const std::string& host) {
  const Server& server = *server_view.record;
  auto allowed = [&](ServerAction action) {
    return may(viewer, action, server, server.viewer_share) == Decision::kAllowed;
  };
  const bool operate = allowed(ServerAction::kStart);
  nlohmann::json view = {
      {"id", server.id},
      {"name", server.name},
      {"owner", server.owner_name},
      {"port", server.port},
      {"address", fmt::format("{}:{}", host, server.port)},
      {"blueprint_id", server.blueprint_id},
      {"blueprint_name", server.blueprint_name},
      {"blueprint_version", server.blueprint_version},
      {"applied_version", server.applied_version ? nlohmann::json(*server.applied_version) : nlohmann::json(nullptr)},
      {"outdated", server.outdated()},
      {"map", ""},
      {"players", ""},
      {"has_live", false},
      {"state", to_string(server_view.state)},
      {"state_class", state_class(server_view.state)},
      {"busy", server_view.pending.has_value()},
      {"can_operate", operate},
      {"can_start", operate && server_view.may_start()},
      {"can_stop", operate && server_view.may_stop()},
      {"can_restart", operate && server_view.may_restart()},
      {"can_kick", allowed(ServerAction::kRcon)},
      {"owns_blueprint", server.owner_id == viewer.id || viewer.is_admin}};
  if (server.viewer_share && server.owner_id != viewer.id) {
    view["shared_by"] = server.owner_name;
    view["shared_role"] = to_string(*server.viewer_share);
  }
  if (server_view.host != nullptr) add_host_parts(view, *server_view.host);
  add_confirmations(view, server.name, server_view.host);
  if (server_view.pending) {
    view["pending"] = fmt::format("{} {}", to_string(server_view.pending->type), to_string(server_view.pending->state));
  }
  return view;
}

// What the server views of a page are made from: the host's statuses (pinned while a view points into them) and
// the servers' pending jobs.
struct ViewInputs {
  Result<std::shared_ptr<const StatusMap>> statuses;
  std::map<std::int64_t, PendingJob> pending;

  HostStatuses host() const { return statuses ? HostStatuses::answered(**statuses) : HostStatuses::not_known(); }
  ServerView view(const Server& server) const {
    auto it = pending.find(server.id);
    return view_server(server, host(), it == pending.end() ? std::nullopt : std::optional<PendingJob>(it->second));
  }
};

Result<ViewInputs> view_inputs(App& app, Context&) {
  // Every server's pending job, whoever queued it: a shared server's owner and its operators see each other's.
  Result<std::map<std::int64_t, PendingJob>> pending = app.jobs->pending(Scope{0, true});
  if (!pending) return pending.error();
  return ViewInputs{app.status_cache->snapshot(), std::move(*pending)};
}

// What a viewer without servers does next, in order: the game installed (by an administrator), a blueprint, a server.
struct FirstSteps {
  bool installed = false;  // an install job of this panel succeeded
  bool has_blueprint = false;
};

Result<FirstSteps> first_steps(App& app, Context& context) {
  Result<std::vector<Job>> installs =
      app.jobs->list(Scope{0, true}, JobFilter{.state = JobState::kSucceeded, .type = JobType::kInstall, .limit = 1});
  if (!installs) return installs.error();
  Result<std::vector<Blueprint>> blueprints = app.blueprints->list(Scope{context.user().id, false});
  if (!blueprints) return blueprints.error();
  return FirstSteps{!installs->empty(), !blueprints->empty()};
}

// The dashboard's body (dashboard) or its rows alone (_server_rows, what every open dashboard polls every
// few seconds), rendered once and reused while nothing they show has changed. The key holds every input of
// the page: the viewer (user, role, CSRF token, host name used in addresses), the status error, and every
// input of each server's view (add_to_key); the status snapshot is pinned by the cache entry.
Result<std::shared_ptr<const EncodedBody>> server_rows_html(App& app, Context& context, std::string_view page) {
  Result<std::vector<Server>> servers = app.servers->list_visible(context.scope());
  if (!servers) return servers.error();
  Result<ViewInputs> inputs = view_inputs(app, context);
  if (!inputs) return inputs.error();
  std::vector<ServerView> views;
  views.reserve(servers->size());
  for (const Server& server : *servers) views.push_back(inputs->view(server));
  std::string status_error = inputs->statuses ? "" : inputs->statuses.error().message();
  std::string host = request_host(context.request);
  const bool is_admin = context.user().is_admin;
  const std::string& csrf = context.auth->csrf_token;
  FirstSteps steps;
  if (servers->empty()) {
    Result<FirstSteps> found = first_steps(app, context);
    if (!found) return found.error();
    steps = *found;
  }

  CacheKey key;
  key.reserve(160 * servers->size() + 200);
  key.add(context.user().id).add(is_admin ? 1 : 0).add(csrf).add(host).add(status_error);
  key.add(steps.installed ? 1 : 0).add(steps.has_blueprint ? 1 : 0);
  for (const ServerView& view : views) add_to_key(key, view);
  std::shared_ptr<const void> pin = inputs->statuses ? std::shared_ptr<const void>(*inputs->statuses) : nullptr;
  return render_template_cached(page, std::move(key).take(), std::move(pin), [&] {
    nlohmann::json rows = nlohmann::json::array();
    for (const ServerView& view : views) {
      nlohmann::json row = server_row(view, context.user(), host);
      row["show_owner"] = is_admin;
      rows.push_back(std::move(row));
    }
    nlohmann::json table = {{"servers", std::move(rows)},
                            {"has_servers", !servers->empty()},
                            {"status_error", status_error},
                            {"show_owner", is_admin},
                            {"is_admin", is_admin},
                            {"installed", steps.installed},
                            {"has_blueprint", steps.has_blueprint},
                            {"csrf", csrf}};
    return page == kRowsTemplate ? table : nlohmann::json{{"table", std::move(table)}};
  });
}

// One server with its live status and pending job, as the page and its fragments show it.
Result<nlohmann::json> one_server(App& app, Context& context, const Server& server) {
  Result<ViewInputs> inputs = view_inputs(app, context);
  if (!inputs) return inputs.error();
  nlohmann::json view = server_row(inputs->view(server), context.user(), request_host(context.request));
  view["csrf"] = context.auth->csrf_token;
  return view;
}

Result<nlohmann::json> server_history(App& app, Context& context, std::int64_t server_id) {
  JobFilter filter;
  filter.server_id = server_id;
  filter.limit = 20;
  Result<std::vector<Job>> jobs = app.jobs->list(context.scope(), filter);
  if (!jobs) return jobs.error();
  nlohmann::json list = nlohmann::json::array();
  for (const Job& job : *jobs) list.push_back(job_view(job));
  return nlohmann::json{
      {"jobs", list}, {"has_jobs", !list.empty()}, {"server_id", server_id}, {"csrf", context.auth->csrf_token}};
}

Response new_server_page(App& app, Context& context, int status, nlohmann::json extra) {
  nlohmann::json view = base_view(context, "New server", "servers");
  for (auto it = extra.begin(); it != extra.end(); ++it) view[it.key()] = it.value();
  Result<std::vector<Blueprint>> blueprints = app.blueprints->list(Scope{context.user().id, false});
  if (!blueprints) return error_from(blueprints.error());
  std::string chosen = view.value("blueprint_id", "");
  nlohmann::json list = nlohmann::json::array();
  for (const Blueprint& blueprint : *blueprints) {
    list.push_back(
        {{"id", blueprint.id}, {"name", blueprint.name}, {"selected", std::to_string(blueprint.id) == chosen}});
  }
  view["blueprints"] = list;
  view["has_blueprints"] = !list.empty();
  if (context.user().is_admin) {  // an administrator may choose the host; a user's server is placed
    Result<std::vector<Host>> hosts = app.hosts->list();
    if (!hosts) return error_from(hosts.error());
    std::string host_chosen = view.value("host_id", "");
    nlohmann::json choices = nlohmann::json::array();
    for (const Host& host : *hosts) {
      if (!host.usable()) continue;
      choices.push_back({{"id", host.id}, {"name", host.name}, {"selected", std::to_string(host.id) == host_chosen}});
    }
    view["host_choice"] = {{"hosts", choices}};
  }
  return html_page(status, "server_new", view);
}

// The daily restart section: the stored settings, or (after a refused save, `form` given) what was typed with the
// problem beside its field.
Result<nlohmann::json> schedule_view(App& app, const Server& server, const nlohmann::json* form) {
  Result<StoredRestartSchedule> stored = app.restart_schedules->get(server.id);
  if (!stored) return stored.error();
  auto now = static_cast<std::int64_t>(std::time(nullptr));
  const RestartSchedule& schedule = stored->schedule;
  std::optional<std::int64_t> next = next_restart_time(schedule, stored->last_due_at, now);
  nlohmann::json view = {{"enabled", schedule.enabled},
                         {"time", format_time_of_day(schedule.minute_of_day)},
                         {"max_wait_minutes", std::to_string(schedule.max_wait_minutes)},
                         {"message", schedule.message},
                         {"max_wait_limit", kMaxRestartWaitMinutes},
                         {"message_limit", kMaxRestartMessageBytes},
                         {"next", next ? time_view(*next) : nlohmann::json(nullptr)},
                         {"last", stored->last_due_at ? time_view(*stored->last_due_at) : nlohmann::json(nullptr)}};
  if (form != nullptr) {
    for (auto it = form->begin(); it != form->end(); ++it) view[it.key()] = it.value();
  }
  return view;
}

bool allowed(const Context& context, ServerAction action, const Server& server) {
  return may(context.user(), action, server, server.viewer_share) == Decision::kAllowed;
}

// The blueprint section: the owner's blueprints to move the server among (for whom may change it), and for anyone
// else than the owner and administrators the blueprint itself, read-only (it stays the owner's; its RCON password
// is left out).
Status add_blueprint_parts(App& app, Context& context, const Server& server, nlohmann::json& view) {
  Result<std::vector<Blueprint>> blueprints = app.blueprints->list(Scope{server.owner_id, false});
  if (!blueprints) return blueprints.error();
  nlohmann::json list = nlohmann::json::array();
  for (const Blueprint& blueprint : *blueprints) {
    list.push_back({{"id", blueprint.id}, {"name", blueprint.name}, {"selected", blueprint.id == server.blueprint_id}});
    if (blueprint.id == server.blueprint_id && server.owner_id != context.user().id && !context.user().is_admin) {
      view["blueprint_yaml"] = blueprint_spec_yaml_for_display(blueprint.spec_yaml);
    }
  }
  view["blueprints"] = list;
  view["can_move"] = list.size() > 1 && allowed(context, ServerAction::kChangeBlueprint, server);
  return ok_status();
}

// The sharing section, for whom may share the server: its shares, and the roles they may grant (a manager up to
// operator; grant_share holds the rule).
Status add_sharing(App& app, Context& context, const Server& server, nlohmann::json& view) {
  if (!allowed(context, ServerAction::kShare, server)) return ok_status();
  Result<std::vector<Share>> shares = Shares(*app.database).for_server(server.id);
  if (!shares) return shares.error();
  const bool full = context.user().is_admin || context.user().id == server.owner_id;
  nlohmann::json rows = nlohmann::json::array();
  for (const Share& share : *shares) {
    rows.push_back({{"user_id", share.user_id},
                    {"user", share.user_name},
                    {"role", to_string(share.role)},
                    {"granted_by", share.granted_by_name},
                    {"may_revoke", full || share.role != ShareRole::kManager}});
  }
  nlohmann::json roles = nlohmann::json::array();
  for (ShareRole role : all_share_roles()) {
    if (role == ShareRole::kManager && !full) continue;
    roles.push_back({{"role", to_string(role)}, {"selected", role == ShareRole::kOperator}});
  }
  view["sharing"] = {{"shares", rows}, {"has_shares", !rows.empty()}, {"roles", roles}};
  return ok_status();
}

// The server's history (newest first): what happened and when, with the job it came with.
Result<nlohmann::json> server_events_view(App& app, const Server& server) {
  Result<std::vector<ServerEvent>> events = app.server_events->list(server.id, kServerEventsShown);
  if (!events) return events.error();
  nlohmann::json rows = nlohmann::json::array();
  for (const ServerEvent& event : *events) {
    bool bad = event.kind == ServerEventKind::kCrash || event.kind == ServerEventKind::kAutoRestart ||
               event.kind == ServerEventKind::kFailed;
    rows.push_back({{"kind", to_string(event.kind)},
                    {"class", bad ? "bad" : "idle"},
                    {"reason", event.reason},
                    {"time", time_view(event.at)},
                    {"job_id", event.job_id ? nlohmann::json(*event.job_id) : nlohmann::json(nullptr)}});
  }
  return nlohmann::json{{"rows", rows}, {"empty", rows.empty()}};
}

Response server_page(App& app, Context& context, const Server& server, int status, nlohmann::json extra) {
  nlohmann::json view = base_view(context, server.name, "servers");
  for (auto it = extra.begin(); it != extra.end(); ++it) view[it.key()] = it.value();
  Result<nlohmann::json> one = one_server(app, context, server);
  if (!one) return error_from(one.error());
  view["server"] = *one;
  Result<nlohmann::json> jobs = server_history(app, context, server.id);
  if (!jobs) return error_from(jobs.error());
  view["history"] = *jobs;
  Result<nlohmann::json> events = server_events_view(app, server);
  if (!events) return error_from(events.error());
  view["events"] = *events;
  Result<nlohmann::json> console = console_view(app, context, server);
  if (!console) return error_from(console.error());
  view["rcon"] = *console;
  if (allowed(context, ServerAction::kSchedule, server)) {
    Result<nlohmann::json> schedule =
        schedule_view(app, server, extra.contains("schedule") ? &extra["schedule"] : nullptr);
    if (!schedule) return error_from(schedule.error());
    view["schedule"] = *schedule;
  }
  if (Status added = add_blueprint_parts(app, context, server, view); !added) return error_from(added.error());
  if (Status added = add_sharing(app, context, server, view); !added) return error_from(added.error());
  view["can_delete"] = allowed(context, ServerAction::kDelete, server);
  view["can_see_rcon_password"] = allowed(context, ServerAction::kRconPassword, server);
  return html_page(status, "server", view);
}

Response server_action(App& app, Context& context, JobType type, const Server& server) {
  Result<Job> job = app.runner->queue(type, server, context.user().id);
  if (!job) return error_from(job.error());
  if (!is_htmx(context.request)) {
    std::string back = Form(context.request).get("back");
    return redirect(back, "/servers/" + std::to_string(server.id));
  }
  Result<nlohmann::json> view = one_server(app, context, server);
  if (!view) return error_from(view.error());
  if (context.request.query_param("view").value_or("") == "row") {
    (*view)["show_owner"] = context.user().is_admin;
    return html_fragment(200, "_server_row", *view);
  }
  return html_fragment(200, "_server_status", *view);
}

// The message for a server the store refused to create, beside the field it is about ("name", "blueprint") or
// above the form (""); nullopt for a failure that is not the user's input (an answer of its own).
std::optional<std::pair<std::string, std::string>> create_refusal(const Error& error) {
  switch (error.code()) {
    case ErrorCode::kNotFound:  // the blueprint is not the user's
      return std::pair<std::string, std::string>("blueprint_error", error.message());
    case ErrorCode::kUnavailable:
      return std::pair<std::string, std::string>(
          "error", error.message() + ". Ask an administrator to widen the port range or delete an unused server.");
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kAlreadyExists:
      return std::pair<std::string, std::string>("name_error", error.message());
    default:
      return std::nullopt;
  }
}

// The host an administrator chose in the new-server form ("" or none: placement chooses). kInvalidArgument for
// an id that is no host; kPermissionDenied when a user (who never sees the choice) sends one.
Result<std::optional<std::int64_t>> chosen_host(App& app, Context& context, const std::string& text) {
  if (text.empty()) return std::optional<std::int64_t>();
  if (!context.user().is_admin)
    return Error(ErrorCode::kPermissionDenied, "only an administrator chooses a server's host");
  std::optional<long long> id = parse_int(text, 1, INT64_MAX);
  if (!id) return Error::invalid("Choose one of the hosts.");
  Result<Host> host = app.hosts->get(*id);
  if (!host && host.error().code() == ErrorCode::kNotFound) return Error::invalid("Choose one of the hosts.");
  if (!host) return host.error();
  return std::optional<std::int64_t>(host->id);
}

}  // namespace

Response dashboard(App& app, Context& context) {
  Result<std::shared_ptr<const EncodedBody>> body = server_rows_html(app, context, "dashboard");
  if (!body) return error_from(body.error());
  return html_page_cached(200, *body, base_view(context, "Servers", "servers"));
}

Response server_rows(App& app, Context& context) {
  Result<std::shared_ptr<const EncodedBody>> rows = server_rows_html(app, context, kRowsTemplate);
  if (!rows) return error_from(rows.error());
  return html_fragment_cached(200, *rows);
}

Response new_server(App& app, Context& context) {
  nlohmann::json extra = nlohmann::json::object();
  if (auto chosen = context.request.query_param("blueprint_id")) extra["blueprint_id"] = *chosen;
  return new_server_page(app, context, 200, extra);
}

Response create_server(App& app, Context& context) {
  Form form(context.request);
  std::string name = form.get("name");
  std::string blueprint_text = form.get("blueprint_id");
  nlohmann::json extra = {{"name", name}, {"blueprint_id", blueprint_text}};
  if (auto problem = check_server_name(name)) {
    extra["name_error"] = *problem;
    return new_server_page(app, context, 422, extra);
  }
  std::optional<long long> blueprint_id = parse_int(blueprint_text, 1, INT64_MAX);
  if (!blueprint_id) {
    extra["blueprint_error"] = "Choose one of your blueprints.";
    return new_server_page(app, context, 422, extra);
  }
  Result<std::optional<std::int64_t>> host = chosen_host(app, context, form.get("host_id"));
  if (!host && host.error().code() != ErrorCode::kInvalidArgument) return error_from(host.error());
  if (!host) {
    extra["host_id"] = form.get("host_id");
    extra["host_error"] = host.error().message();
    return new_server_page(app, context, 422, extra);
  }
  extra["host_id"] = form.get("host_id");
  Result<Server> server = app.servers->create(context.user().id, name, *blueprint_id, app.placement(*host));
  if (!server && server.error().code() == ErrorCode::kInvalidArgument && *host) {  // the chosen host takes none
    extra["host_error"] = server.error().message();
    return new_server_page(app, context, 422, extra);
  }
  if (!server) {
    std::optional<std::pair<std::string, std::string>> refusal = create_refusal(server.error());
    if (!refusal) return error_from(server.error());
    extra[refusal->first] = refusal->second;
    return new_server_page(app, context, 422, extra);
  }
  return redirect(fmt::format("/servers/{}?notice=server_created", server->id));
}

Response show_server(App& app, Context& context, const Server& server) {
  return server_page(app, context, server, 200, nlohmann::json::object());
}

Response server_status(App& app, Context& context, const Server& server) {
  Result<nlohmann::json> view = one_server(app, context, server);
  if (!view) return error_from(view.error());
  return html_fragment(200, "_server_status", *view);
}

Response server_jobs(App& app, Context& context, const Server& server) {
  Result<nlohmann::json> view = server_history(app, context, server.id);
  if (!view) return error_from(view.error());
  return html_fragment(200, "_server_jobs", *view);
}

// Shown on request only (a button on the server page); without JavaScript, the server page with it.
Response show_rcon_password(App& app, Context& context, const Server& server) {
  Result<Blueprint> blueprint = app.blueprints->get(server.blueprint_id, Scope{server.owner_id, true});
  if (!blueprint) return error_from(blueprint.error());
  Result<std::string> password = server_rcon_password(blueprint->spec_yaml, app.config.secret_key, server.id);
  if (!password) return error_from(password.error());
  nlohmann::json view = {{"rcon_password", *password}};
  if (is_htmx(context.request)) return html_fragment(200, "_rcon_password", view);
  return server_page(app, context, server, 200, view);
}

Response start_server(App& app, Context& context, const Server& server) {
  return server_action(app, context, JobType::kStart, server);
}

Response stop_server(App& app, Context& context, const Server& server) {
  return server_action(app, context, JobType::kStop, server);
}

Response restart_server(App& app, Context& context, const Server& server) {
  return server_action(app, context, JobType::kRestart, server);
}

Response confirm_delete_server(App&, Context& context, const Server& server) {
  nlohmann::json view = base_view(context, "Delete " + server.name, "servers");
  view["server"] = {{"id", server.id}, {"name", server.name}};
  return html_page(200, "server_delete", view);
}

Response delete_server(App& app, Context& context, const Server& server) {
  Result<Job> job = app.runner->queue(JobType::kDelete, server, context.user().id);
  if (!job) return error_from(job.error());
  return redirect("/?notice=server_deleting");
}

Response move_server(App& app, Context& context, const Server& server) {
  std::optional<long long> blueprint_id = parse_int(Form(context.request).get("blueprint_id"), 1, INT64_MAX);
  if (!blueprint_id) return server_page(app, context, server, 422, {{"move_error", "Choose a blueprint."}});
  Result<Server> moved = app.servers->reassign(server.id, context.scope(), *blueprint_id);
  if (!moved) {
    if (moved.error().code() == ErrorCode::kFailed) return error_from(moved.error());
    return server_page(app, context, server, 422, {{"move_error", moved.error().message()}});
  }
  return redirect(fmt::format("/servers/{}?notice=server_moved", server.id));
}

Response set_restart_schedule(App& app, Context& context, const Server& server) {
  Form form(context.request);
  RestartScheduleInput input{form.get("enabled") == "1", form.get("time"), form.get("max_wait_minutes"),
                             form.get("message")};
  RestartScheduleParse parsed = parse_restart_schedule(input);
  if (parsed.problem) {
    nlohmann::json typed = {{"enabled", input.enabled},
                            {"time", input.time},
                            {"max_wait_minutes", input.max_wait_minutes},
                            {"message", input.message},
                            {parsed.problem->field + "_error", parsed.problem->message}};
    return server_page(app, context, server, 422, {{"schedule", typed}});
  }
  if (Status status = app.restart_schedules->put(server.id, *parsed.schedule); !status)
    return error_from(status.error());
  return redirect(fmt::format("/servers/{}?notice=restart_schedule_saved", server.id));
}

Response share_server(App& app, Context& context, const Server& server) {
  Form form(context.request);
  std::string user = form.get("user");
  std::optional<ShareRole> role = parse_share_role(form.get("role"));
  nlohmann::json kept = {{"share_user", user}};
  if (user.empty()) {
    kept["share_error"] = "Name the user to share the server with.";
    return server_page(app, context, server, 422, kept);
  }
  if (!role) {
    kept["share_error"] = "Choose viewer, operator or manager.";
    return server_page(app, context, server, 422, kept);
  }
  Result<Share> share = web::grant_share(app, context.user(), server, user, *role);
  if (!share) {
    if (share.error().code() == ErrorCode::kFailed) return error_from(share.error());
    kept["share_error"] = share.error().message();
    return server_page(app, context, server, share.error().code() == ErrorCode::kPermissionDenied ? 403 : 422, kept);
  }
  return redirect(fmt::format("/servers/{}?notice=server_shared#sharing", server.id));
}

Response unshare_server(App& app, Context& context, const Server& server) {
  std::optional<std::int64_t> user_id = context.id_param(1);
  if (!user_id) return error_from(Error::not_found("share not found"));
  if (Status revoked = web::revoke_share(app, context.user(), server, *user_id); !revoked) {
    return error_from(revoked.error());
  }
  return redirect(fmt::format("/servers/{}?notice=share_revoked#sharing", server.id));
}

Response server_console(App& app, Context& context, const Server& server) {
  return event_stream([&app, server, user = context.user()](std::shared_ptr<EventSink> sink) {
    follow_console_as(app, user, server, escaped_log_sink(std::move(sink)));
  });
}

}  // namespace left4me::web::page
