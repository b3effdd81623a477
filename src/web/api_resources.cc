// Routes for blueprints, servers, jobs, the game installation and the live logs.
#include <fmt/format.h>

#include <map>
#include <memory>
#include <mutex>

#include "base/strings.h"
#include "json/parse_json.h"
#include "model/instance_name.h"
#include "web/adoption.h"
#include "web/app.h"
#include "web/blueprint_spec.h"
#include "web/responses.h"

namespace left4me::web {
namespace {

nlohmann::json blueprint_json(const Blueprint& blueprint, const std::vector<LinkedServer>* linked) {
  nlohmann::json out = {{"id", blueprint.id},
                        {"owner_id", blueprint.owner_id},
                        {"name", blueprint.name},
                        {"version", blueprint.version},
                        {"spec", blueprint_spec_to_json(blueprint.spec_yaml)},
                        {"spec_yaml", blueprint_spec_yaml_for_display(blueprint.spec_yaml)},
                        {"created_at", blueprint.created_at},
                        {"updated_at", blueprint.updated_at}};
  if (linked != nullptr) {
    nlohmann::json servers = nlohmann::json::array();
    for (const LinkedServer& server : *linked) servers.push_back({{"id", server.id}, {"name", server.name}});
    out["servers"] = servers;
  }
  return out;
}

nlohmann::json optional_json(const std::optional<std::int64_t>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json job_json(const Job& job) {
  nlohmann::json out = {{"id", job.id},
                        {"type", job.type},
                        {"target", job.target},
                        {"server_id", optional_json(job.server_id)},
                        {"owner_id", optional_json(job.owner_id)},
                        {"state", job.state},
                        {"created_at", job.created_at},
                        {"started_at", optional_json(job.started_at)},
                        {"finished_at", optional_json(job.finished_at)},
                        {"exit_code", optional_json(job.exit_code)},
                        {"reason", job.reason.empty() ? nlohmann::json(nullptr) : nlohmann::json(job.reason)},
                        {"progress", nullptr}};
  if (!job.progress.empty()) {
    Result<nlohmann::json> progress = parse_json_limited(job.progress);
    if (progress) out["progress"] = std::move(*progress);
  }
  return out;
}

nlohmann::json server_json(const Server& server, const std::map<std::string, nlohmann::json>* statuses) {
  nlohmann::json out = {{"id", server.id},
                        {"name", server.name},
                        {"instance", server.instance},
                        {"owner_id", server.owner_id},
                        {"owner", server.owner_name},
                        {"blueprint_id", server.blueprint_id},
                        {"blueprint_name", server.blueprint_name},
                        {"blueprint_version", server.blueprint_version},
                        {"applied_version", optional_json(server.applied_version)},
                        {"outdated", server.outdated()},
                        {"port", server.port},
                        {"state", server.state},
                        {"live", nullptr}};
  if (statuses != nullptr) {
    std::optional<std::string> instance = server.managed_instance();
    auto it = instance ? statuses->find(*instance) : statuses->end();
    if (it == statuses->end()) {
      out["state"] = "new";
    } else {
      const nlohmann::json& status = it->second;
      if (status.contains("state")) out["state"] = status["state"];
      if (status.contains("live")) out["live"] = status["live"];
      for (const char* key : {"pid", "since", "restarts", "last_exit"}) {
        if (status.contains(key)) out[key] = status[key];
      }
    }
  }
  return out;
}

// Whether an rcon_password given as null asks to drop the stored one (a generated one is used then).
enum class RconPassword { kKeep, kClear };

// The servers list is the busiest route: its JSON is written as text, with each server's live-status
// fields rendered once per status snapshot rather than once per request.
void append_json_string(std::string& out, std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) {  // beyond ASCII: let the library check the UTF-8
      out += nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      return;
    }
  }
  out += '"';
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void append_optional(std::string& out, const std::optional<std::int64_t>& value) {
  out += value ? std::to_string(*value) : "null";
}

using StatusFragments = std::map<std::string, std::string>;  // instance -> `"state":..,"live":..,...`

// The fragments of a snapshot, built once and shared while the snapshot is current.
std::shared_ptr<const StatusFragments> status_fragments(const std::shared_ptr<const StatusMap>& statuses) {
  static std::mutex mutex;
  static std::weak_ptr<const StatusMap> source;
  static std::shared_ptr<const StatusFragments> fragments;
  std::lock_guard<std::mutex> guard(mutex);
  if (source.lock() == statuses && fragments) return fragments;
  auto built = std::make_shared<StatusFragments>();
  for (const auto& [name, status] : *statuses) {
    std::string text;
    for (const char* key : {"state", "live", "pid", "since", "restarts", "last_exit"}) {
      if (!status.contains(key)) continue;
      if (!text.empty()) text += ',';
      append_json_string(text, key);
      text += ':';
      text += status[key].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    (*built)[name] = std::move(text);
  }
  source = statuses;
  fragments = std::move(built);
  return fragments;
}

// The same object as server_json(), as text.
void append_server_json(std::string& out, const Server& server, const StatusFragments* fragments) {
  out += "{\"id\":" + std::to_string(server.id) + ",\"name\":";
  append_json_string(out, server.name);
  out += ",\"instance\":";
  append_json_string(out, server.instance);
  out += ",\"owner_id\":" + std::to_string(server.owner_id) + ",\"owner\":";
  append_json_string(out, server.owner_name);
  out += ",\"blueprint_id\":" + std::to_string(server.blueprint_id) + ",\"blueprint_name\":";
  append_json_string(out, server.blueprint_name);
  out += ",\"blueprint_version\":" + std::to_string(server.blueprint_version) + ",\"applied_version\":";
  append_optional(out, server.applied_version);
  out += server.outdated() ? ",\"outdated\":true" : ",\"outdated\":false";
  out += ",\"port\":" + std::to_string(server.port);
  std::string_view live_fields;
  bool known = fragments == nullptr;
  std::optional<std::string> instance = server.managed_instance();
  if (fragments != nullptr && instance) {
    auto it = fragments->find(*instance);
    if (it != fragments->end()) {
      known = true;
      live_fields = it->second;
    }
  }
  // Each key once: the stored state and a null live unless the live fields bring their own.
  bool has_state = live_fields.find("\"state\":") != std::string_view::npos;
  bool has_live = live_fields.find("\"live\":") != std::string_view::npos;
  if (!has_state) {
    out += ",\"state\":";
    append_json_string(out, known ? server.state : "new");
  }
  if (!has_live) out += ",\"live\":null";
  if (!live_fields.empty()) {
    out += ',';
    out += live_fields;
  }
  out += '}';
}

// A spec from the body: "spec" (object) or "spec_yaml" (text); the response when invalid.
std::optional<Response> read_spec(const nlohmann::json& body, std::string* yaml, RconPassword* rcon = nullptr) {
  SpecCheck check;
  if (body.contains("spec_yaml") && body["spec_yaml"].is_string()) {
    check = check_blueprint_yaml(body["spec_yaml"].get<std::string>());
  } else if (body.contains("spec")) {
    nlohmann::json spec = body["spec"];
    if (spec.is_string()) {
      // Forms send the spec as JSON text.
      Result<nlohmann::json> parsed = parse_json_limited(spec.get<std::string>());
      if (!parsed) return error_response(422, "invalid", "spec: " + parsed.error().message(), "spec");
      spec = std::move(*parsed);
    }
    if (spec.is_object() && spec.contains("rcon_password") && spec["rcon_password"].is_null()) {
      spec.erase("rcon_password");
      if (rcon != nullptr) *rcon = RconPassword::kClear;
    }
    check = check_blueprint_json(spec);
  } else {
    check = check_blueprint_yaml("{}");
  }
  if (!check.yaml) {
    nlohmann::json errors = nlohmann::json::array();
    for (const model::FieldError& error : check.errors) {
      errors.push_back({{"field", "spec." + error.field}, {"message", error.message}, {"line", error.line}});
    }
    const model::FieldError& first = check.errors.front();
    nlohmann::json payload = {{"error",
                               {{"code", "invalid"},
                                {"message", first.field.empty() ? first.message : first.field + ": " + first.message},
                                {"field", "spec." + first.field},
                                {"fields", errors}}}};
    return json_response(422, payload);
  }
  *yaml = *check.yaml;
  return std::nullopt;
}

// A positive id from a body member given as a number or as text (forms), or nullopt.
std::optional<std::int64_t> id_field(const nlohmann::json& body, const char* name) {
  if (!body.contains(name)) return std::nullopt;
  const nlohmann::json& value = body[name];
  if (value.is_number_integer() && value.get<std::int64_t>() > 0) return value.get<std::int64_t>();
  if (value.is_string()) {
    if (auto parsed = parse_int(value.get<std::string>(), 1, INT64_MAX)) return *parsed;
  }
  return std::nullopt;
}

Response sse_response() {
  Response response;
  response.header("Content-Type", "text/event-stream");
  response.header("Cache-Control", "no-store");
  response.header("X-Accel-Buffering", "no");
  return response;
}

Response queue_server_job(App& app, Context& context, const std::string& type) {
  std::optional<std::int64_t> id = context.id_param(0);
  if (!id) return error_response(404, "not_found", "server not found");
  Result<Server> server = app.servers->get(*id, context.scope());
  if (!server) return error_from(server.error());
  // Repeated clicks on the same action while one is still queued share that job.
  Result<Job> job = app.jobs->enqueue(type, server->name, server->id, context.user().id, Dedupe::kYes);
  if (!job) return error_from(job.error());
  app.runner->notify();
  return json_response(202, {{"job", job_json(*job)}});
}

}  // namespace

void register_resource_routes(App& app) {
  app.add_route({"GET", "/api/v1/blueprints", Access::kUser, [&app](Context& context) {
                   Result<std::vector<Blueprint>> blueprints = app.blueprints->list(context.scope());
                   if (!blueprints) return error_from(blueprints.error());
                   nlohmann::json list = nlohmann::json::array();
                   for (const Blueprint& blueprint : *blueprints) list.push_back(blueprint_json(blueprint, nullptr));
                   return json_response(200, {{"blueprints", list}});
                 }});

  app.add_route({"POST", "/api/v1/blueprints", Access::kUser, [&app](Context& context) {
                   Result<nlohmann::json> body = parse_body(context.request);
                   if (!body) return bad_body(body.error());
                   std::string name = string_field(*body, "name").value_or("");
                   if (auto problem = check_blueprint_name(name)) {
                     return error_response(422, "invalid", *problem, "name");
                   }
                   std::string yaml;
                   if (auto invalid = read_spec(*body, &yaml)) return *invalid;
                   Result<Blueprint> blueprint = app.blueprints->create(context.user().id, name, yaml);
                   if (!blueprint) return error_from(blueprint.error(), "name");
                   return json_response(201, {{"blueprint", blueprint_json(*blueprint, nullptr)}});
                 }});

  app.add_route({"GET", "/api/v1/blueprints/{id}", Access::kUser, [&app](Context& context) {
                   std::optional<std::int64_t> id = context.id_param(0);
                   if (!id) return error_response(404, "not_found", "blueprint not found");
                   Result<Blueprint> blueprint = app.blueprints->get(*id, context.scope());
                   if (!blueprint) return error_from(blueprint.error());
                   Result<std::vector<LinkedServer>> linked = app.blueprints->linked_servers(*id);
                   if (!linked) return error_from(linked.error());
                   return json_response(200, {{"blueprint", blueprint_json(*blueprint, &*linked)}});
                 }});

  app.add_route({"PUT", "/api/v1/blueprints/{id}", Access::kUser, [&app](Context& context) {
                   std::optional<std::int64_t> id = context.id_param(0);
                   if (!id) return error_response(404, "not_found", "blueprint not found");
                   Result<Blueprint> current = app.blueprints->get(*id, context.scope());
                   if (!current) return error_from(current.error());
                   Result<nlohmann::json> body = parse_body(context.request);
                   if (!body) return bad_body(body.error());
                   std::string name = string_field(*body, "name").value_or(current->name);
                   if (auto problem = check_blueprint_name(name)) {
                     return error_response(422, "invalid", *problem, "name");
                   }
                   std::string yaml = current->spec_yaml;
                   if (body->contains("spec") || body->contains("spec_yaml")) {
                     RconPassword rcon = RconPassword::kKeep;
                     if (auto invalid = read_spec(*body, &yaml, &rcon)) return *invalid;
                     // Responses never show the password, so an edit without one keeps the stored one.
                     if (rcon == RconPassword::kKeep) yaml = keep_rcon_password(yaml, current->spec_yaml);
                   }
                   Result<Blueprint> blueprint = app.blueprints->update(*id, context.scope(), name, yaml);
                   if (!blueprint) return error_from(blueprint.error(), "name");
                   return json_response(200, {{"blueprint", blueprint_json(*blueprint, nullptr)}});
                 }});

  app.add_route({"DELETE", "/api/v1/blueprints/{id}", Access::kUser, [&app](Context& context) {
                   std::optional<std::int64_t> id = context.id_param(0);
                   if (!id) return error_response(404, "not_found", "blueprint not found");
                   std::vector<LinkedServer> linked;
                   if (Status status = app.blueprints->remove(*id, context.scope(), &linked); !status) {
                     if (linked.empty()) return error_from(status.error());
                     // The usual conflict error, with the servers that hold on to the blueprint.
                     nlohmann::json servers = nlohmann::json::array();
                     for (const LinkedServer& server : linked) {
                       servers.push_back({{"id", server.id}, {"name", server.name}});
                     }
                     nlohmann::json error = {{"code", "conflict"}, {"message", status.error().message()}};
                     error["field"] = nullptr;
                     error["servers"] = servers;
                     return json_response(409, {{"error", error}});
                   }
                   return json_response(200, {{"deleted", *id}});
                 }});

  app.add_route({"GET", "/api/v1/servers", Access::kUser, [&app](Context& context) {
                   Result<std::vector<Server>> servers = app.servers->list(context.scope());
                   if (!servers) return error_from(servers.error());
                   Result<std::shared_ptr<const StatusMap>> statuses = app.status_cache->snapshot();
                   std::shared_ptr<const StatusFragments> fragments;
                   if (statuses) fragments = status_fragments(*statuses);
                   std::string body = "{\"servers\":[";
                   body.reserve(400 * servers->size() + 100);
                   for (std::size_t i = 0; i < servers->size(); ++i) {
                     if (i > 0) body += ',';
                     append_server_json(body, (*servers)[i], fragments.get());
                   }
                   body += ']';
                   if (!statuses) {
                     body += ",\"status_error\":";
                     append_json_string(body, statuses.error().message());
                   }
                   body += '}';
                   return Response{200, {{"Content-Type", "application/json"}}, std::move(body), nullptr};
                 }});

  app.add_route({"POST", "/api/v1/servers", Access::kUser, [&app](Context& context) {
                   Result<nlohmann::json> body = parse_body(context.request);
                   if (!body) return bad_body(body.error());
                   std::string name = string_field(*body, "name").value_or("");
                   if (auto problem = check_server_name(name)) return error_response(422, "invalid", *problem, "name");
                   std::optional<std::int64_t> blueprint_id = id_field(*body, "blueprint_id");
                   if (!blueprint_id) return error_response(422, "invalid", "choose a blueprint", "blueprint_id");
                   Result<Server> server = app.servers->create(context.user().id, name, *blueprint_id);
                   if (!server) {
                     const char* field = server.error().code() == ErrorCode::kNotFound ? "blueprint_id" : "name";
                     if (server.error().code() == ErrorCode::kNotFound) {
                       return error_response(422, "invalid", server.error().message(), field);
                     }
                     return error_from(server.error(), field);
                   }
                   return json_response(201, {{"server", server_json(*server, nullptr)}});
                 }});

  // Before the /api/v1/servers/{id} routes, which would take "adoptable" for an id.
  app.add_route({"GET", "/api/v1/servers/adoptable", Access::kAdmin, [&app](Context&) {
                   Result<std::vector<UnmanagedInstance>> instances = unmanaged_instances(app);
                   if (!instances) return error_from(instances.error());
                   nlohmann::json list = nlohmann::json::array();
                   for (const UnmanagedInstance& instance : *instances) {
                     list.push_back(
                         {{"instance", instance.name},
                          {"state", instance.state},
                          {"port", instance.port ? nlohmann::json(*instance.port) : nlohmann::json(nullptr)}});
                   }
                   return json_response(200, {{"instances", list}});
                 }});

  app.add_route({"POST", "/api/v1/servers/adopt", Access::kAdmin, [&app](Context& context) {
                   Result<nlohmann::json> body = parse_body(context.request);
                   if (!body) return bad_body(body.error());
                   Adoption adoption;
                   adoption.instance = string_field(*body, "instance").value_or("");
                   adoption.name = string_field(*body, "name").value_or(adoption.instance);
                   if (auto problem = check_server_name(adoption.name)) {
                     return error_response(422, "invalid", *problem, "name");
                   }
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
                       case ErrorCode::kNotFound:
                         return error_response(422, "invalid", server.error().message(), "blueprint_id");
                       default:
                         return error_from(server.error());
                     }
                   }
                   return json_response(201, {{"server", server_json(*server, nullptr)}});
                 }});

