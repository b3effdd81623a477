// Minimal server-rendered pages: login, logout, the one-time setup form and a plain dashboard. The pages
// issue replaces their look; the routes and form fields stay. Every value is HTML-escaped.
#include <fmt/format.h>

#include "web/app.h"
#include "web/responses.h"

namespace left4me::web {
namespace {

Response html(int status, std::string_view title, const std::string& body) {
  Response response;
  response.status = status;
  response.header("Content-Type", "text/html; charset=utf-8");
  response.body = fmt::format(
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{} - left4me</title></head>"
      "<body><main>\n{}\n</main></body></html>\n",
      html_escape(title), body);
  return response;
}

Response login_page(App& app, int status, const std::string& message, const std::string& next) {
  std::string token;
  std::string body = "<h1>Log in</h1>";
  if (!message.empty()) body += "<p role=\"alert\">" + html_escape(message) + "</p>";
  Response response;
  response = login_csrf_cookie(app, response, &token);
  body += fmt::format(
      "<form method=\"post\" action=\"/login\">"
      "<input type=\"hidden\" name=\"csrf_token\" value=\"{}\"><input type=\"hidden\" name=\"next\" value=\"{}\">"
      "<label>User name <input name=\"name\" autocomplete=\"username\" required></label>"
      "<label>Password <input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>"
      "<button type=\"submit\">Log in</button></form>",
      html_escape(token), html_escape(next));
  Response page = html(status, "Log in", body);
  for (auto& header : response.headers) page.headers.push_back(header);
  return page;
}

// Only local paths: never redirect to another site after login.
std::string safe_next(const std::string& next) {
  if (next.empty() || next[0] != '/' || (next.size() > 1 && (next[1] == '/' || next[1] == '\\'))) return "/";
  return next;
}

Response setup_page(App& app, const std::string& setup_token, const std::string& message) {
  std::string token;
  Response cookie = login_csrf_cookie(app, Response{}, &token);
  std::string body = "<h1>Create the first administrator</h1>";
  if (!message.empty()) body += "<p role=\"alert\">" + html_escape(message) + "</p>";
  body += fmt::format(
      "<form method=\"post\" action=\"/setup\">"
      "<input type=\"hidden\" name=\"csrf_token\" value=\"{}\"><input type=\"hidden\" name=\"token\" value=\"{}\">"
      "<label>User name <input name=\"name\" autocomplete=\"username\" required></label>"
      "<label>Password (at least 8 characters) <input name=\"password\" type=\"password\" "
      "autocomplete=\"new-password\" required minlength=\"8\"></label>"
      "<button type=\"submit\">Create administrator</button></form>",
      html_escape(token), html_escape(setup_token));
  Response page = html(200, "Set up", body);
  for (auto& header : cookie.headers) page.headers.push_back(header);
  return page;
}

}  // namespace

void register_basic_pages(App& app) {
  app.add_route({"GET", "/login", Access::kPublic, [&app](Context& context) {
                   return login_page(app, 200, "", safe_next(context.request.query_param("next").value_or("/")));
                 }});

  app.add_route({"POST", "/login", Access::kPublic, [&app](Context& context) {
                   std::optional<nlohmann::json> body = parse_body(context.request);
                   nlohmann::json form = body.value_or(nlohmann::json::object());
                   std::string next = safe_next(string_field(form, "next").value_or("/"));
                   ThrottleLimits limits{app.config.login_failures_per_account, app.config.login_failures_per_address,
                                         app.config.login_window};
                   Result<LoginResult> login = app.accounts->login(string_field(form, "name").value_or(""),
                                                                   string_field(form, "password").value_or(""),
                                                                   context.request.remote_address, limits);
                   if (!login) return error_from(login.error());
                   if (login->outcome == LoginOutcome::kThrottled) {
                     return login_page(app, 429, "Too many failed logins. Wait a few minutes and try again.", next);
                   }
                   if (login->outcome != LoginOutcome::kOk) {
                     return login_page(app, 401, "Wrong user name or password.", next);
                   }
                   return start_session(app, *login->user, redirect(next));
                 }});

  app.add_route({"POST", "/logout", Access::kUser, [&app](Context& context) {
                   if (!context.auth->via_token) (void)app.accounts->end_session(context.auth->session_token);
                   Response response = redirect("/login");
                   response.header("Set-Cookie", fmt::format("l4d2_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{}",
                                                             app.config.session_cookie_secure ? "; Secure" : ""));
                   return response;
                 }});

  app.add_route({"GET", "/setup", Access::kPublic, [&app](Context& context) {
                   std::string token = context.request.query_param("token").value_or("");
                   Result<bool> valid = app.accounts->setup_token_valid(token);
                   if (!valid) return error_from(valid.error());
                   if (!*valid) {
                     return html(404, "Set up",
                                 "<h1>This setup link is not valid</h1><p>It was used, it expired, or a user exists "
                                 "already. Restart the web app for a new link, or <a href=\"/login\">log in</a>.</p>");
                   }
                   return setup_page(app, token, "");
                 }});

  app.add_route({"POST", "/setup", Access::kPublic, [&app](Context& context) {
                   nlohmann::json form = parse_body(context.request).value_or(nlohmann::json::object());
                   std::string token = string_field(form, "token").value_or("");
                   Result<User> user = app.accounts->complete_setup(token, string_field(form, "name").value_or(""),
                                                                    string_field(form, "password").value_or(""));
                   if (!user) {
                     if (user.error().code() == ErrorCode::kInvalidArgument) {
                       return setup_page(app, token, user.error().message());
                     }
                     return html(403, "Set up", "<h1>" + html_escape(user.error().message()) + "</h1>");
                   }
                   return start_session(app, *user, redirect("/"));
                 }});

  app.add_route({"GET", "/", Access::kUser, [&app](Context& context) {
                   Result<std::vector<Server>> servers = app.servers->list(context.scope());
                   if (!servers) return error_from(servers.error());
                   Result<std::shared_ptr<const StatusMap>> statuses = app.status_cache->snapshot();
                   std::string rows;
                   for (const Server& server : *servers) {
                     std::string state = server.state;
                     std::string map = "";
                     std::string players = "";
                     if (statuses) {
                       auto it = (*statuses)->find(server.name);
                       if (it != (*statuses)->end()) {
                         const nlohmann::json& status = it->second;
                         if (status.contains("state") && status["state"].is_string()) state = status["state"];
                         if (status.contains("live") && status["live"].is_object()) {
                           const nlohmann::json& live = status["live"];
                           map = live.value("map", "");
                           players = fmt::format("{}/{}", live.value("players", 0), live.value("max_players", 0));
                         }
                       }
                     }
                     rows += fmt::format(
                         "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}{}</td></tr>\n",
                         html_escape(server.name), html_escape(state), html_escape(map), html_escape(players),
                         server.port, html_escape(server.blueprint_name),
                         server.outdated() ? " (runs an older version)" : "");
                   }
                   return html(200, "Servers",
                               fmt::format("<h1>Servers</h1><p>Logged in as {}</p><table><thead><tr><th>Name</th>"
                                           "<th>State</th><th>Map</th><th>Players</th><th>Port</th><th>Blueprint</th>"
                                           "</tr></thead><tbody>\n{}</tbody></table>",
                                           html_escape(context.user().name), rows));
                 }});
}

}  // namespace left4me::web
