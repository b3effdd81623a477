// One-time recovery codes for two-factor sign-in: shown once when two-factor is set up, stored only as
// hashes, each accepted once in place of a TOTP code. Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace left4me::auth {

inline constexpr int kRecoveryCodeCount = 10;

// kRecoveryCodeCount new codes like "k3m9-x2qa-7hdz" (12 characters of a 30-letter alphabet without
// look-alikes: 58 random bits each, so a plain hash is enough to store them; no salt or slow hash needed).
std::vector<std::string> new_recovery_codes();
// What is stored for a code: the hex BLAKE2b-256 of the code normalized (case, dashes and blanks ignored,
// so "K3M9 X2QA 7HDZ" matches).
std::string hash_recovery_code(std::string_view code);
// The index in `stored_hashes` of the hash the code matches (compared in constant time), or -1.
int find_recovery_code(std::string_view code, const std::vector<std::string>& stored_hashes);

}  // namespace left4me::auth
