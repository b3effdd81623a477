// Secrets: random tokens, keyed token hashes and Argon2id password hashes (libsodium).
// Thread-safe (libsodium is initialized once).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace left4me::web {

// 32 random bytes as 43 URL-safe base64 characters.
std::string random_token();
// A keyed BLAKE2b hash of a token (hex), what the database stores instead of the token.
std::string hash_token(std::string_view secret_key, std::string_view token);
// Argon2id (libsodium's interactive limits, or the minimum in LEFT4ME_FAST_PASSWORD_HASH test runs).
Result<std::string> hash_password(std::string_view password);
// True if password matches the stored hash.
bool verify_password(const std::string& stored_hash, std::string_view password);
// How many Argon2 runs (hash_password and verify_password calls) this process has made: the slow, memory-hungry
// step that must not be reachable before a cheap check (a setup token, the login throttle) has passed.
std::uint64_t password_hash_runs();
// bytes as standard base64 (RFC 4648, padded): a data: URI's payload.
std::string to_base64(std::string_view bytes);
bool constant_time_equal(std::string_view a, std::string_view b);
// A server's own RCON password: 24 characters [A-Za-z0-9] derived from the secret key and the server's id (keyed
// BLAKE2b), so the panel can show it again without storing it. A new secret key gives every server a new one.
std::string derive_rcon_password(std::string_view secret_key, std::int64_t server_id);
// A secret the panel must read back (a TOTP secret), sealed for the database: XSalsa20-Poly1305 (libsodium's
// secretbox) under a key derived from the secret key, with a random nonce, as base64. unseal fails
// kPermissionDenied for text sealed under another secret key or changed since.
std::string seal(std::string_view secret_key, std::string_view plaintext);
Result<std::string> unseal(std::string_view secret_key, std::string_view sealed);

}  // namespace left4me::web
