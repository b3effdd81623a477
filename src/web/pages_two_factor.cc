// The account's two-factor sign-in pages: setting it up (a pending secret kept sealed in the database, shown as a
// QR code drawn here and as text, confirmed by a first code), the recovery codes shown once, turning it off
// (password and code) and new recovery codes. Every change goes to the audit log.
#include <fmt/format.h>

#include "auth/qr_svg.h"
#include "auth/totp.h"
#include "web/crypto.h"
#include "web/handlers.h"
#include "web/pages.h"
#include "web/responses.h"
#include "web/sessions.h"

namespace left4me::web::page {
namespace {

constexpr std::string_view kIssuer = "left4me";

// The page's view of a pending set-up: the QR code (an SVG image as a data: URI, which the CSP allows for images)
// and the secret as text, for an app that cannot scan.
Result<nlohmann::json> setup_view(const User& user, const std::string& secret) {
  std::string uri = auth::otpauth_uri(secret, kIssuer, user.name);
  Result<std::string> svg = auth::qr_svg(uri, "QR code for your authenticator app");
  if (!svg) return svg.error();
  std::string text = auth::totp_secret_base32(secret);
  // In groups of four, as apps show it; apps ignore the blanks.
  std::string grouped;
  for (std::size_t at = 0; at < text.size(); at += 4) grouped += (at == 0 ? "" : " ") + text.substr(at, 4);
  return nlohmann::json{{"qr", "data:image/svg+xml;base64," + to_base64(*svg)}, {"secret", grouped}, {"uri", uri}};
}

Response two_factor_page(App& app, Context& context, int status, nlohmann::json extra) {
  nlohmann::json view = base_view(context, "Two-factor sign-in", "account");
  for (auto it = extra.begin(); it != extra.end(); ++it) view[it.key()] = it.value();
  Result<TwoFactorState> state = app.two_factor->state(context.user().id);
  if (!state) return error_from(state.error());
  view["enabled"] = state->enabled;
  view["recovery_codes_left"] = state->recovery_codes_left;
  if (!state->enabled && state->pending_secret) {
    Result<nlohmann::json> setup = setup_view(context.user(), *state->pending_secret);
    if (!setup) return error_from(setup.error());
    view["setup"] = std::move(*setup);
  }
  return html_page(status, "two_factor", view);
}

Status record(App& app, const Context& context, std::string_view action, std::string_view detail = "") {
  return app.audit->record({context.user().id, context.user().name}, action, "user " + context.user().name, detail);
}

// A code typed by the signed-in user to change their two-factor sign-in, counted on the login throttle like a
// second step: a stolen session must not test codes faster than the login form allows.
Result<SecondStepOutcome> check_own_code(App& app, Context& context, const std::string& code) {
  Result<std::optional<ThrottleReservation>> attempt =
      app.accounts->reserve_attempt(context.user().name, context.client.address, app.login_limits());
  if (!attempt) return attempt.error();
  if (!*attempt) return SecondStepOutcome::kThrottled;
  Result<SecondFactor> factor = app.two_factor->verify(context.user().id, code, std::time(nullptr));
  if (!factor) {
    ErrorCode error = factor.error().code();
    if (error == ErrorCode::kPermissionDenied || error == ErrorCode::kInvalidArgument) {
      return SecondStepOutcome::kBadCode;
    }
    return factor.error();
  }
  if (Status status = app.accounts->release_attempt(**attempt); !status) return status.error();
  return SecondStepOutcome::kOk;
}

// The message for a refused code on a form of this page (nullopt: it was right).
std::optional<std::string> code_problem(SecondStepOutcome outcome) {
  switch (outcome) {
    case SecondStepOutcome::kOk:
      return std::nullopt;
    case SecondStepOutcome::kThrottled:
      return "Too many wrong codes or passwords. Wait a few minutes and try again.";
    default:
      return "This code is wrong, expired or already used. Type the code your app shows now.";
  }
}

}  // namespace

Response two_factor(App& app, Context& context) { return two_factor_page(app, context, 200, nlohmann::json::object()); }

Response begin_two_factor(App& app, Context& context) {
  Result<std::string> secret = app.two_factor->begin_setup(context.user().id);
  if (!secret) {
    if (secret.error().code() != ErrorCode::kAlreadyExists) return error_from(secret.error());
    return two_factor_page(app, context, 409, {{"error", "Two-factor sign-in is on already."}});
  }
  return redirect(std::string(kTwoFactorPagePath));
}

Response confirm_two_factor(App& app, Context& context) {
  Form form(context.request);
  Result<std::vector<std::string>> codes =
      app.two_factor->confirm_setup(context.user().id, form.get("code"), std::time(nullptr));
  if (!codes) {
    switch (codes.error().code()) {
      case ErrorCode::kNotFound:
        return two_factor_page(app, context, 409, {{"error", "No set-up is waiting. Begin it again."}});
      case ErrorCode::kInvalidArgument:
        return two_factor_page(app, context, 422, {{"code_error", "Type the 6 digits your app shows."}});
      case ErrorCode::kPermissionDenied:
        return two_factor_page(
            app, context, 422,
            {{"code_error",
              "This code does not match. Check the phone's clock and type the code your app shows now."}});
      default:
        return error_from(codes.error());
    }
  }
  if (Status status = record(app, context, audit::kTwoFactorEnabled); !status) return error_from(status.error());
  return two_factor_page(app, context, 200,
                         {{"recovery_codes", *codes}, {"has_recovery_codes", true}, {"just_enabled", true}});
}

Response turn_off_two_factor(App& app, Context& context) {
  Form form(context.request);
  // The password first, throttled like a login.
  Result<LoginResult> check =
      app.accounts->login(context.user().name, form.get("password"), context.client.address, app.login_limits());
  if (!check) return error_from(check.error());
  if (check->outcome == LoginOutcome::kThrottled) {
    return two_factor_page(app, context, 429,
                           {{"off_password_error", "Too many wrong passwords. Wait a few minutes and try again."}});
  }
  if (check->outcome != LoginOutcome::kOk) {
    return two_factor_page(app, context, 422, {{"off_password_error", "This is not your password."}});
  }
  Result<SecondStepOutcome> code = check_own_code(app, context, form.get("code"));
  if (!code) {
    if (code.error().code() != ErrorCode::kNotFound) return error_from(code.error());
    return two_factor_page(app, context, 409, {{"error", "Two-factor sign-in is off already."}});
  }
  if (auto problem = code_problem(*code)) {
    return two_factor_page(app, context, *code == SecondStepOutcome::kThrottled ? 429 : 422,
                           {{"off_code_error", *problem}});
  }
  if (Status status = app.two_factor->turn_off(context.user().id); !status) return error_from(status.error());
  if (Status status = record(app, context, audit::kTwoFactorDisabled); !status) return error_from(status.error());
  return redirect(fmt::format("{}?notice=two_factor_off", kTwoFactorPagePath));
}

Response regenerate_recovery_codes(App& app, Context& context) {
  Form form(context.request);
  Result<SecondStepOutcome> code = check_own_code(app, context, form.get("code"));
  if (!code) {
    if (code.error().code() != ErrorCode::kNotFound) return error_from(code.error());
    return two_factor_page(app, context, 409, {{"error", "Two-factor sign-in is off: there are no recovery codes."}});
  }
  if (auto problem = code_problem(*code)) {
    return two_factor_page(app, context, *code == SecondStepOutcome::kThrottled ? 429 : 422,
                           {{"renew_code_error", *problem}});
  }
  Result<std::vector<std::string>> codes = app.two_factor->regenerate_recovery_codes(context.user().id);
  if (!codes) return error_from(codes.error());
  if (Status status = record(app, context, audit::kRecoveryCodesRegenerated); !status) {
    return error_from(status.error());
  }
  return two_factor_page(app, context, 200, {{"recovery_codes", *codes}, {"has_recovery_codes", true}});
}

}  // namespace left4me::web::page