  app.add_route({"GET", "/api/v1/servers/{id}", Access::kUser, [&app](Context& context) {
                   std::optional<std::int64_t> id = context.id_param(0);
                   if (!id) return error_response(404, "not_found", "server not found");
                   Result<Server> server = app.servers->get(*id, context.scope());
                   if (!server) return error_from(server.error());
                   Result<std::shared_ptr<const StatusMap>> statuses = app.status_cache->snapshot();
                   return json_response(200, {{"server", server_json(*server, statuses ? statuses->get() : nullptr)}});
                 }});

  for (const char* action : {"start", "stop", "restart"}) {
    app.add_route(
        {"POST", fmt::format("/api/v1/servers/{{id}}/{}", action), Access::kUser,
         [&app, type = std::string(action)](Context& context) { return queue_server_job(app, context, type); }});
  }
  app.add_route({"DELETE", "/api/v1/servers/{id}", Access::kUser,
                 [&app](Context& context) { return queue_server_job(app, context, "delete"); }});

  app.add_route({"PUT", "/api/v1/servers/{id}/blueprint", Access::kUser, [&app](Context& context) {
                   std::optional<std::int64_t> id = context.id_param(0);
                   if (!id) return error_response(404, "not_found", "server not found");
                   Result<nlohmann::json> body = parse_body(context.request);
                   if (!body) return bad_body(body.error());
                   std::optional<std::int64_t> blueprint_id;
                   if (body->contains("blueprint_id") && (*body)["blueprint_id"].is_number_integer()) {
                     blueprint_id = (*body)["blueprint_id"].get<std::int64_t>();
                   } else if (auto text = string_field(*body, "blueprint_id")) {
                     if (auto parsed = parse_int(*text, 1, INT64_MAX)) blueprint_id = *parsed;
                   }
                   if (!blueprint_id) return error_response(422, "invalid", "choose a blueprint", "blueprint_id");
                   Result<Server> server = app.servers->reassign(*id, context.scope(), *blueprint_id);
                   if (!server) {
                     if (server.error().message().rfind("blueprint", 0) == 0) {
                       return error_response(422, "invalid", server.error().message(), "blueprint_id");
                     }
                     return error_from(server.error());
                   }
                   return json_response(200, {{"server", server_json(*server, nullptr)}});
                 }});

