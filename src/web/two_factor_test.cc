// Two-factor sign-in as the database keeps it, on a real SQLite file: a set-up confirmed by a code of its
// secret, codes accepted within the window and once each, recovery codes once each, turning it off, the
// sign-ins waiting for their second step, and the setting for administrators.
#include "web/two_factor.h"

#include <gtest/gtest.h>

#include "auth/totp.h"
#include "testing/test_support.h"
#include "web/accounts.h"
#include "web/crypto.h"
#include "web/migrations.h"

namespace left4me::web {
namespace {

class TwoFactorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("LEFT4ME_FAST_PASSWORD_HASH", "1", 1);
    auto opened = Database::open(dir_.path() + "/web.db");
    ASSERT_OK(opened);
    database_ = std::move(*opened);
    ASSERT_OK(migrate(*database_));
    accounts_ = std::make_unique<Accounts>(*database_, "key");
    two_factor_ = std::make_unique<TwoFactor>(*database_, "key");
    Result<User> ann = accounts_->create_user("ann", "password-ann", Role::kUser);
    ASSERT_OK(ann);
    ann_ = ann->id;
  }
  // Two-factor on for ann with a set-up confirmed at kStart; the secret.
  std::string turn_on() {
    Result<std::string> secret = two_factor_->begin_setup(ann_);
    EXPECT_OK(secret);
    Result<std::vector<std::string>> codes = two_factor_->confirm_setup(ann_, auth::totp_code(*secret, kStart), kStart);
    EXPECT_OK(codes);
    recovery_codes_ = *codes;
    return *secret;
  }

  static constexpr std::time_t kStart = 1'800'000'000;  // a step boundary is every 30 s
  test::TempDir dir_;
  std::unique_ptr<Database> database_;
  std::unique_ptr<Accounts> accounts_;
  std::unique_ptr<TwoFactor> two_factor_;
  std::int64_t ann_ = 0;
  std::vector<std::string> recovery_codes_;
};

TEST_F(TwoFactorTest, SetUpNeedsACodeOfThePendingSecretAndGivesTenRecoveryCodes) {
  EXPECT_EQ(two_factor_->confirm_setup(ann_, "123456", kStart).error().code(), ErrorCode::kNotFound);
  Result<std::string> secret = two_factor_->begin_setup(ann_);
  ASSERT_OK(secret);
  Result<TwoFactorState> pending = two_factor_->state(ann_);
  ASSERT_OK(pending);
  EXPECT_FALSE(pending->enabled);
  EXPECT_EQ(pending->pending_secret, *secret);
  // Stored sealed, never as it is.
  {
    Database::Lock lock(*database_);
    auto row = lock.prepare("SELECT totp_pending_secret FROM users WHERE id = ?");
    ASSERT_OK(row);
    ASSERT_TRUE(*row->bind(1, ann_).step());
    EXPECT_EQ(row->column_text(0).find(auth::totp_secret_base32(*secret)), std::string::npos);
    EXPECT_EQ(*unseal("key", row->column_text(0)), *secret);
    EXPECT_FALSE(unseal("another key", row->column_text(0)).ok());
  }
  EXPECT_EQ(two_factor_->confirm_setup(ann_, "12345", kStart).error().code(), ErrorCode::kInvalidArgument);
  std::string wrong = auth::totp_code(*secret, kStart + 600);
  EXPECT_EQ(two_factor_->confirm_setup(ann_, wrong, kStart).error().code(), ErrorCode::kPermissionDenied);
  EXPECT_FALSE(two_factor_->state(ann_)->enabled);
  Result<std::vector<std::string>> codes = two_factor_->confirm_setup(ann_, auth::totp_code(*secret, kStart), kStart);
  ASSERT_OK(codes);
  EXPECT_EQ(codes->size(), 10u);
  Result<TwoFactorState> state = two_factor_->state(ann_);
  EXPECT_TRUE(state->enabled);
  EXPECT_EQ(state->recovery_codes_left, 10);
  EXPECT_FALSE(state->pending_secret);
  EXPECT_TRUE((*accounts_->find_user(ann_))->two_factor);
  EXPECT_EQ(two_factor_->begin_setup(ann_).error().code(), ErrorCode::kAlreadyExists);
}

