// API routes for health, login sessions, the setup link, passwords, API tokens and user administration.
#include <fmt/format.h>

#include "web/api_objects.h"
#include "web/handlers.h"
#include "web/overlay_quota.h"
#include "web/sessions.h"
#include "web/user_removal.h"

namespace left4me::web::api {
namespace {

// A user as the API answers it: the record with its overlay quota (own, what applies, bytes used).
Result<nlohmann::json> user_with_quota(App& app, const User& user) {
  nlohmann::json answer = user_json(user, app.config.user_limits);
  Result<OverlayQuota> quota = overlay_quota(*app.database, user.id, app.config.overlay_quota_bytes);
  if (!quota) return quota.error();
  auto or_null = [](std::optional<std::int64_t> value) { return value ? nlohmann::json(*value) : nlohmann::json(); };
  answer["overlay_quota_bytes"] = or_null(quota->own);
  answer["overlay_quota"] = {{"limit", or_null(quota->limit)}, {"used", quota->used}};
  return answer;
}

Response user_answer(App& app, std::int64_t id) {
  Result<std::optional<User>> user = app.accounts->find_user(id);
  if (!user) return error_from(user.error());
  if (!*user) return error_response(404, "not_found", "user not found");
  Result<nlohmann::json> answer = user_with_quota(app, **user);
  if (!answer) return error_from(answer.error());
  return json_response(200, {{"user", *answer}});
}

// A limit in a PATCH body: nullopt when the key is absent (nothing changes); else the limit, null meaning the
// default. kInvalidArgument unless it is null or a whole number in 0..kMaxUserLimit.
struct LimitChange {
  Owned what;
  std::optional<int> limit;
};
Result<std::optional<LimitChange>> read_limit_change(const nlohmann::json& body, Owned what) {
  const char* key = limit_column(what);
  auto it = body.find(key);
  if (it == body.end()) return std::optional<LimitChange>();
  if (it->is_null()) return std::optional<LimitChange>(LimitChange{what, std::nullopt});
  if (it->is_number_integer() && it->get<std::int64_t>() >= 0 && it->get<std::int64_t>() <= kMaxUserLimit) {
    return std::optional<LimitChange>(LimitChange{what, static_cast<int>(it->get<std::int64_t>())});
  }
  return Error::invalid(fmt::format("{} must be a whole number in 0..{}, or null for the default", key, kMaxUserLimit));
}

Response throttled(const App& app) {
  Response response = error_response(429, "throttled", "too many failed logins; wait and retry");
  response.header("Retry-After", std::to_string(app.config.login_window.count()));
  return response;
}

}  // namespace

Response health(App& app, Context&) {
  Result<std::int64_t> users = app.accounts->count_users();
  bool workers_ok = !app.config.job_worker_enabled ||
                    app.runner->alive_workers() == static_cast<std::size_t>(app.config.job_worker_threads);
  nlohmann::json body = {{"database", users.ok() ? "ok" : "unreachable"},
                         {"workers", workers_ok ? "ok" : "down"},
                         {"log_followers", app.server_logs->follower_count()}};
  body["status"] = users.ok() && workers_ok ? "ok" : "failing";
  return json_response(users.ok() && workers_ok ? 200 : 503, body);
}

Response get_login_csrf(App&, Context&) {
  Response response;
  std::string token = add_login_csrf_cookie(response);
  Response body = json_response(200, {{"csrf_token", token}});
  for (const auto& header : response.headers) body.headers.push_back(header);
  return body;
}

Response log_in(App& app, Context& context) {
  Result<nlohmann::json> body = parse_body(context.request);
  if (!body) return bad_body(body.error());
  std::string name = string_field(*body, "name").value_or("");
  std::string password = string_field(*body, "password").value_or("");
  Result<LoginResult> login = app.accounts->login(name, password, context.client.address, app.login_limits());
  if (!login) return error_from(login.error());
  if (login->outcome == LoginOutcome::kThrottled) return throttled(app);
  if (login->outcome != LoginOutcome::kOk) {
    return error_response(401, "bad_credentials", "wrong user name or password");
  }
  if (login->user->two_factor) {
    // The password was right; the session waits for a code (POST /api/v1/session/code).
    Result<std::string> pending = app.two_factor->start_pending_login(login->user->id, kPendingLoginLifetime);
    if (!pending) return error_from(pending.error());
    return json_response(
        202,
        {{"second_factor_required", true}, {"pending_login", *pending}, {"expires_in", kPendingLoginLifetime.count()}});
  }
  return start_session(app, *login->user, Response{});
}

Response log_in_code(App& app, Context& context) {
  Result<nlohmann::json> body = parse_body(context.request);
  if (!body) return bad_body(body.error());
  Result<SecondStepResult> step = finish_login(app, string_field(*body, "pending_login").value_or(""),
                                               string_field(*body, "code").value_or(""), context.client.address);
  if (!step) return error_from(step.error());
  switch (step->outcome) {
    case SecondStepOutcome::kOk:
      return start_session(app, *step->user, Response{});
    case SecondStepOutcome::kThrottled:
      return throttled(app);
    case SecondStepOutcome::kExpired:
      return error_response(401, "pending_login_expired",
                            "the sign-in is unknown or expired: send the name and password again");
    case SecondStepOutcome::kBadCode:
      break;
  }
  return error_response(401, "bad_code", "the code is wrong, expired or already used", "code");
}

Response get_session(App& app, Context& context) {
  nlohmann::json body = {{"user", user_json(context.user(), app.config.user_limits)}};
  if (!context.auth->via_token) body["csrf_token"] = context.auth->csrf_token;
  body["read_only"] = context.auth->read_only;
  return json_response(200, body);
}

Response log_out(App& app, Context& context) {
  if (context.auth->via_token) return error_response(400, "bad_request", "API tokens are revoked, not logged out");
  if (Status status = app.accounts->end_session(context.auth->session_token); !status) {
    return error_from(status.error());
  }
  return clear_session_cookie(json_response(200, {{"logged_out", true}}));
}

Response set_up(App& app, Context& context) {
  Result<nlohmann::json> body = parse_body(context.request);
  if (!body) return bad_body(body.error());
  std::string token = string_field(*body, "token").value_or("");
  // The token before anything else, so that nobody without the link reaches the hashing.
  Result<SetupLink> link = app.accounts->check_setup_link(token);
  if (!link) return error_from(link.error());
  if (*link == SetupLink::kGone) return error_response(404, "not_found", "no such page");
  if (*link == SetupLink::kInvalid)
    return error_response(403, "forbidden", "the setup link is invalid, used or expired");
  std::string name = string_field(*body, "name").value_or("");
  std::string password = string_field(*body, "password").value_or("");
  if (auto problem = check_user_name(name)) return error_response(422, "invalid", *problem, "name");
  if (auto problem = check_password_rules(password)) return error_response(422, "invalid", *problem, "password");
  Result<User> user = app.accounts->complete_setup(token, name, password);
  if (!user) return error_from(user.error());
  return start_session(app, *user, Response{});
}

Response change_password(App& app, Context& context) {
  Result<nlohmann::json> body = parse_body(context.request);
  if (!body) return bad_body(body.error());
  std::string current = string_field(*body, "current_password").value_or("");
  std::string next = string_field(*body, "new_password").value_or("");
  // A guess at the current password is a login attempt: a stolen session must not test passwords faster than
  // the login form allows.
  Result<LoginResult> check =
      app.accounts->login(context.user().name, current, context.client.address, app.login_limits());
  if (!check) return error_from(check.error());
  if (check->outcome == LoginOutcome::kThrottled) return throttled(app);
  if (check->outcome != LoginOutcome::kOk) {
    return error_response(422, "invalid", "the current password is wrong", "current_password");
  }
  if (auto problem = check_password_rules(next)) return error_response(422, "invalid", *problem, "new_password");
  if (Status status = app.accounts->set_password(context.user().id, next); !status) {
    return error_from(status.error());
  }
  // Every session ended with the old password; this browser gets a new one.
  return start_session(app, context.user(), json_response(200, {{"changed", true}}));
}

Response list_tokens(App& app, Context& context) {
  Result<std::vector<ApiToken>> tokens = app.accounts->list_api_tokens(context.user().id);
  if (!tokens) return error_from(tokens.error());
  nlohmann::json list = nlohmann::json::array();
  for (const ApiToken& token : *tokens) {
    list.push_back(
        {{"id", token.id},
         {"name", token.name},
         {"read_only", token.scope != TokenScope::kFull},
         {"scope", to_string(token.scope)},
         {"created_at", token.created_at},
         {"last_used_at", token.last_used_at ? nlohmann::json(*token.last_used_at) : nlohmann::json(nullptr)}});
  }
  return json_response(200, {{"tokens", list}});
}

Response create_token(App& app, Context& context) {
  Result<nlohmann::json> body = parse_body(context.request);
  if (!body) return bad_body(body.error());
  TokenScope scope = bool_field(*body, "read_only").value_or(false) ? TokenScope::kReadOnly : TokenScope::kFull;
  if (std::optional<std::string> named = string_field(*body, "scope")) {
    std::optional<TokenScope> parsed = parse_token_scope(*named);
    if (!parsed) {
      return error_response(422, "invalid", "scope must be \"full\", \"read_only\" or \"metrics\"", "scope");
    }
    scope = *parsed;
  }
  auto created = app.accounts->create_api_token(context.user(), string_field(*body, "name").value_or(""), scope);
  if (!created) return error_from(created.error(), "name");
  return json_response(201, {{"id", created->first.id},
                             {"name", created->first.name},
                             {"read_only", created->first.scope != TokenScope::kFull},
                             {"scope", to_string(created->first.scope)},
                             {"token", created->second}});
}

Response revoke_token(App& app, Context& context, const TokenId& token) {
  if (Status status = app.accounts->revoke_api_token(context.user().id, token.value); !status) {
    return error_from(status.error());
  }
  return json_response(200, {{"revoked", token.value}});
}

Response list_users(App& app, Context&) {
  Result<std::vector<User>> users = app.accounts->list_users();
  if (!users) return error_from(users.error());
  nlohmann::json list = nlohmann::json::array();
  for (const User& user : *users) list.push_back(user_json(user, app.config.user_limits));
  return json_response(200, {{"users", list}});
}

Response create_user(App& app, Context& context) {
  Result<nlohmann::json> body = parse_body(context.request);
  if (!body) return bad_body(body.error());
  std::string name = string_field(*body, "name").value_or("");
  std::string password = string_field(*body, "password").value_or("");
  if (auto problem = check_user_name(name)) return error_response(422, "invalid", *problem, "name");
  if (auto problem = check_password_rules(password)) return error_response(422, "invalid", *problem, "password");
  Result<User> user = app.accounts->create_user(
      name, password, bool_field(*body, "admin").value_or(false) ? Role::kAdmin : Role::kUser);
  if (!user) return error_from(user.error(), "name");
  return json_response(201, {{"user", user_json(*user, app.config.user_limits)}});
}

Response update_user(App& app, Context& context, const UserId& user_id) {
  std::int64_t id = user_id.value;
  Result<nlohmann::json> body = parse_body(context.request);
  if (!body) return bad_body(body.error());
  std::vector<LimitChange> limits;
  for (Owned what : {Owned::kServers, Owned::kBlueprints}) {
    Result<std::optional<LimitChange>> change = read_limit_change(*body, what);
    if (!change) return error_from(change.error(), limit_column(what));
    if (*change) limits.push_back(**change);
  }
  for (const LimitChange& change : limits) {
    if (Status status = app.accounts->set_limit(id, change.what, change.limit); !status) {
      return error_from(status.error(), limit_column(change.what));
    }
  }
  if (auto quota = body->find("overlay_quota_bytes"); quota != body->end()) {
    if (!quota->is_null() && !quota->is_number_integer()) {
      return error_response(422, "invalid", "overlay_quota_bytes: a whole number of bytes, or null for the default",
                            "overlay_quota_bytes");
    }
    std::optional<std::int64_t> bytes;
    if (!quota->is_null()) bytes = quota->get<std::int64_t>();
    if (Status status = set_overlay_quota(*app.database, id, bytes); !status) {
      return error_from(status.error(), "overlay_quota_bytes");
    }
  }
  if (auto admin = bool_field(*body, "admin")) {
    if (Status status = app.accounts->set_role(id, *admin ? Role::kAdmin : Role::kUser, context.user().id); !status) {
      return error_from(status.error(), "admin");
    }
  }
  if (auto disabled = bool_field(*body, "disabled")) {
    if (id == context.user().id && *disabled) {
      return error_response(422, "invalid", "you cannot disable yourself", "disabled");
    }
    if (Status status = app.accounts->set_disabled(id, *disabled); !status) {
      return error_from(status.error(), "disabled");
    }
  }
  if (auto password = string_field(*body, "password")) {
    if (auto problem = check_password_rules(*password)) return error_response(422, "invalid", *problem, "password");
    if (Status status = app.accounts->set_password(id, *password); !status) return error_from(status.error());
  }
  return user_answer(app, id);
}

Response reset_two_factor(App& app, Context& context, const UserId& user) {
  Result<std::optional<User>> target = app.accounts->find_user(user.value);
  if (!target) return error_from(target.error());
  if (!*target) return error_response(404, "not_found", "user not found");
  if (!(*target)->two_factor) {
    return error_response(409, "conflict", fmt::format("user '{}' has no two-factor sign-in", (*target)->name));
  }
  if (Status status = app.two_factor->turn_off(user.value); !status) return error_from(status.error());
  if (Status status = app.audit->record({context.user().id, context.user().name}, audit::kTwoFactorReset,
                                        "user " + (*target)->name);
      !status) {
    return error_from(status.error());
  }
  return json_response(200, {{"two_factor_reset", user.value}});
}

Response get_user(App& app, Context&, const UserId& user) {
  Result<UserRemoval> owned = plan_user_removal(app, user.value);
  if (!owned) return error_from(owned.error());
  nlohmann::json servers = nlohmann::json::array();
  for (const Server& server : owned->servers) servers.push_back({{"id", server.id}, {"name", server.name}});
  nlohmann::json blueprints = nlohmann::json::array();
  for (const Blueprint& blueprint : owned->blueprints) {
    blueprints.push_back({{"id", blueprint.id}, {"name", blueprint.name}});
  }
  Result<nlohmann::json> answer = user_with_quota(app, owned->user);
  if (!answer) return error_from(answer.error());
  return json_response(200, {{"user", *answer}, {"servers", servers}, {"blueprints", blueprints}});
}

Response delete_user(App& app, Context& context, const UserId& user) {
  Result<RemovalStarted> started = remove_user(app, user.value, context.user().id);
  if (!started) return error_from(started.error());
  if (started->removed) return json_response(200, {{"deleted", user.value}});
  nlohmann::json jobs = nlohmann::json::array();
  for (const Job& job : started->jobs) jobs.push_back(job_json(job));
  // Accepted: the user goes once the delete jobs removed their servers.
  return json_response(202, {{"deleting", user.value}, {"jobs", jobs}});
}

}  // namespace left4me::web::api