  app.add_route({"GET", "/api/v1/servers/{id}/logs", Access::kUser, [&app](Context& context) {
                   std::optional<std::int64_t> id = context.id_param(0);
                   if (!id) return error_response(404, "not_found", "server not found");
                   Result<Server> server = app.servers->get(*id, context.scope());
                   if (!server) return error_from(server.error());
                   Response response = sse_response();
                   response.stream = [&app, server = *server](std::shared_ptr<EventSink> sink) {
                     subscribe_console(*app.server_logs, server, sink);
                   };
                   return response;
                 }});

  app.add_route({"GET", "/api/v1/jobs", Access::kUser, [&app](Context& context) {
                   JobFilter filter;
                   filter.state = context.request.query_param("state");
                   if (auto server = context.request.query_param("server_id")) {
                     if (auto parsed = parse_int(*server, 1, INT64_MAX)) filter.server_id = *parsed;
                   }
                   Result<std::vector<Job>> jobs = app.jobs->list(context.scope(), filter);
                   if (!jobs) return error_from(jobs.error());
                   nlohmann::json list = nlohmann::json::array();
                   for (const Job& job : *jobs) list.push_back(job_json(job));
                   return json_response(200, {{"jobs", list}});
                 }});

  app.add_route({"GET", "/api/v1/jobs/{id}", Access::kUser, [&app](Context& context) {
                   std::optional<std::int64_t> id = context.id_param(0);
                   if (!id) return error_response(404, "not_found", "job not found");
                   Result<Job> job = app.jobs->get(*id, context.scope());
                   if (!job) return error_from(job.error());
                   return json_response(200, {{"job", job_json(*job)}});
                 }});

