#include "web/crypto.h"

#include <sodium.h>

#include <atomic>
#include <cstdlib>
#include <mutex>

namespace left4me::web {
namespace {

void ensure_initialized() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) std::abort();  // no randomness source: nothing here can be safe
  });
}

std::atomic<std::uint64_t> hash_runs{0};

bool fast_hashing() {
  const char* value = std::getenv("LEFT4ME_FAST_PASSWORD_HASH");
  return value != nullptr && value[0] == '1';
}

}  // namespace

std::string random_token() {
  ensure_initialized();
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char text[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(text, sizeof text, bytes, sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return text;
}

std::string hash_token(std::string_view secret_key, std::string_view token) {
  ensure_initialized();
  unsigned char key[crypto_generichash_KEYBYTES];
  crypto_generichash(key, sizeof key, reinterpret_cast<const unsigned char*>(secret_key.data()), secret_key.size(),
                     nullptr, 0);
  unsigned char digest[32];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(token.data()), token.size(), key,
                     sizeof key);
  char hex[sizeof digest * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

std::string derive_rcon_password(std::string_view secret_key, std::int64_t server_id) {
  constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string key = hash_token(secret_key, "rcon-password");  // a key of its own, apart from the tokens' hashes
  std::string password;
  for (std::uint32_t round = 0; password.size() < 24; ++round) {
    std::string input = std::to_string(server_id) + "/" + std::to_string(round);
    unsigned char digest[64];
    crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(input.data()), input.size(),
                       reinterpret_cast<const unsigned char*>(key.data()), crypto_generichash_KEYBYTES);
    for (unsigned char byte : digest) {
      // 248 = 4 * 62: dropping the bytes above keeps every character equally likely.
      if (byte < 248 && password.size() < 24) password += kAlphabet[byte % kAlphabet.size()];
    }
  }
  return password;
}

namespace {

// The sealing key: apart from the tokens' hashes and the RCON passwords.
std::string sealing_key(std::string_view secret_key) {
  std::string key(crypto_secretbox_KEYBYTES, '\0');
  std::string context = hash_token(secret_key, "sealed-secrets");
  crypto_generichash(reinterpret_cast<unsigned char*>(key.data()), key.size(),
                     reinterpret_cast<const unsigned char*>(context.data()), context.size(), nullptr, 0);
  return key;
}

}  // namespace

std::string seal(std::string_view secret_key, std::string_view plaintext) {
  ensure_initialized();
  std::string key = sealing_key(secret_key);
  std::string box(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(), '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(box.data());
  randombytes_buf(bytes, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(bytes + crypto_secretbox_NONCEBYTES, reinterpret_cast<const unsigned char*>(plaintext.data()),
                        plaintext.size(), bytes, reinterpret_cast<const unsigned char*>(key.data()));
  return to_base64(box);
}

Result<std::string> unseal(std::string_view secret_key, std::string_view sealed) {
  ensure_initialized();
  std::string box(sealed.size(), '\0');
  size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(box.data()), box.size(), sealed.data(), sealed.size(), nullptr,
                        &length, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      length < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return Error(ErrorCode::kPermissionDenied, "sealed secret: not base64 of a sealed box");
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(box.data());
  std::string key = sealing_key(secret_key);
  std::string plaintext(length - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plaintext.data()),
                                 bytes + crypto_secretbox_NONCEBYTES, length - crypto_secretbox_NONCEBYTES, bytes,
                                 reinterpret_cast<const unsigned char*>(key.data())) != 0) {
    return Error(ErrorCode::kPermissionDenied,
                 "sealed secret: does not open with this secret key (was SECRET_KEY changed?)");
  }
  return plaintext;
}

Result<std::string> hash_password(std::string_view password) {
  ensure_initialized();
  ++hash_runs;
  char hash[crypto_pwhash_STRBYTES];
  unsigned long long ops = fast_hashing() ? crypto_pwhash_OPSLIMIT_MIN : crypto_pwhash_OPSLIMIT_INTERACTIVE;
  size_t memory = fast_hashing() ? crypto_pwhash_MEMLIMIT_MIN : crypto_pwhash_MEMLIMIT_INTERACTIVE;
  if (crypto_pwhash_str_alg(hash, password.data(), password.size(), ops, memory, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Error::failed("hash password: out of memory");
  }
  return std::string(hash);
}

bool verify_password(const std::string& stored_hash, std::string_view password) {
  ensure_initialized();
  ++hash_runs;
  return crypto_pwhash_str_verify(stored_hash.c_str(), password.data(), password.size()) == 0;
}

std::uint64_t password_hash_runs() { return hash_runs.load(); }

std::string to_base64(std::string_view bytes) {
  ensure_initialized();
  std::string text(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(text.data(), text.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  text.resize(text.size() - 1);  // the terminating NUL
  return text;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace left4me::web