TEST_F(TwoFactorTest, CodesWorkWithinTheWindowAndOnceEach) {
  std::string secret = turn_on();
  // The set-up's own code is used: the same step is refused.
  EXPECT_EQ(two_factor_->verify(ann_, auth::totp_code(secret, kStart), kStart).error().code(),
            ErrorCode::kPermissionDenied);
  // Two steps on: neither the next step's code from a minute ahead nor one from long ago.
  std::time_t now = kStart + 60;
  EXPECT_FALSE(two_factor_->verify(ann_, auth::totp_code(secret, now + 60), now).ok());
  EXPECT_FALSE(two_factor_->verify(ann_, auth::totp_code(secret, now - 600), now).ok());
  // The previous step's code (typed slowly) is accepted, once; blanks are ignored.
  std::string late = auth::totp_code(secret, now - 30);
  ASSERT_OK(two_factor_->verify(ann_, late.substr(0, 3) + " " + late.substr(3), now));
  EXPECT_EQ(two_factor_->verify(ann_, late, now).error().code(), ErrorCode::kPermissionDenied);
  // An earlier step than the last one used is refused too, even inside the window.
  std::string current = auth::totp_code(secret, now);
  ASSERT_EQ(*two_factor_->verify(ann_, current, now), SecondFactor::kTotp);
  EXPECT_FALSE(two_factor_->verify(ann_, current, now).ok());
  EXPECT_FALSE(two_factor_->verify(ann_, "", now).ok());
  EXPECT_FALSE(two_factor_->verify(ann_, "abcdef", now).ok());
}

TEST_F(TwoFactorTest, RecoveryCodesWorkOnceEachAndRegeneratingReplacesThem) {
  turn_on();
  ASSERT_EQ(*two_factor_->verify(ann_, recovery_codes_[0], kStart), SecondFactor::kRecoveryCode);
  EXPECT_EQ(two_factor_->verify(ann_, recovery_codes_[0], kStart).error().code(), ErrorCode::kPermissionDenied);
  std::string shouted = recovery_codes_[1];
  for (char& c : shouted) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_OK(two_factor_->verify(ann_, shouted, kStart));
  EXPECT_EQ(two_factor_->state(ann_)->recovery_codes_left, 8);
  Result<std::vector<std::string>> fresh = two_factor_->regenerate_recovery_codes(ann_);
  ASSERT_OK(fresh);
  EXPECT_EQ(two_factor_->state(ann_)->recovery_codes_left, 10);
  EXPECT_FALSE(two_factor_->verify(ann_, recovery_codes_[2], kStart).ok());
  EXPECT_OK(two_factor_->verify(ann_, (*fresh)[2], kStart));
}

TEST_F(TwoFactorTest, TurningOffForgetsTheSecretCodesAndWaitingSignIns) {
  EXPECT_EQ(two_factor_->turn_off(ann_).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(two_factor_->regenerate_recovery_codes(ann_).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(two_factor_->verify(ann_, "123456", kStart).error().code(), ErrorCode::kNotFound);
  turn_on();
  Result<std::string> pending = two_factor_->start_pending_login(ann_, kPendingLoginLifetime);
  ASSERT_OK(pending);
  ASSERT_OK(two_factor_->turn_off(ann_));
  EXPECT_FALSE(*two_factor_->find_pending_login(*pending));
  EXPECT_FALSE(two_factor_->verify(ann_, recovery_codes_[0], kStart).ok());
  Result<TwoFactorState> state = two_factor_->state(ann_);
  EXPECT_FALSE(state->enabled);
  EXPECT_EQ(state->recovery_codes_left, 0);
  EXPECT_FALSE((*accounts_->find_user(ann_))->two_factor);
}

TEST_F(TwoFactorTest, PendingLoginsExpireAndEnd) {
  turn_on();
  Result<std::string> live = two_factor_->start_pending_login(ann_, kPendingLoginLifetime);
  ASSERT_OK(live);
  EXPECT_EQ(*two_factor_->find_pending_login(*live), ann_);
  EXPECT_FALSE(*two_factor_->find_pending_login("not-a-token"));
  Result<std::string> expired = two_factor_->start_pending_login(ann_, std::chrono::seconds(0));
  ASSERT_OK(expired);
  EXPECT_FALSE(*two_factor_->find_pending_login(*expired));
  ASSERT_OK(two_factor_->end_pending_login(*live));
  EXPECT_FALSE(*two_factor_->find_pending_login(*live));
  // A disabled user's sign-in waits for nothing.
  Result<std::string> again = two_factor_->start_pending_login(ann_, kPendingLoginLifetime);
  ASSERT_OK(accounts_->create_user("root", "password-root", Role::kAdmin));
  ASSERT_OK(accounts_->set_disabled(ann_, true));
  EXPECT_FALSE(*two_factor_->find_pending_login(*again));
}

TEST_F(TwoFactorTest, RequiredForAdminsIsOffUntilSet) {
  EXPECT_FALSE(*two_factor_->required_for_admins());
  ASSERT_OK(two_factor_->set_required_for_admins(true));
  EXPECT_TRUE(*two_factor_->required_for_admins());
  ASSERT_OK(two_factor_->set_required_for_admins(false));
  EXPECT_FALSE(*two_factor_->required_for_admins());
}

}  // namespace
}  // namespace left4me::web
