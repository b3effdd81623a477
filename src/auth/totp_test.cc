#include "auth/totp.h"

#include <gtest/gtest.h>

#include "testing/test_support.h"

namespace left4me::auth {
namespace {

// RFC 6238, appendix B: the SHA-1 seed and its 8-digit codes.
const std::string kRfcSecret = "12345678901234567890";

TEST(TotpTest, CodesMatchRfc6238sTestVectors) {
  EXPECT_EQ(totp_code(kRfcSecret, 59, 8), "94287082");
  EXPECT_EQ(totp_code(kRfcSecret, 1111111109, 8), "07081804");
  EXPECT_EQ(totp_code(kRfcSecret, 1111111111, 8), "14050471");
  EXPECT_EQ(totp_code(kRfcSecret, 1234567890, 8), "89005924");
  EXPECT_EQ(totp_code(kRfcSecret, 2000000000, 8), "69279037");
  EXPECT_EQ(totp_code(kRfcSecret, 20000000000, 8), "65353130");
  // The 6-digit codes apps show are the last six digits.
  EXPECT_EQ(totp_code(kRfcSecret, 59), "287082");
}

TEST(TotpTest, ACodeIsAcceptedInItsStepAndOneStepEitherSide) {
  std::time_t typed = 1111111111;  // step 37037037 (1111111110..1111111139)
  std::string code = totp_code(kRfcSecret, typed);
  auto step = verify_totp(kRfcSecret, code, typed, std::nullopt);
  ASSERT_OK(step);
  EXPECT_EQ(*step, 1111111111u / 30);
  EXPECT_OK(verify_totp(kRfcSecret, code, typed + 30, std::nullopt));  // the next step: still accepted
  EXPECT_OK(verify_totp(kRfcSecret, code, typed - 30, std::nullopt));  // the previous step (a fast clock)
  auto expired = verify_totp(kRfcSecret, code, typed + 60, std::nullopt);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_FALSE(verify_totp(kRfcSecret, code, typed - 60, std::nullopt).ok());
}

TEST(TotpTest, AReplayedCodeIsRefused) {
  std::time_t typed = 2000000000;
  std::string code = totp_code(kRfcSecret, typed);
  auto step = verify_totp(kRfcSecret, code, typed, std::nullopt);
  ASSERT_OK(step);
  auto replay = verify_totp(kRfcSecret, code, typed + 5, *step);
  ASSERT_FALSE(replay.ok());
  EXPECT_NE(replay.error().message().find("already used"), std::string::npos);
  // An older step's code is refused too once a newer one was used.
  EXPECT_FALSE(verify_totp(kRfcSecret, totp_code(kRfcSecret, typed - 30), typed, *step).ok());
  // The next step's code works.
  EXPECT_OK(verify_totp(kRfcSecret, totp_code(kRfcSecret, typed + 30), typed + 30, *step));
}

TEST(TotpTest, WrongAndMalformedCodesAreRefused) {
  std::time_t now = 1234567890;
  std::string code = totp_code(kRfcSecret, now);
  std::string wrong = code;
  wrong[0] = code[0] == '9' ? '0' : static_cast<char>(code[0] + 1);
  EXPECT_EQ(verify_totp(kRfcSecret, wrong, now, std::nullopt).error().code(), ErrorCode::kPermissionDenied);
  for (const char* bad : {"", "12345", "1234567", "12345a", " 12345", "８９００５９"}) {
    auto result = verify_totp(kRfcSecret, bad, now, std::nullopt);
    ASSERT_FALSE(result.ok()) << bad;
    EXPECT_EQ(result.error().code(), ErrorCode::kInvalidArgument) << bad;
  }
  EXPECT_FALSE(verify_totp(new_totp_secret(), code, now, std::nullopt).ok());  // another secret
}

TEST(TotpTest, SecretsRoundTripThroughBase32) {
  std::string secret = new_totp_secret();
  EXPECT_EQ(secret.size(), 20u);
  EXPECT_NE(secret, new_totp_secret());
  std::string text = totp_secret_base32(secret);
  EXPECT_EQ(text.size(), 32u);
  EXPECT_EQ(text.find('='), std::string::npos);
  auto back = totp_secret_from_base32(text);
  ASSERT_OK(back);
  EXPECT_EQ(*back, secret);
  // As apps show it: lower case, in groups.
  std::string grouped;
  for (std::size_t i = 0; i < text.size(); ++i)
    grouped += std::string(i && i % 4 == 0 ? " " : "") + char(std::tolower(text[i]));
  EXPECT_EQ(*totp_secret_from_base32(grouped), secret);
  EXPECT_EQ(totp_secret_base32(kRfcSecret), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  EXPECT_FALSE(totp_secret_from_base32("not base32!").ok());
  EXPECT_FALSE(totp_secret_from_base32("").ok());
  EXPECT_FALSE(totp_secret_from_base32("GEZDGNBV").ok());  // 5 bytes: too short
}

TEST(TotpTest, TheOtpauthUriNamesIssuerAccountAndParameters) {
  EXPECT_EQ(otpauth_uri(kRfcSecret, "left4me", "alice smith"),
            "otpauth://totp/left4me:alice%20smith?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=left4me"
            "&algorithm=SHA1&digits=6&period=30");
}

}  // namespace
}  // namespace left4me::auth
