#include "auth/recovery_codes.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace left4me::auth {
namespace {

TEST(RecoveryCodesTest, CodesAreDistinctAndReadable) {
  auto codes = new_recovery_codes();
  ASSERT_EQ(codes.size(), static_cast<std::size_t>(kRecoveryCodeCount));
  std::set<std::string> distinct(codes.begin(), codes.end());
  EXPECT_EQ(distinct.size(), codes.size());
  for (const auto& code : codes) {
    EXPECT_TRUE(std::regex_match(code, std::regex("[2-9a-hjkmnp-tv-z]{4}-[2-9a-hjkmnp-tv-z]{4}-[2-9a-hjkmnp-tv-z]{4}")))
        << code;
  }
}

TEST(RecoveryCodesTest, AStoredHashFindsItsCodeHoweverItIsTyped) {
  auto codes = new_recovery_codes();
  std::vector<std::string> hashes;
  for (const auto& code : codes) hashes.push_back(hash_recovery_code(code));
  EXPECT_EQ(find_recovery_code(codes[3], hashes), 3);
  std::string typed = codes[7];
  for (char& c : typed) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (char& c : typed)
    if (c == '-') c = ' ';
  EXPECT_EQ(find_recovery_code(typed, hashes), 7);
  EXPECT_EQ(find_recovery_code("aaaa-aaaa-aaaa", hashes), -1);
  EXPECT_EQ(find_recovery_code("", hashes), -1);
  // The hash is not the code.
  for (const auto& hash : hashes) EXPECT_EQ(hash.find(codes[0].substr(0, 4)), std::string::npos);
  EXPECT_EQ(hashes[0].size(), 64u);
}

}  // namespace
}  // namespace left4me::auth
