// Pages for servers: the dashboard (every server the user can see, refreshing itself), creating a server,
// the server page (status, actions, live console, job history, blueprint), moving and deleting.
#include <fmt/format.h>

#include "base/strings.h"
#include "web/pages.h"
#include "web/responses.h"

namespace left4me::web {
namespace {

constexpr std::string_view kRowsTemplate = "_server_rows";

// Render-cache keys: every value length-prefixed or terminated, so two different inputs never give one key.
void key_add(std::string& key, std::string_view text) {
  key += std::to_string(text.size());
  key += ':';
  key += text;
}
void key_add(std::string& key, std::int64_t number) {
  key += std::to_string(number);
  key += ';';
}
void key_add(std::string& key, const std::optional<std::int64_t>& number) {
  if (number) {
    key_add(key, *number);
  } else {
    key += "-;";
  }
}

// The dashboard's body (dashboard) or its rows alone (_server_rows, what every open dashboard polls every
// few seconds), rendered once and reused while nothing they show has changed. The key holds every input of
// the view: the viewer (user, role, CSRF token, host name used in addresses), every field of every server
// record, the pending jobs, and the status snapshot (pinned by the cache entry, see render_template_cached).
Result<std::shared_ptr<const std::string>> server_rows_html(App& app, Context& context, std::string_view page) {
  Result<std::vector<Server>> servers = app.servers->list(context.scope());
  if (!servers) return servers.error();
  Result<std::shared_ptr<const StatusMap>> statuses = app.status_cache->snapshot();
  std::map<std::int64_t, ServerPending> pending = pending_jobs(app, context.scope());
  const StatusMap* status_map = statuses ? statuses->get() : nullptr;
  std::string status_error = statuses ? "" : statuses.error().message();
  std::string host = request_host(context.request);
  const bool is_admin = context.user().is_admin;
  const std::string& csrf = context.auth->csrf_token;

  std::string key;
  key.reserve(160 * servers->size() + 200);
  key_add(key, context.user().id);
  key_add(key, is_admin ? 1 : 0);
  key_add(key, csrf);
  key_add(key, host);
  key_add(key, status_error);
  key_add(key, static_cast<std::int64_t>(reinterpret_cast<std::uintptr_t>(status_map)));
  for (const Server& server : *servers) {
    // Every field of Server, whether or not the rows show it today.
    key_add(key, server.id);
    key_add(key, server.name);
    key_add(key, server.instance);
    key_add(key, server.owns_instance ? 1 : 0);
    key_add(key, server.owner_id);
    key_add(key, server.owner_name);
    key_add(key, server.blueprint_id);
    key_add(key, server.blueprint_name);
    key_add(key, server.blueprint_version);
    key_add(key, server.port);
    key_add(key, server.state);
    key_add(key, server.applied_blueprint_id);
    key_add(key, server.applied_version);
    key_add(key, server.created_at);
    auto it = pending.find(server.id);
    if (it == pending.end()) {
      key += "-;";
    } else {
      key_add(key, it->second.type);
      key_add(key, it->second.state);
    }
  }
  std::shared_ptr<const void> pin = statuses ? std::shared_ptr<const void>(*statuses) : nullptr;
  return render_template_cached(page, std::move(key), std::move(pin), [&] {
    nlohmann::json rows = nlohmann::json::array();
    for (const Server& server : *servers) {
      auto it = pending.find(server.id);
      nlohmann::json row = server_view(server, status_map, it == pending.end() ? nullptr : &it->second, host);
      row["show_owner"] = is_admin;
      rows.push_back(std::move(row));
    }
    nlohmann::json table = {{"servers", std::move(rows)},
                            {"has_servers", !servers->empty()},
                            {"status_error", status_error},
                            {"show_owner", is_admin},
                            {"csrf", csrf}};
    return page == kRowsTemplate ? table : nlohmann::json{{"table", std::move(table)}};
  });
}

// One server with its live status and pending job, as the page and its fragments show it.
Result<nlohmann::json> one_server(App& app, Context& context, const Server& server) {
  Result<std::shared_ptr<const StatusMap>> statuses = app.status_cache->snapshot();
  std::map<std::int64_t, ServerPending> pending = pending_jobs(app, context.scope());
  auto it = pending.find(server.id);
  nlohmann::json view = server_view(server, statuses ? statuses->get() : nullptr,
                                    it == pending.end() ? nullptr : &it->second, request_host(context.request));
  view["csrf"] = context.auth->csrf_token;
  return view;
}

Result<nlohmann::json> server_jobs(App& app, Context& context, std::int64_t server_id) {
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
  return html_page(status, "server_new", view);
}

Response server_page(App& app, Context& context, const Server& server, int status, nlohmann::json extra) {
  nlohmann::json view = base_view(context, server.name, "servers");
  for (auto it = extra.begin(); it != extra.end(); ++it) view[it.key()] = it.value();
  Result<nlohmann::json> one = one_server(app, context, server);
  if (!one) return error_from(one.error());
  view["server"] = *one;
  Result<nlohmann::json> jobs = server_jobs(app, context, server.id);
  if (!jobs) return error_from(jobs.error());
  view["history"] = *jobs;
  // The owner's blueprints (an admin moves a server among its owner's blueprints only).
  Result<std::vector<Blueprint>> blueprints = app.blueprints->list(Scope{server.owner_id, false});
  if (!blueprints) return error_from(blueprints.error());
  nlohmann::json list = nlohmann::json::array();
  for (const Blueprint& blueprint : *blueprints) {
    list.push_back({{"id", blueprint.id}, {"name", blueprint.name}, {"selected", blueprint.id == server.blueprint_id}});
  }
  view["blueprints"] = list;
  view["can_move"] = list.size() > 1;
  return html_page(status, "server", view);
}

std::optional<Server> find_server(App& app, Context& context, Response* failure) {
  return find_in_scope<Server>(*app.servers, context, "server", failure);
}

Response server_action(App& app, Context& context, const std::string& type) {
  Response failure;
  std::optional<Server> server = find_server(app, context, &failure);
  if (!server) return failure;
  // Repeated clicks on the same action while one is still queued share that job.
  Result<Job> job = app.jobs->enqueue(type, server->name, server->id, context.user().id, Dedupe::kYes);
  if (!job) return error_from(job.error());
  app.runner->notify();
  if (!is_htmx(context.request)) {
    std::string back = Form(context.request).get("back");
    return redirect(back, "/servers/" + std::to_string(server->id));
  }
  Result<nlohmann::json> view = one_server(app, context, *server);
  if (!view) return error_from(view.error());
  if (context.request.query_param("view").value_or("") == "row") {
    (*view)["show_owner"] = context.user().is_admin;
    return html_fragment(200, "_server_row", *view);
  }
  return html_fragment(200, "_server_status", *view);
}

}  // namespace

void register_server_pages(App& app) {
  app.add_route({"GET", "/", Access::kUser, [&app](Context& context) {
                   Result<std::shared_ptr<const std::string>> body = server_rows_html(app, context, "dashboard");
                   if (!body) return error_from(body.error());
                   return html_page_with_body(200, **body, base_view(context, "Servers", "servers"));
                 }});

  app.add_route({"GET", "/servers/rows", Access::kUser, [&app](Context& context) {
                   Result<std::shared_ptr<const std::string>> rows = server_rows_html(app, context, kRowsTemplate);
                   if (!rows) return error_from(rows.error());
                   return html_fragment(200, std::string(**rows));
                 }});

  app.add_route({"GET", "/servers/new", Access::kUser, [&app](Context& context) {
                   nlohmann::json extra = nlohmann::json::object();
                   if (auto chosen = context.request.query_param("blueprint_id")) extra["blueprint_id"] = *chosen;
                   return new_server_page(app, context, 200, extra);
                 }});

  app.add_route({"POST", "/servers", Access::kUser, [&app](Context& context) {
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
                   Result<Server> server = app.servers->create(context.user().id, name, *blueprint_id);
                   if (!server) {
                     switch (server.error().code()) {
                       case ErrorCode::kNotFound:
                         extra["blueprint_error"] = server.error().message();
                         break;
                       case ErrorCode::kUnavailable:
                         extra["error"] = server.error().message() +
                                          ". Ask an administrator to widen the port "
                                          "range or delete an unused server.";
                         break;
                       case ErrorCode::kInvalidArgument:
                       case ErrorCode::kAlreadyExists:
                         extra["name_error"] = server.error().message();
                         break;
                       default:
                         return error_from(server.error());
                     }
                     return new_server_page(app, context, 422, extra);
                   }
                   return redirect(fmt::format("/servers/{}?notice=server_created", server->id));
                 }});

  app.add_route({"GET", "/servers/{id}", Access::kUser, [&app](Context& context) {
                   Response failure;
                   std::optional<Server> server = find_server(app, context, &failure);
                   if (!server) return failure;
                   return server_page(app, context, *server, 200, nlohmann::json::object());
                 }});

  app.add_route({"GET", "/servers/{id}/status", Access::kUser, [&app](Context& context) {
                   Response failure;
                   std::optional<Server> server = find_server(app, context, &failure);
                   if (!server) return failure;
                   Result<nlohmann::json> view = one_server(app, context, *server);
                   if (!view) return error_from(view.error());
                   return html_fragment(200, "_server_status", *view);
                 }});

  app.add_route({"GET", "/servers/{id}/jobs", Access::kUser, [&app](Context& context) {
                   Response failure;
                   std::optional<Server> server = find_server(app, context, &failure);
                   if (!server) return failure;
                   Result<nlohmann::json> view = server_jobs(app, context, server->id);
                   if (!view) return error_from(view.error());
                   return html_fragment(200, "_server_jobs", *view);
                 }});

  for (const char* action : {"start", "stop", "restart"}) {
    app.add_route({"POST", fmt::format("/servers/{{id}}/{}", action), Access::kUser,
                   [&app, type = std::string(action)](Context& context) { return server_action(app, context, type); }});
  }

  app.add_route({"GET", "/servers/{id}/delete", Access::kUser, [&app](Context& context) {
                   Response failure;
                   std::optional<Server> server = find_server(app, context, &failure);
                   if (!server) return failure;
                   nlohmann::json view = base_view(context, "Delete " + server->name, "servers");
                   view["server"] = {{"id", server->id}, {"name", server->name}};
                   return html_page(200, "server_delete", view);
                 }});

  app.add_route({"POST", "/servers/{id}/delete", Access::kUser, [&app](Context& context) {
                   Response failure;
                   std::optional<Server> server = find_server(app, context, &failure);
                   if (!server) return failure;
                   Result<Job> job =
                       app.jobs->enqueue("delete", server->name, server->id, context.user().id, Dedupe::kYes);
                   if (!job) return error_from(job.error());
                   app.runner->notify();
                   return redirect("/?notice=server_deleting");
                 }});

  app.add_route({"POST", "/servers/{id}/blueprint", Access::kUser, [&app](Context& context) {
                   Response failure;
                   std::optional<Server> server = find_server(app, context, &failure);
                   if (!server) return failure;
                   std::optional<long long> blueprint_id =
                       parse_int(Form(context.request).get("blueprint_id"), 1, INT64_MAX);
                   if (!blueprint_id) {
                     return server_page(app, context, *server, 422, {{"move_error", "Choose a blueprint."}});
                   }
                   Result<Server> moved = app.servers->reassign(server->id, context.scope(), *blueprint_id);
                   if (!moved) {
                     if (moved.error().code() == ErrorCode::kFailed) return error_from(moved.error());
                     return server_page(app, context, *server, 422, {{"move_error", moved.error().message()}});
                   }
                   return redirect(fmt::format("/servers/{}?notice=server_moved", server->id));
                 }});

  app.add_route({"GET", "/servers/{id}/console", Access::kUser, [&app](Context& context) {
                   Response failure;
                   std::optional<Server> server = find_server(app, context, &failure);
                   if (!server) return failure;
                   Response response;
                   response.header("Content-Type", "text/event-stream");
                   response.header("Cache-Control", "no-store");
                   response.header("X-Accel-Buffering", "no");
                   response.stream = [&app, server = *server](std::shared_ptr<EventSink> sink) {
                     subscribe_console(*app.server_logs, server, escaped_log_sink(std::move(sink)));
                   };
                   return response;
                 }});
}

}  // namespace left4me::web
