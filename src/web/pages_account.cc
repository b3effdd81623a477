// Pages for logging in and out, the one-time setup link, and the user's own account: password and API
// tokens. Form fields are the JSON API's (docs/api.md).
#include <fmt/format.h>

#include "web/handlers.h"
#include "web/pages.h"
#include "web/responses.h"
#include "web/sessions.h"

namespace left4me::web::page {
namespace {

// A form shown before login, with its CSRF token (double submit: the same value in a cookie).
Response pre_login_page(int status, std::string_view name, nlohmann::json view) {
  Response cookie;
  view["login_csrf"] = add_login_csrf_cookie(cookie);
  Response page = html_page(status, name, std::move(view));
  for (const auto& header : cookie.headers) page.headers.push_back(header);
  return page;
}

Response login_page(int status, const std::string& message, const std::string& next, const std::string& name) {
  nlohmann::json view = anonymous_view("Log in");
  view["next"] = next;
  view["name"] = name;
  if (!message.empty()) view["error"] = message;
  return pre_login_page(status, "login", std::move(view));
}

Response login_code_page(int status, const std::string& message, const std::string& next) {
  nlohmann::json view = anonymous_view("Log in: code");
  view["next"] = next;
  if (!message.empty()) view["error"] = message;
  return pre_login_page(status, "login_code", std::move(view));
}

Response setup_page(int status, const std::string& setup_token, const std::string& message, const std::string& name) {
  nlohmann::json view = anonymous_view("Set up");
  view["token"] = setup_token;
  view["name"] = name;
  if (!message.empty()) view["error"] = message;
  return pre_login_page(status, "setup", std::move(view));
}

Response invalid_setup_link(const Request& request) {
  return error_page(request, 403, "This setup link is not valid",
                    "It was used already or it expired. Restart the web app for a new link, or log in.");
}

Response account_page(App& app, Context& context, int status, nlohmann::json extra) {
  nlohmann::json view = base_view(context, "Account", "account");
  for (auto it = extra.begin(); it != extra.end(); ++it) view[it.key()] = it.value();
  Result<std::vector<ApiToken>> tokens = app.accounts->list_api_tokens(context.user().id);
  if (!tokens) return error_from(tokens.error());
  nlohmann::json list = nlohmann::json::array();
  for (const ApiToken& token : *tokens) {
    list.push_back({{"id", token.id},
                    {"name", token.name},
                    {"read_only", token.scope == TokenScope::kReadOnly},
                    {"metrics", token.scope == TokenScope::kMetrics},
                    {"created", time_view(token.created_at)},
                    {"last_used", time_view(token.last_used_at.value_or(0))}});
  }
  view["tokens"] = list;
  view["has_tokens"] = !list.empty();
  view["is_admin"] = context.user().is_admin;  // offers a metrics token
  view["two_factor"] = context.user().two_factor;
  return html_page(status, "account", view);
}

}  // namespace

Response login_form(App&, Context& context) {
  std::string next = same_origin_path(context.request.query_param("next").value_or("/")).value_or("/");
  if (context.auth) return redirect(next);
  return login_page(200, "", next, "");
}

Response log_in(App& app, Context& context) {
  Form form(context.request);
  std::string next = same_origin_path(form.get("next")).value_or("/");
  std::string name = form.get("name");
  Result<LoginResult> login =
      app.accounts->login(name, form.get("password"), context.client.address, app.login_limits());
  if (!login) return error_from(login.error());
  if (login->outcome == LoginOutcome::kThrottled) {
    return login_page(429, "Too many failed logins. Wait a few minutes and try again.", next, name);
  }
  if (login->outcome != LoginOutcome::kOk) {
    return login_page(401, "Wrong user name or password (or the account is disabled). Check both and try again.", next,
                      name);
  }
  if (login->user->two_factor) {
    // The password was right; the session waits for the code, on the next page.
    Result<std::string> pending = app.two_factor->start_pending_login(login->user->id, kPendingLoginLifetime);
    if (!pending) return error_from(pending.error());
    return add_pending_login_cookie(redirect("/login/code?next=" + url_encode(next)), *pending);
  }
  return start_session(app, *login->user, redirect(next));
}

Response login_code_form(App&, Context& context) {
  std::string next = same_origin_path(context.request.query_param("next").value_or("/")).value_or("/");
  if (context.auth) return redirect(next);
  // No sign-in waits here (the cookie expired, or a bookmark): the password form, which posts to /login.
  if (!context.request.cookie(kPendingLoginCookie)) return login_page(200, "", next, "");
  return login_code_page(200, "", next);
}

Response log_in_code(App& app, Context& context) {
  Form form(context.request);
  std::string next = same_origin_path(form.get("next")).value_or("/");
  std::string token(context.request.cookie(kPendingLoginCookie).value_or(""));
  Result<SecondStepResult> step = finish_login(app, token, form.get("code"), context.client.address);
  if (!step) return error_from(step.error());
  switch (step->outcome) {
    case SecondStepOutcome::kOk:
      return start_session(app, *step->user, clear_pending_login_cookie(redirect(next)));
    case SecondStepOutcome::kThrottled:
      return login_code_page(429, "Too many failed logins. Wait a few minutes and try again.", next);
    case SecondStepOutcome::kExpired:
      return clear_pending_login_cookie(
          login_page(401, "The sign-in took too long or was already used. Log in again.", next, ""));
    case SecondStepOutcome::kBadCode:
      break;
  }
  return login_code_page(401, "This code is wrong, expired or already used. Type the code your app shows now.", next);
}

Response log_out(App& app, Context& context) {
  if (!context.auth->via_token) (void)app.accounts->end_session(context.auth->session_token);
  return clear_session_cookie(redirect("/login?notice=logged_out"));
}

Response setup_form(App& app, Context& context) {
  std::string token = context.request.query_param("token").value_or("");
  Result<SetupLink> link = app.accounts->check_setup_link(token);
  if (!link) return error_from(link.error());
  if (*link == SetupLink::kGone) return error_response(404, "not_found", "no such page");
  if (*link == SetupLink::kInvalid) {
    return error_page(context.request, 404, "This setup link is not valid",
                      "It was used already, it expired, or a user exists. Restart the web app for a new link, or "
                      "log in.");
  }
  return setup_page(200, token, "", "");
}

Response set_up(App& app, Context& context) {
  Form form(context.request);
  std::string token = form.get("token");
  // The token before anything else, so that nobody without the link reaches the hashing.
  Result<SetupLink> link = app.accounts->check_setup_link(token);
  if (!link) return error_from(link.error());
  if (*link == SetupLink::kGone) return error_response(404, "not_found", "no such page");
  if (*link == SetupLink::kInvalid) return invalid_setup_link(context.request);
  std::string name = form.get("name");
  std::string password = form.get("password");
  if (auto problem = check_user_name(name)) return setup_page(422, token, *problem, name);
  if (auto problem = check_password_rules(password)) return setup_page(422, token, *problem, name);
  Result<User> user = app.accounts->complete_setup(token, name, password);
  if (!user) {
    switch (user.error().code()) {
      case ErrorCode::kInvalidArgument:
        return setup_page(422, token, user.error().message(), name);
      case ErrorCode::kPermissionDenied:
        return invalid_setup_link(context.request);
      default:
        return error_from(user.error());
    }
  }
  return start_session(app, *user, redirect("/"));
}

Response account(App& app, Context& context) { return account_page(app, context, 200, nlohmann::json::object()); }

Response change_password(App& app, Context& context) {
  Form form(context.request);
  std::string next = form.get("new_password");
  // A guess at the current password is a login attempt, throttled like one.
  Result<LoginResult> check = app.accounts->login(context.user().name, form.get("current_password"),
                                                  context.client.address, app.login_limits());
  if (!check) return error_from(check.error());
  if (check->outcome == LoginOutcome::kThrottled) {
    return account_page(app, context, 429,
                        {{"current_password_error", "Too many wrong passwords. Wait a few minutes and try again."}});
  }
  if (check->outcome != LoginOutcome::kOk) {
    return account_page(app, context, 422, {{"current_password_error", "This is not your current password."}});
  }
  if (auto problem = check_password_rules(next)) {
    return account_page(app, context, 422, {{"new_password_error", *problem}});
  }
  if (next != form.get("confirm_password")) {
    return account_page(app, context, 422,
                        {{"confirm_password_error", "The two new passwords differ. Type it again."}});
  }
  if (Status status = app.accounts->set_password(context.user().id, next); !status) return error_from(status.error());
  // Every session ended with the old password; this browser gets a new one.
  return start_session(app, context.user(), redirect("/account?notice=password_changed"));
}

Response create_token(App& app, Context& context) {
  Form form(context.request);
  std::string name = form.get("name");
  TokenScope scope = form.get("scope") == "metrics" && context.user().is_admin ? TokenScope::kMetrics
                     : form.has("read_only")                                   ? TokenScope::kReadOnly
                                                                               : TokenScope::kFull;
  auto created = app.accounts->create_api_token(context.user(), name, scope);
  if (!created) {
    ErrorCode code = created.error().code();
    if (code != ErrorCode::kInvalidArgument && code != ErrorCode::kAlreadyExists) return error_from(created.error());
    return account_page(app, context, 422, {{"token_name_error", created.error().message()}, {"token_name", name}});
  }
  return account_page(app, context, 200, {{"new_token", {{"name", created->first.name}, {"value", created->second}}}});
}

Response revoke_token(App& app, Context& context, const TokenId& token) {
  if (Status status = app.accounts->revoke_api_token(context.user().id, token.value); !status) {
    return error_from(status.error());
  }
  return redirect("/account?notice=token_revoked");
}

}  // namespace left4me::web::page