  app.add_route({"POST", "/api/v1/jobs/{id}/cancel", Access::kUser, [&app](Context& context) {
                   std::optional<std::int64_t> id = context.id_param(0);
                   if (!id) return error_response(404, "not_found", "job not found");
                   Result<Job> job = app.jobs->cancel(*id, context.scope());
                   if (!job) return error_from(job.error());
                   app.job_logs->end(*id, job->state);
                   return json_response(200, {{"job", job_json(*job)}});
                 }});

  app.add_route({"GET", "/api/v1/jobs/{id}/lines", Access::kUser, [&app](Context& context) {
                   std::optional<std::int64_t> id = context.id_param(0);
                   if (!id) return error_response(404, "not_found", "job not found");
                   Result<Job> job = app.jobs->get(*id, context.scope());
                   if (!job) return error_from(job.error());
                   std::int64_t after =
                       parse_int(context.request.query_param("after").value_or("0"), 0, INT64_MAX).value_or(0);
                   Result<std::vector<JobLine>> lines = app.jobs->lines_after(*id, after);
                   if (!lines) return error_from(lines.error());
                   nlohmann::json list = nlohmann::json::array();
                   for (const JobLine& line : *lines) {
                     list.push_back({{"seq", line.seq}, {"at", line.at}, {"line", line.line}});
                   }
                   return json_response(200, {{"lines", list}, {"state", job->state}});
                 }});

