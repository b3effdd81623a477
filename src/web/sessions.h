// Sessions as browsers hold them: the session cookie a login sets and a logout clears, and the pre-login CSRF
// cookie (double submit). Shared by the API and the pages; thread-safe as App is.
#pragma once

#include <string>
#include <string_view>

#include "web/app.h"

namespace left4me::web {

inline constexpr std::string_view kSessionCookie = "l4d2_session";
inline constexpr std::string_view kLoginCsrfCookie = "l4d2_csrf";
// The page sign-in waiting for its second step (a pending login's token; the API sends it in the body instead).
inline constexpr std::string_view kPendingLoginCookie = "l4d2_pending_login";
// Where a user sets up two-factor sign-in (and where an administrator who must is sent).
inline constexpr std::string_view kTwoFactorPagePath = "/account/two-factor";

// Starts a session for user: adds its cookie to response (a JSON body with the user and the CSRF token when
// response is an empty 200).
Response start_session(App& app, const User& user, Response response);
// Adds the cookie that ends the browser's session (the session itself is ended by the caller).
Response clear_session_cookie(Response response);
// The cookie of a page sign-in waiting for its second step; and the one that forgets it.
Response add_pending_login_cookie(Response response, std::string_view token);
Response clear_pending_login_cookie(Response response);

enum class SecondStepOutcome { kOk, kBadCode, kThrottled, kExpired };
struct SecondStepResult {
  SecondStepOutcome outcome = SecondStepOutcome::kExpired;
  std::optional<User> user;  // kOk: who signed in
};
// The second step of a sign-in with two-factor: the pending login's user (kExpired when the token is unknown or
// expired), the attempt counted on the login throttle of that user's name and client_address like a password
// (kThrottled once a limit is reached), then the code, a TOTP code or a recovery code (kBadCode; the pending login
// stays for another try until it expires). kOk ends the pending login; a recovery code used goes to the audit log.
Result<SecondStepResult> finish_login(App& app, const std::string& pending_token, const std::string& code,
                                      const std::string& client_address);

// A fresh pre-login CSRF token, and the cookie that carries it added to response.
std::string add_login_csrf_cookie(Response& response);

}  // namespace left4me::web
