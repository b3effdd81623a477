// Sessions as browsers hold them: the session cookie a login sets and a logout clears, and the pre-login CSRF
// cookie (double submit). Shared by the API and the pages; thread-safe as App is.
#pragma once

#include <string>
#include <string_view>

#include "web/app.h"

namespace left4me::web {

inline constexpr std::string_view kSessionCookie = "l4d2_session";
inline constexpr std::string_view kLoginCsrfCookie = "l4d2_csrf";

// Starts a session for user: adds its cookie to response (a JSON body with the user and the CSRF token when
// response is an empty 200).
Response start_session(App& app, const User& user, Response response);
// Adds the cookie that ends the browser's session (the session itself is ended by the caller).
Response clear_session_cookie(Response response);
// A fresh pre-login CSRF token, and the cookie that carries it added to response.
std::string add_login_csrf_cookie(Response& response);

}  // namespace left4me::web