  app.add_route({"GET", "/api/v1/jobs/{id}/log", Access::kUser, [&app](Context& context) {
                   std::optional<std::int64_t> id = context.id_param(0);
                   if (!id) return error_response(404, "not_found", "job not found");
                   Result<Job> job = app.jobs->get(*id, context.scope());
                   if (!job) return error_from(job.error());
                   std::string resume(context.request.header("last-event-id").value_or(""));
                   if (resume.empty()) resume = context.request.query_param("after").value_or("0");
                   std::int64_t after = parse_int(resume, 0, INT64_MAX).value_or(0);
                   Response response = sse_response();
                   response.stream = [&app, job_id = *id, after](std::shared_ptr<EventSink> sink) {
                     app.job_logs->subscribe(job_id, after, sink);
                   };
                   return response;
                 }});

  app.add_route({"POST", "/api/v1/install", Access::kAdmin, [&app](Context& context) {
                   Result<Job> job =
                       app.jobs->enqueue("install", "installation", std::nullopt, context.user().id, Dedupe::kYes);
                   if (!job) return error_from(job.error());
                   app.runner->notify();
                   return json_response(202, {{"job", job_json(*job)}});
                 }});

  app.add_route({"GET", "/api/v1/install", Access::kAdmin, [&app](Context& context) {
                   JobFilter filter;
                   filter.limit = 50;
                   Result<std::vector<Job>> jobs = app.jobs->list(context.scope(), filter);
                   if (!jobs) return error_from(jobs.error());
                   for (const Job& job : *jobs) {
                     if (job.type == "install") return json_response(200, {{"job", job_json(job)}});
                   }
                   return json_response(200, {{"job", nullptr}});
                 }});
}

}  // namespace left4me::web
