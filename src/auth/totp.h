// Time-based one-time passwords for two-factor sign-in (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits,
// what every authenticator app reads from an otpauth:// QR code), computed and checked by liboath.
// Thread-safe (liboath's TOTP functions keep no state; oath_init runs once).
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace left4me::auth {

inline constexpr unsigned kTotpStepSeconds = 30;
inline constexpr unsigned kTotpDigits = 6;
// Codes of one step before and after the current one are accepted (clocks drift, people type slowly).
inline constexpr std::size_t kTotpWindow = 1;

// A new secret: 20 random bytes (160 bits, RFC 4226's recommendation), raw.
std::string new_totp_secret();
// The secret as people type it into an app (RFC 4648 base32, no padding), and back. A text that is not
// base32 of 16..64 bytes is an invalid-argument error.
std::string totp_secret_base32(std::string_view secret);
Result<std::string> totp_secret_from_base32(std::string_view text);

// The otpauth:// URI authenticator apps read from a QR code, labelled "issuer:account".
std::string otpauth_uri(std::string_view secret, std::string_view issuer, std::string_view account);

// The code for the step that contains `now`, with `digits` digits (6 or 8).
std::string totp_code(std::string_view secret, std::time_t now, unsigned digits = kTotpDigits);

// Checks a code typed at `now`. Returns the time step it belongs to, which the caller stores: a code of
// that step or an earlier one is refused afterwards (a code works once), via `last_used_step`.
// Errors: kInvalidArgument for a code that is not 6 digits, kPermissionDenied for a wrong, expired or
// reused code.
Result<std::uint64_t> verify_totp(std::string_view secret, std::string_view code, std::time_t now,
                                  std::optional<std::uint64_t> last_used_step);

}  // namespace left4me::auth
