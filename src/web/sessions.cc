#include "web/sessions.h"

#include <fmt/format.h>

#include "web/api_objects.h"
#include "web/crypto.h"
#include "web/responses.h"

namespace left4me::web {
namespace {

// Without Secure: App::handle adds it to every cookie when the request came over HTTPS.
std::string session_cookie(std::string_view value, std::int64_t max_age) {
  return fmt::format("{}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax", kSessionCookie, value, max_age);
}

}  // namespace

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

Response clear_session_cookie(Response response) {
  response.header("Set-Cookie", session_cookie("", 0));
  return response;
}

std::string add_login_csrf_cookie(Response& response) {
  std::string token = random_token();
  response.header("Set-Cookie", fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict", kLoginCsrfCookie, token));
  return token;
}

}  // namespace left4me::web
