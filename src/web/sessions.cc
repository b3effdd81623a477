#include "web/sessions.h"

#include <fmt/format.h>

#include <ctime>

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

Response add_pending_login_cookie(Response response, std::string_view token) {
  response.header("Set-Cookie", fmt::format("{}={}; Path=/login; Max-Age={}; HttpOnly; SameSite=Strict",
                                            kPendingLoginCookie, token, kPendingLoginLifetime.count()));
  return response;
}

Response clear_pending_login_cookie(Response response) {
  response.header("Set-Cookie",
                  fmt::format("{}=; Path=/login; Max-Age=0; HttpOnly; SameSite=Strict", kPendingLoginCookie));
  return response;
}

Result<SecondStepResult> finish_login(App& app, const std::string& pending_token, const std::string& code,
                                      const std::string& client_address) {
  Result<std::optional<std::int64_t>> user_id = app.two_factor->find_pending_login(pending_token);
  if (!user_id) return user_id.error();
  if (!*user_id) return SecondStepResult{SecondStepOutcome::kExpired, std::nullopt};
  Result<std::optional<User>> user = app.accounts->find_user(**user_id);
  if (!user) return user.error();
  if (!*user) return SecondStepResult{SecondStepOutcome::kExpired, std::nullopt};
  Result<std::optional<ThrottleReservation>> attempt =
      app.accounts->reserve_attempt((*user)->name, client_address, app.login_limits());
  if (!attempt) return attempt.error();
  if (!*attempt) return SecondStepResult{SecondStepOutcome::kThrottled, std::nullopt};
  Result<SecondFactor> factor = app.two_factor->verify((*user)->id, code, std::time(nullptr));
  if (!factor) {
    ErrorCode error = factor.error().code();
    // A refused code keeps its reservation: that row is the recorded failure.
    if (error == ErrorCode::kPermissionDenied || error == ErrorCode::kInvalidArgument) {
      return SecondStepResult{SecondStepOutcome::kBadCode, std::nullopt};
    }
    if (error == ErrorCode::kNotFound) return SecondStepResult{SecondStepOutcome::kExpired, std::nullopt};
    return factor.error();
  }
  if (Status status = app.accounts->release_attempt(**attempt); !status) return status.error();
  if (Status status = app.two_factor->end_pending_login(pending_token); !status) return status.error();
  if (*factor == SecondFactor::kRecoveryCode) {
    Result<TwoFactorState> state = app.two_factor->state((*user)->id);
    std::string left = state ? fmt::format("{} left", state->recovery_codes_left) : "";
    if (Status status =
            app.audit->record({(*user)->id, (*user)->name}, audit::kRecoveryCodeUsed, "user " + (*user)->name, left);
        !status) {
      return status.error();
    }
  }
  return SecondStepResult{SecondStepOutcome::kOk, *user};
}

std::string add_login_csrf_cookie(Response& response) {
  std::string token = random_token();
  response.header("Set-Cookie", fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict", kLoginCsrfCookie, token));
  return token;
}

}  // namespace left4me::web
