#include "auth/recovery_codes.h"

#include <sodium.h>

#include <cctype>
#include <cstdlib>

namespace left4me::auth {
namespace {

// Crockford-like: no 0/o, 1/l/i, u.
constexpr std::string_view kAlphabet = "23456789abcdefghjkmnpqrstvwxyz";  // 30 letters
constexpr int kGroups = 3;
constexpr int kGroupLength = 4;

std::string normalized(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (c == '-' || c == ' ') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

std::vector<std::string> new_recovery_codes() {
  if (sodium_init() < 0) std::abort();
  std::vector<std::string> codes;
  for (int i = 0; i < kRecoveryCodeCount; ++i) {
    std::string code;
    for (int group = 0; group < kGroups; ++group) {
      if (group > 0) code += '-';
      for (int j = 0; j < kGroupLength; ++j) {
        code += kAlphabet[randombytes_uniform(static_cast<std::uint32_t>(kAlphabet.size()))];
      }
    }
    codes.push_back(code);
  }
  return codes;
}

std::string hash_recovery_code(std::string_view code) {
  if (sodium_init() < 0) std::abort();
  std::string text = normalized(code);
  unsigned char hash[32];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(text.data()), text.size(), nullptr, 0);
  char hex[sizeof hash * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
  return hex;
}

int find_recovery_code(std::string_view code, const std::vector<std::string>& stored_hashes) {
  std::string hash = hash_recovery_code(code);
  int found = -1;
  for (std::size_t i = 0; i < stored_hashes.size(); ++i) {
    const std::string& stored = stored_hashes[i];
    if (stored.size() == hash.size() && sodium_memcmp(stored.data(), hash.data(), hash.size()) == 0) {
      found = static_cast<int>(i);
    }
  }
  return found;
}

}  // namespace left4me::auth
