// API routes for servers: list (the busiest route), create, read, the history, the actions (start, stop, restart,
// delete), moving to another blueprint, the console, sharing, the daily restart, and adopting host instances the
// panel did not make.
#include <fmt/format.h>

#include <ctime>

#include "base/strings.h"
#include "web/adoption.h"
#include "web/api_objects.h"
#include "web/blueprint_spec.h"
#include "web/handlers.h"
#include "web/render_cache.h"
#include "web/shares.h"

namespace left4me::web::api {
namespace {

Response queue_action(App& app, Context& context, JobType type, const Server& server) {
  Result<Job> job = app.runner->queue(type, server, context.user().id);
  if (!job) return error_from(job.error());
  return json_response(202, {{"job", job_json(*job)}});
}

// A server as the API answers it after a change: its record with the state last recorded.
Response server_answer(int status, const Server& server) {
  return json_response(status, {{"server", server_json(view_server(server, HostStatuses::not_known()))}});
}

// The list's body. Every open dashboard and script polls it, so it comes from the render cache while nothing it
// shows changed: the key holds the viewer's scope, every input of every server's view and the status error;
// the status snapshot is pinned.
std::shared_ptr<const EncodedBody> servers_body(const Scope& scope, const std::vector<Server>& servers,
                                                const Result<std::shared_ptr<const StatusMap>>& statuses) {
  HostStatuses host = statuses ? HostStatuses::answered(**statuses) : HostStatuses::not_known();
  std::vector<ServerView> views;
  views.reserve(servers.size());
  for (const Server& server : servers) views.push_back(view_server(server, host));
  std::string status_error = statuses ? "" : statuses.error().message();
  CacheKey key;
  key.reserve(160 * servers.size() + 100);
  key.add("api servers").add(scope.user_id).add(scope.admin ? 1 : 0).add(status_error);
  for (const ServerView& view : views) add_to_key(key, view);
  std::shared_ptr<const void> pin = statuses ? std::shared_ptr<const void>(*statuses) : nullptr;
  return cached_text(std::move(key).take(), std::move(pin), [&] {
    nlohmann::json list = nlohmann::json::array();
    for (const ServerView& view : views) list.push_back(server_json(view));
    nlohmann::json body = {{"servers", std::move(list)}};
    if (!statuses) body["status_error"] = status_error;
    return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  });
}

// A body member as the text parse_restart_schedule reads: a string as it is, a number as written; nullopt when absent.
std::optional<std::string> text_field(const nlohmann::json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end()) return std::nullopt;
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// The settings a PUT asks for: each member given replaces the stored value, each one left out keeps it. Or the
// first member of the wrong JSON type.
struct ScheduleBody {
  RestartScheduleInput input;
  std::optional<RestartScheduleProblem> problem;
};

ScheduleBody schedule_input(const nlohmann::json& body, const RestartSchedule& current) {
  ScheduleBody read{{current.enabled, format_time_of_day(current.minute_of_day),
                     std::to_string(current.max_wait_minutes), current.message},
                    std::nullopt};
  if (body.contains("enabled")) {
    if (!body["enabled"].is_boolean()) return {read.input, RestartScheduleProblem{"enabled", "enabled: true or false"}};
    read.input.enabled = body["enabled"].get<bool>();
  }
  if (auto time = text_field(body, "time")) read.input.time = *time;
  if (auto wait = text_field(body, "max_wait_minutes")) read.input.max_wait_minutes = *wait;
  if (body.contains("message")) {
    if (!body["message"].is_string()) return {read.input, RestartScheduleProblem{"message", "message: a string"}};
    read.input.message = body["message"].get<std::string>();
  }
  return read;
}

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

}  // namespace

Response get_restart_schedule(App& app, Context&, const Server& server) {
  Result<StoredRestartSchedule> stored = app.restart_schedules->get(server.id);
  if (!stored) return error_from(stored.error());
  return json_response(200, {{"restart_schedule", restart_schedule_json(*stored, unix_now())}});
}

Response set_restart_schedule(App& app, Context& context, const Server& server) {
  Result<nlohmann::json> body = parse_body(context.request);
  if (!body) return bad_body(body.error());
  Result<StoredRestartSchedule> stored = app.restart_schedules->get(server.id);
  if (!stored) return error_from(stored.error());
  ScheduleBody read = schedule_input(*body, stored->schedule);
  if (read.problem) return error_response(422, "invalid", read.problem->message, read.problem->field);
  RestartScheduleParse parsed = parse_restart_schedule(read.input);
  if (parsed.problem) return error_response(422, "invalid", parsed.problem->message, parsed.problem->field);
  if (Status status = app.restart_schedules->put(server.id, *parsed.schedule); !status)
    return error_from(status.error());
  stored->schedule = *parsed.schedule;
  return json_response(200, {{"restart_schedule", restart_schedule_json(*stored, unix_now())}});
}

Response list_servers(App& app, Context& context) {
  Result<std::vector<Server>> servers = app.servers->list_visible(context.scope());
  if (!servers) return error_from(servers.error());
  Response response;
  response.header("Content-Type", "application/json");
  response.encoded = servers_body(context.scope(), *servers, app.status_cache->snapshot());
  return response;
}

Response create_server(App& app, Context& context) {
  Result<nlohmann::json> body = parse_body(context.request);
  if (!body) return bad_body(body.error());
  std::string name = string_field(*body, "name").value_or("");
  if (auto problem = check_server_name(name)) return error_response(422, "invalid", *problem, "name");
  std::optional<std::int64_t> blueprint_id = id_field(*body, "blueprint_id");
  if (!blueprint_id) return error_response(422, "invalid", "choose a blueprint", "blueprint_id");
  // An administrator may choose the host; otherwise placement does (docs/design.md, "Several hosts").
  std::optional<std::int64_t> host = id_field(*body, "host_id");
  bool host_given = body->contains("host_id") && !(*body)["host_id"].is_null() && (*body)["host_id"] != "";
  if (host_given && !host) {
    return error_response(422, "invalid", "host_id: not a host id", "host_id");
  }
  if (host && !context.user().is_admin) {
    return error_response(403, "forbidden", "only an administrator chooses a server's host", "host_id");
  }
  if (host) {
    if (Result<Host> known = app.hosts->get(*host); !known) {
      return error_response(422, "invalid", known.error().message(), "host_id");
    }
  }
  Result<Server> server = app.servers->create(context.user().id, name, *blueprint_id, app.placement(host));
  if (!server && server.error().code() == ErrorCode::kNotFound) {  // the blueprint is not the user's
    return error_response(422, "invalid", server.error().message(), "blueprint_id");
  }
  if (!server && server.error().code() == ErrorCode::kInvalidArgument && host) {
    return error_response(422, "invalid", server.error().message(), "host_id");
  }
  if (!server) return error_from(server.error(), "name");
  return server_answer(201, *server);
}

Response list_adoptable(App& app, Context&) {
  Result<std::vector<UnmanagedInstance>> instances = unmanaged_instances(app);
  if (!instances) return error_from(instances.error());
  nlohmann::json list = nlohmann::json::array();
  for (const UnmanagedInstance& instance : *instances) {
    list.push_back({{"instance", instance.name},
                    {"state", to_string(instance.state)},
                    {"port", instance.port ? nlohmann::json(*instance.port) : nlohmann::json(nullptr)}});
  }
  return json_response(200, {{"instances", list}});
}

Response adopt_server(App& app, Context& context) {
  Result<nlohmann::json> body = parse_body(context.request);
  if (!body) return bad_body(body.error());
  Adoption adoption;
  adoption.instance = string_field(*body, "instance").value_or("");
  adoption.name = string_field(*body, "name").value_or(adoption.instance);
  if (auto problem = check_server_name(adoption.name)) return error_response(422, "invalid", *problem, "name");
  std::optional<std::int64_t> owner_id = id_field(*body, "owner_id");
  if (!owner_id) return error_response(422, "invalid", "choose the owner", "owner_id");
  std::optional<std::int64_t> blueprint_id = id_field(*body, "blueprint_id");
  if (!blueprint_id) return error_response(422, "invalid", "choose a blueprint", "blueprint_id");
  adoption.owner_id = *owner_id;
  adoption.blueprint_id = *blueprint_id;
  Result<Server> server = adopt_instance(app, adoption);
  if (!server) {
    switch (server.error().code()) {
      case ErrorCode::kInvalidArgument:
        return error_from(server.error(), "instance");
      case ErrorCode::kNotFound:  // the blueprint is not the owner's
        return error_response(422, "invalid", server.error().message(), "blueprint_id");
      default:
        return error_from(server.error());
    }
  }
  return server_answer(201, *server);
}

// The server's RCON password, for its owner and administrators (ServerAction::kRconPassword: 403 to its shares); only
// on request, never in the server object.
Response get_rcon_password(App& app, Context&, const Server& server) {
  Result<Blueprint> blueprint = app.blueprints->get(server.blueprint_id, Scope{server.owner_id, true});
  if (!blueprint) return error_from(blueprint.error());
  Result<std::string> password = server_rcon_password(blueprint->spec_yaml, app.config.secret_key, server.id);
  if (!password) return error_from(password.error());
  return json_response(200, {{"rcon_password", *password}});
}

Response get_server(App& app, Context&, const Server& server) {
  Result<std::shared_ptr<const StatusMap>> statuses = app.status_cache->snapshot();
  HostStatuses host = statuses ? HostStatuses::answered(**statuses) : HostStatuses::not_known();
  return json_response(200, {{"server", server_json(view_server(server, host))}});
}

Response server_events(App& app, Context& context, const Server& server) {
  int limit = kServerEventsShown;
  if (std::optional<std::string> asked = context.request.query_param("limit")) {
    std::optional<long long> parsed = parse_int(*asked, 1, ServerEvents::kKeptPerServer);
    if (!parsed) {
      return error_response(
          422, "invalid", fmt::format("limit: '{}' is not a number from 1 to {}", *asked, ServerEvents::kKeptPerServer),
          "limit");
    }
    limit = static_cast<int>(*parsed);
  }
  Result<std::vector<ServerEvent>> events = app.server_events->list(server.id, limit);
  if (!events) return error_from(events.error());
  nlohmann::json list = nlohmann::json::array();
  for (const ServerEvent& event : *events) list.push_back(server_event_json(event));
  return json_response(200, {{"events", list}});
}

Response start_server(App& app, Context& context, const Server& server) {
  return queue_action(app, context, JobType::kStart, server);
}

Response stop_server(App& app, Context& context, const Server& server) {
  return queue_action(app, context, JobType::kStop, server);
}

Response restart_server(App& app, Context& context, const Server& server) {
  return queue_action(app, context, JobType::kRestart, server);
}

Response delete_server(App& app, Context& context, const Server& server) {
  return queue_action(app, context, JobType::kDelete, server);
}

Response move_server(App& app, Context& context, const Server& server) {
  Result<nlohmann::json> body = parse_body(context.request);
  if (!body) return bad_body(body.error());
  std::optional<std::int64_t> blueprint_id;
  if (body->contains("blueprint_id") && (*body)["blueprint_id"].is_number_integer()) {
    blueprint_id = (*body)["blueprint_id"].get<std::int64_t>();
  } else if (auto text = string_field(*body, "blueprint_id")) {
    if (auto parsed = parse_int(*text, 1, INT64_MAX)) blueprint_id = *parsed;
  }
  if (!blueprint_id) return error_response(422, "invalid", "choose a blueprint", "blueprint_id");
  Result<Server> moved = app.servers->reassign(server.id, context.scope(), *blueprint_id);
  if (!moved && moved.error().code() == ErrorCode::kInvalidArgument) {  // the blueprint is not the owner's
    return error_from(moved.error(), "blueprint_id");
  }
  if (!moved) return error_from(moved.error());
  return server_answer(200, *moved);
}

Response follow_console(App& app, Context& context, const Server& server) {
  return event_stream([&app, server, user = context.user()](std::shared_ptr<EventSink> sink) {
    follow_console_as(app, user, server, sink);
  });
}

Response list_shares(App& app, Context&, const Server& server) {
  Result<std::vector<Share>> shares = Shares(*app.database).for_server(server.id);
  if (!shares) return error_from(shares.error());
  nlohmann::json list = nlohmann::json::array();
  for (const Share& share : *shares) list.push_back(share_json(share));
  return json_response(200, {{"shares", list}});
}

Response share_server(App& app, Context& context, const Server& server) {
  Result<nlohmann::json> body = parse_body(context.request);
  if (!body) return bad_body(body.error());
  std::string user = string_field(*body, "user").value_or("");
  if (user.empty()) return error_response(422, "invalid", "name the user to share the server with", "user");
  std::optional<ShareRole> role = parse_share_role(string_field(*body, "role").value_or(""));
  if (!role) return error_response(422, "invalid", "role: choose viewer, operator or manager", "role");
  Result<Share> share = web::grant_share(app, context.user(), server, user, *role);
  if (!share && share.error().code() == ErrorCode::kPermissionDenied) return error_from(share.error(), "role");
  if (!share) return error_from(share.error(), "user");
  return json_response(200, {{"share", share_json(*share)}});
}

Response unshare_server(App& app, Context& context, const Server& server) {
  std::optional<std::int64_t> user_id = context.id_param(1);
  if (!user_id) return error_from(Error::not_found("share not found"));
  if (Status revoked = web::revoke_share(app, context.user(), server, *user_id); !revoked) {
    return error_from(revoked.error());
  }
  return json_response(200, {{"revoked", *user_id}});
}

}  // namespace left4me::web::api
