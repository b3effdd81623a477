#include "remote/session.h"

#include <gtest/gtest.h>

#include <string>

#include "testing/test_support.h"

namespace left4me::remote {
namespace {

std::string take_error(std::string buffer) {
  auto answer = take_answer(buffer);
  EXPECT_FALSE(answer.ok()) << "accepted: " << buffer.substr(0, 40);
  if (answer.ok()) return "";
  EXPECT_EQ(answer.error().code(), ErrorCode::kInvalidArgument);
  return answer.error().message();
}

TEST(SessionAnswerTest, WhatIsEncodedIsTakenBackWholeAndTheNextFrameStays) {
  Answer first{3, "{\"state\":\"running\"}\n", "l4d2ctl: status 'alpha': no such instance\n"};
  Answer second{0, std::string("bytes \0 and \n newlines\n", 24), ""};
  std::string stream = encode_answer(first) + encode_answer(second);
  EXPECT_EQ(encode_answer(second).substr(0, 8), "0 24 0\nb");
  auto taken = take_answer(stream);
  ASSERT_OK(taken);
  ASSERT_TRUE(taken->has_value());
  EXPECT_EQ((*taken)->exit_code, 3);
  EXPECT_EQ((*taken)->out, first.out);
  EXPECT_EQ((*taken)->err, first.err);
  EXPECT_EQ(stream, encode_answer(second));
  taken = take_answer(stream);
  ASSERT_OK(taken);
  ASSERT_TRUE(taken->has_value());
  EXPECT_EQ((*taken)->out, second.out);
  EXPECT_TRUE(stream.empty());
}

TEST(SessionAnswerTest, APartFrameWaitsForTheRest) {
  std::string frame = encode_answer(Answer{0, "hello\n", "warning\n"});
  for (std::size_t size = 0; size < frame.size(); ++size) {
    std::string part = frame.substr(0, size);
    auto taken = take_answer(part);
    ASSERT_OK(taken);
    EXPECT_FALSE(taken->has_value()) << size;
    EXPECT_EQ(part, frame.substr(0, size)) << "a part frame is left as it was";
  }
}

TEST(SessionAnswerTest, AHeaderThatIsNotOneIsRefused) {
  for (const char* header : {"0 1\nx", "0 1 2 3\n", "-1 0 0\n", "0 +1 0\n", "0  1 0\n", " 0 1 0\n", "0 1 0 \n",
                             "256 0 0\n", "0 0x10 0\n", "hello world\n", "0 1 99999999999\n", "\n"}) {
    EXPECT_NE(take_error(header).find("is not '<exit code 0..255>"), std::string::npos) << header;
  }
  // Output of a host that does not speak the session (a banner, arguments) never waits forever for a newline.
  EXPECT_NE(take_error(std::string(kMaxAnswerHeaderBytes + 1, '7')).find("no header line"), std::string::npos);
  EXPECT_NE(take_error(std::string(kMaxAnswerHeaderBytes + 1, '1') + "\n").find("too long"), std::string::npos);
}

TEST(SessionAnswerTest, OutputsOverTheLimitAreRefusedBeforeTheyAreRead) {
  std::string limit = std::to_string(kMaxAnswerOutputBytes);
  std::string over = std::to_string(kMaxAnswerOutputBytes + 1);
  std::string at_limit = "0 " + limit + " 0\n";
  auto waiting = take_answer(at_limit);
  ASSERT_OK(waiting);
  EXPECT_FALSE(waiting->has_value());
  EXPECT_NE(take_error("0 " + over + " 0\n").find("within " + limit + " bytes each"), std::string::npos);
  EXPECT_NE(take_error("1 0 " + over + "\n").find("within"), std::string::npos);
}

TEST(SessionCallTest, OnlyCallsToCompletionWithoutASpecRunInASession) {
  for (const std::vector<std::string>& words : {std::vector<std::string>{"status", "alpha", "--json"},
                                                {"list", "--json", "--players"},
                                                {"maps", "--json"},
                                                {"install", "--list", "--json"},
                                                {"install", "--check", "--json"},
                                                {"rcon", "alpha", "status"},
                                                {"logs", "alpha", "-n", "50"},
                                                {"start", "alpha", "--wait"}}) {
    auto call = check_call(words);
    ASSERT_OK(call);
    EXPECT_OK(check_session_call(*call)) << words[0];
  }
  auto follow = check_call({"logs", "alpha", "--follow"});
  ASSERT_OK(follow);
  EXPECT_NE(check_session_call(*follow).error().message().find("not in a session"), std::string::npos);
  auto initialize = check_call({"initialize", "alpha", "-f", "-"});
  ASSERT_OK(initialize);
  EXPECT_NE(check_session_call(*initialize).error().message().find("spec on standard input"), std::string::npos);
}

}  // namespace
}  // namespace left4me::remote
