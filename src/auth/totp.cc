#include "auth/totp.h"

#include <liboath/oath.h>
#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <mutex>

namespace left4me::auth {
namespace {

void init_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (oath_init() != OATH_OK || sodium_init() < 0) std::abort();
  });
}

// Percent-encodes everything but RFC 3986's unreserved characters.
std::string uri_escape(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string new_totp_secret() {
  init_once();
  std::string secret(20, '\0');
  randombytes_buf(secret.data(), secret.size());
  return secret;
}

std::string totp_secret_base32(std::string_view secret) {
  init_once();
  char* encoded = nullptr;
  std::size_t length = 0;
  if (oath_base32_encode(secret.data(), secret.size(), &encoded, &length) != OATH_OK) std::abort();
  std::string text(encoded, length);
  std::free(encoded);
  text.erase(std::find(text.begin(), text.end(), '='), text.end());
  return text;
}

Result<std::string> totp_secret_from_base32(std::string_view text) {
  init_once();
  std::string cleaned;
  for (char c : text) {
    if (c == ' ' || c == '-') continue;  // as apps show it, in groups
    cleaned += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  char* decoded = nullptr;
  std::size_t length = 0;
  if (cleaned.empty() || oath_base32_decode(cleaned.data(), cleaned.size(), &decoded, &length) != OATH_OK) {
    return Error::invalid("the secret is not base32 text");
  }
  std::string secret(decoded, length);
  std::free(decoded);
  if (secret.size() < 16 || secret.size() > 64) {
    return Error::invalid("the secret has " + std::to_string(secret.size()) + " bytes, not 16..64");
  }
  return secret;
}

std::string otpauth_uri(std::string_view secret, std::string_view issuer, std::string_view account) {
  return "otpauth://totp/" + uri_escape(issuer) + ":" + uri_escape(account) + "?secret=" + totp_secret_base32(secret) +
         "&issuer=" + uri_escape(issuer) + "&algorithm=SHA1&digits=" + std::to_string(kTotpDigits) +
         "&period=" + std::to_string(kTotpStepSeconds);
}

std::string totp_code(std::string_view secret, std::time_t now, unsigned digits) {
  init_once();
  char code[16] = {};
  if (oath_totp_generate(secret.data(), secret.size(), now, kTotpStepSeconds, OATH_TOTP_DEFAULT_START_TIME, digits,
                         code) != OATH_OK) {
    std::abort();  // only for digits other than 6..8, a programming error
  }
  return code;
}

Result<std::uint64_t> verify_totp(std::string_view secret, std::string_view code, std::time_t now,
                                  std::optional<std::uint64_t> last_used_step) {
  init_once();
  bool digits =
      code.size() == kTotpDigits && std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits) return Error::invalid("the code is " + std::to_string(kTotpDigits) + " digits");
  std::string otp(code);
  int position = 0;
  std::uint64_t step = 0;
  int result = oath_totp_validate3(secret.data(), secret.size(), now, kTotpStepSeconds, OATH_TOTP_DEFAULT_START_TIME,
                                   kTotpWindow, &position, &step, otp.c_str());
  if (result < 0) return Error(ErrorCode::kPermissionDenied, "the code is wrong or has expired");
  if (last_used_step && step <= *last_used_step) {
    return Error(ErrorCode::kPermissionDenied, "the code was already used; wait for the next one");
  }
  return step;
}

}  // namespace left4me::auth
