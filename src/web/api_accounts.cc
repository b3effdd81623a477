// Routes for health, login sessions, the setup link, passwords, API tokens and user administration.
#include <fmt/format.h>

#include "web/app.h"
#include "web/crypto.h"
#include "web/responses.h"

namespace left4me::web {
namespace {

nlohmann::json optional_json(std::optional<int> value) { return value ? nlohmann::json(*value) : nullptr; }

// The user with their own limits (null: the default) and the limits that apply (null: none, an administrator).
nlohmann::json user_json(const User& user, const DefaultLimits& defaults) {
  return {{"id", user.id},
          {"name", user.name},
          {"admin", user.is_admin},
          {"disabled", user.disabled},
          {"created_at", user.created_at},
          {"max_servers", optional_json(user.max_servers)},
          {"max_blueprints", optional_json(user.max_blueprints)},
          {"limits",
           {{"servers", optional_json(effective_limit(user.is_admin, user.max_servers, defaults.servers))},
            {"blueprints", optional_json(effective_limit(user.is_admin, user.max_blueprints, defaults.blueprints))}}}};
}

// The limits in a PATCH body: a key that is absent changes nothing, null means the default, a whole number in
// 0..kMaxUserLimit sets it. A 422 naming the field otherwise.
struct LimitChange {
  Owned what;
  std::optional<int> limit;
};
std::optional<Response> read_limit_changes(const nlohmann::json& body, std::vector<LimitChange>* changes) {
  for (Owned what : {Owned::kServers, Owned::kBlueprints}) {
    const char* key = limit_column(what);
    auto it = body.find(key);
    if (it == body.end()) continue;
    if (it->is_null()) {
      changes->push_back({what, std::nullopt});
    } else if (it->is_number_integer() && it->get<std::int64_t>() >= 0 && it->get<std::int64_t>() <= kMaxUserLimit) {
      changes->push_back({what, static_cast<int>(it->get<std::int64_t>())});
    } else {
      return error_response(
          422, "invalid",
          fmt::format("{} must be a whole number in 0..{}, or null for the default", key, kMaxUserLimit), key);
    }
  }
  return std::nullopt;
}

// Without Secure: App::handle adds it to every cookie when the request came over HTTPS.
std::string session_cookie(const std::string& value, std::int64_t max_age) {
  return fmt::format("l4d2_session={}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax", value, max_age);
}

Response throttled(const App& app) {
  Response response = error_response(429, "throttled", "too many failed logins; wait and retry");
  response.header("Retry-After", std::to_string(app.config.login_window.count()));
  return response;
}

}  // namespace

// Starts a session for user and answers with its cookie (shared by the API and the login page).
Response start_session(App& app, const User& user, Response response) {
  Result<NewSession> session = app.accounts->create_session(user.id, app.config.session_lifetime);
  if (!session) return error_from(session.error());
  if (response.body.empty() && response.status == 200) {
    response =
        json_response(200, {{"user", user_json(user, app.config.user_limits)}, {"csrf_token", session->csrf_token}});
  }
  response.header("Set-Cookie", session_cookie(session->token, app.config.session_lifetime.count()));
  return response;
}

Response login_csrf_cookie(Response response, std::string* token_out) {
  std::string token = random_token();
  response.header("Set-Cookie", fmt::format("l4d2_csrf={}; Path=/; HttpOnly; SameSite=Strict", token));
  *token_out = token;
  return response;
}

void register_account_routes(App& app) {
  app.add_route({"GET", "/health", Access::kPublic, [&app](Context&) {
                   Result<std::int64_t> users = app.accounts->count_users();
                   bool workers_ok =
                       !app.config.job_worker_enabled ||
                       app.runner->alive_workers() == static_cast<std::size_t>(app.config.job_worker_threads);
                   nlohmann::json body = {{"database", users.ok() ? "ok" : "unreachable"},
                                          {"workers", workers_ok ? "ok" : "down"},
                                          {"log_followers", app.server_logs->follower_count()}};
                   body["status"] = users.ok() && workers_ok ? "ok" : "failing";
                   return json_response(users.ok() && workers_ok ? 200 : 503, body);
                 }});

  app.add_route({"GET", "/api/v1/csrf", Access::kPublic, [&app](Context&) {
                   std::string token;
                   Response response = login_csrf_cookie(Response{}, &token);
                   Response body = json_response(200, {{"csrf_token", token}});
                   body.headers = response.headers;
                   body.header("Content-Type", "application/json");
                   return body;
                 }});

  app.add_route({"POST", "/api/v1/session", Access::kPublic, [&app](Context& context) {
                   Result<nlohmann::json> body = parse_body(context.request);
                   if (!body) return bad_body(body.error());
                   std::string name = string_field(*body, "name").value_or("");
                   std::string password = string_field(*body, "password").value_or("");
                   Result<LoginResult> login =
                       app.accounts->login(name, password, context.client.address, app.login_limits());
                   if (!login) return error_from(login.error());
                   if (login->outcome == LoginOutcome::kThrottled) return throttled(app);
                   if (login->outcome != LoginOutcome::kOk) {
                     return error_response(401, "bad_credentials", "wrong user name or password");
                   }
                   return start_session(app, *login->user, Response{});
                 }});

  app.add_route({"GET", "/api/v1/session", Access::kUser, [&app](Context& context) {
                   nlohmann::json body = {{"user", user_json(context.user(), app.config.user_limits)}};
                   if (!context.auth->via_token) body["csrf_token"] = context.auth->csrf_token;
                   body["read_only"] = context.auth->read_only;
                   return json_response(200, body);
                 }});

  app.add_route({"DELETE", "/api/v1/session", Access::kUser, [&app](Context& context) {
                   if (context.auth->via_token) {
                     return error_response(400, "bad_request", "API tokens are revoked, not logged out");
                   }
                   if (Status status = app.accounts->end_session(context.auth->session_token); !status) {
                     return error_from(status.error());
                   }
                   Response response = json_response(200, {{"logged_out", true}});
                   response.header("Set-Cookie", session_cookie("", 0));
                   return response;
                 }});

  app.add_route({"POST", "/api/v1/setup", Access::kPublic, [&app](Context& context) {
                   Result<nlohmann::json> body = parse_body(context.request);
                   if (!body) return bad_body(body.error());
                   std::string token = string_field(*body, "token").value_or("");
                   // The token before anything else, so that nobody without the link reaches the hashing.
                   Result<SetupLink> link = app.accounts->check_setup_link(token);
                   if (!link) return error_from(link.error());
                   if (*link == SetupLink::kGone) return error_response(404, "not_found", "no such page");
                   if (*link == SetupLink::kInvalid) {
                     return error_response(403, "forbidden", "the setup link is invalid, used or expired");
                   }
                   std::string name = string_field(*body, "name").value_or("");
                   std::string password = string_field(*body, "password").value_or("");
                   if (auto problem = check_user_name(name)) return error_response(422, "invalid", *problem, "name");
                   if (auto problem = check_password_rules(password)) {
                     return error_response(422, "invalid", *problem, "password");
                   }
                   Result<User> user = app.accounts->complete_setup(token, name, password);
                   if (!user) return error_from(user.error());
                   return start_session(app, *user, Response{});
                 }});

  app.add_route({"PUT", "/api/v1/me/password", Access::kUser, [&app](Context& context) {
                   Result<nlohmann::json> body = parse_body(context.request);
                   if (!body) return bad_body(body.error());
                   std::string current = string_field(*body, "current_password").value_or("");
                   std::string next = string_field(*body, "new_password").value_or("");
                   // A guess at the current password is a login attempt: a stolen session must not test
                   // passwords faster than the login form allows.
                   Result<LoginResult> check =
                       app.accounts->login(context.user().name, current, context.client.address, app.login_limits());
                   if (!check) return error_from(check.error());
                   if (check->outcome == LoginOutcome::kThrottled) return throttled(app);
                   if (check->outcome != LoginOutcome::kOk) {
                     return error_response(422, "invalid", "the current password is wrong", "current_password");
                   }
                   if (auto problem = check_password_rules(next)) {
                     return error_response(422, "invalid", *problem, "new_password");
                   }
                   if (Status status = app.accounts->set_password(context.user().id, next); !status) {
                     return error_from(status.error());
                   }
                   // Every session ended with the old password; this browser gets a new one.
                   return start_session(app, context.user(), json_response(200, {{"changed", true}}));
                 }});

  app.add_route({"GET", "/api/v1/tokens", Access::kUser, [&app](Context& context) {
                   Result<std::vector<ApiToken>> tokens = app.accounts->list_api_tokens(context.user().id);
                   if (!tokens) return error_from(tokens.error());
                   nlohmann::json list = nlohmann::json::array();
                   for (const ApiToken& token : *tokens) {
                     list.push_back({{"id", token.id},
                                     {"name", token.name},
                                     {"read_only", token.read_only},
                                     {"created_at", token.created_at},
                                     {"last_used_at", token.last_used_at ? nlohmann::json(*token.last_used_at)
                                                                         : nlohmann::json(nullptr)}});
                   }
                   return json_response(200, {{"tokens", list}});
                 }});

  app.add_route({"POST", "/api/v1/tokens", Access::kUser, [&app](Context& context) {
                   Result<nlohmann::json> body = parse_body(context.request);
                   if (!body) return bad_body(body.error());
                   auto created =
                       app.accounts->create_api_token(context.user().id, string_field(*body, "name").value_or(""),
                                                      bool_field(*body, "read_only").value_or(false));
                   if (!created) return error_from(created.error(), "name");
                   return json_response(201, {{"id", created->first.id},
                                              {"name", created->first.name},
                                              {"read_only", created->first.read_only},
                                              {"token", created->second}});
                 }});

  app.add_route({"DELETE", "/api/v1/tokens/{id}", Access::kUser, [&app](Context& context) {
                   std::optional<std::int64_t> id = context.id_param(0);
                   if (!id) return error_response(404, "not_found", "token not found");
                   if (Status status = app.accounts->revoke_api_token(context.user().id, *id); !status) {
                     return error_from(status.error());
                   }
                   return json_response(200, {{"revoked", *id}});
                 }});

  app.add_route({"GET", "/api/v1/users", Access::kAdmin, [&app](Context&) {
                   Result<std::vector<User>> users = app.accounts->list_users();
                   if (!users) return error_from(users.error());
                   nlohmann::json list = nlohmann::json::array();
                   for (const User& user : *users) list.push_back(user_json(user, app.config.user_limits));
                   return json_response(200, {{"users", list}});
                 }});

  app.add_route({"POST", "/api/v1/users", Access::kAdmin, [&app](Context& context) {
                   Result<nlohmann::json> body = parse_body(context.request);
                   if (!body) return bad_body(body.error());
                   std::string name = string_field(*body, "name").value_or("");
                   std::string password = string_field(*body, "password").value_or("");
                   if (auto problem = check_user_name(name)) return error_response(422, "invalid", *problem, "name");
                   if (auto problem = check_password_rules(password)) {
                     return error_response(422, "invalid", *problem, "password");
                   }
                   Result<User> user = app.accounts->create_user(
                       name, password, bool_field(*body, "admin").value_or(false) ? Role::kAdmin : Role::kUser);
                   if (!user) return error_from(user.error(), "name");
                   return json_response(201, {{"user", user_json(*user, app.config.user_limits)}});
                 }});

  app.add_route({"PATCH", "/api/v1/users/{id}", Access::kAdmin, [&app](Context& context) {
                   std::optional<std::int64_t> id = context.id_param(0);
                   if (!id) return error_response(404, "not_found", "user not found");
                   Result<nlohmann::json> body = parse_body(context.request);
                   if (!body) return bad_body(body.error());
                   std::vector<LimitChange> limits;
                   if (auto invalid = read_limit_changes(*body, &limits)) return *invalid;
                   for (const LimitChange& change : limits) {
                     if (Status status = app.accounts->set_limit(*id, change.what, change.limit); !status) {
                       return error_from(status.error(), limit_column(change.what));
                     }
                   }
                   if (auto disabled = bool_field(*body, "disabled")) {
                     if (*id == context.user().id && *disabled) {
                       return error_response(422, "invalid", "you cannot disable yourself", "disabled");
                     }
                     if (Status status = app.accounts->set_disabled(*id, *disabled); !status) {
                       return error_from(status.error());
                     }
                   }
                   if (auto password = string_field(*body, "password")) {
                     if (auto problem = check_password_rules(*password)) {
                       return error_response(422, "invalid", *problem, "password");
                     }
                     if (Status status = app.accounts->set_password(*id, *password); !status) {
                       return error_from(status.error());
                     }
                   }
                   Result<std::optional<User>> user = app.accounts->find_user(*id);
                   if (!user) return error_from(user.error());
                   if (!*user) return error_response(404, "not_found", "user not found");
                   return json_response(200, {{"user", user_json(**user, app.config.user_limits)}});
                 }});
}

}  // namespace left4me::web
