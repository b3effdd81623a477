#include "remote/remote_command.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/test_support.h"

namespace left4me::remote {
namespace {

using Words = std::vector<std::string>;

Words split_ok(std::string_view line) {
  auto words = split_command(line);
  EXPECT_OK(words);
  return words.ok() ? *words : Words{};
}

std::string split_error(std::string_view line) {
  auto words = split_command(line);
  EXPECT_FALSE(words.ok()) << "accepted: " << line;
  return words.ok() ? "" : words.error().message();
}

TEST(SplitCommandTest, PlainWordsSplitOnSingleSpaces) {
  EXPECT_EQ(split_ok("status alpha --json"), (Words{"status", "alpha", "--json"}));
  EXPECT_EQ(split_ok("logs web-7 -n 100 --follow"), (Words{"logs", "web-7", "-n", "100", "--follow"}));
}

TEST(SplitCommandTest, QuotedTextKeepsEveryPrintableCharacter) {
  EXPECT_EQ(split_ok("rcon alpha 'say hello; $(id) `x` \"q\"'"),
            (Words{"rcon", "alpha", "say hello; $(id) `x` \"q\""}));
  EXPECT_EQ(split_ok("rcon alpha 'it'\\''s'"), (Words{"rcon", "alpha", "it's"}));
  EXPECT_EQ(split_ok("rcon alpha 'Grüße'"), (Words{"rcon", "alpha", "Grüße"}));
  // Quoted runs glue to their neighbours, empty ones too (found by the fuzz target: a word starting with ').
  EXPECT_EQ(split_ok("rcon alpha ''\\''s'"), (Words{"rcon", "alpha", "'s"}));
}

TEST(SplitCommandTest, ShellSyntaxOutsideQuotesIsRefused) {
  for (const char* line : {"status alpha; rm -rf /", "status $(id)", "status `id`", "status alpha | cat",
                           "status alpha && id", "status alpha > /tmp/x", "status \"alpha\"", "status a*", "status ~",
                           "status alpha &", "status alpha\\ beta"}) {
    std::string error = split_error(line);
    EXPECT_NE(error.find("outside single quotes"), std::string::npos) << line << ": " << error;
  }
}

TEST(SplitCommandTest, ControlCharactersAndLayoutAreRefused) {
  EXPECT_NE(split_error("status alpha\nid").find("control character"), std::string::npos);
  EXPECT_NE(split_error("rcon alpha 'say\nquit'").find("control character"), std::string::npos);
  EXPECT_NE(split_error("status\talpha").find("control character"), std::string::npos);
  EXPECT_NE(split_error(std::string("status alpha\0x", 14)).find("control character"), std::string::npos);
  EXPECT_NE(split_error("status  alpha").find("one space"), std::string::npos);
  EXPECT_NE(split_error(" status").find("one space"), std::string::npos);
  EXPECT_NE(split_error("status ").find("one space"), std::string::npos);
  EXPECT_NE(split_error("rcon alpha 'say").find("never closed"), std::string::npos);
  EXPECT_NE(split_error("rcon alpha ''").find("empty word"), std::string::npos);
  EXPECT_NE(split_error("").find("empty"), std::string::npos);
  EXPECT_NE(split_error("rcon alpha '\xff'").find("UTF-8"), std::string::npos);
  EXPECT_NE(split_error(std::string(kMaxCommandBytes + 1, 'a')).find("longer than"), std::string::npos);
}

TEST(QuoteCommandTest, SplitGivesBackWhatWasQuoted) {
  Words words = {"rcon", "alpha", "say it's 100% \"fine\"; $(x) `y` \\ | & > <", "Grüße", "--", "-x"};
  auto line = quote_command(words);
  ASSERT_OK(line);
  EXPECT_EQ(split_ok(*line), words);
  EXPECT_EQ(*quote_command({"status", "alpha", "--json"}), "status alpha --json");
}

TEST(QuoteCommandTest, WhatCannotBeCarriedIsRefused) {
  EXPECT_FALSE(quote_command({"rcon", "alpha", "say\nquit"}).ok());
  EXPECT_FALSE(quote_command({"rcon", "alpha", ""}).ok());
  EXPECT_FALSE(quote_command({"rcon", "alpha", "\xc3"}).ok());
}

Call call_ok(const Words& words) {
  auto call = check_call(words);
  EXPECT_OK(call);
  return call.ok() ? *call : Call{};
}

std::string call_error(const Words& words) {
  auto call = check_call(words);
  EXPECT_FALSE(call.ok()) << "accepted: " << words[0];
  if (call.ok()) return "";
  EXPECT_EQ(call.error().code(), ErrorCode::kInvalidArgument);
  return call.error().message();
}

TEST(CheckCallTest, TheContractsCommandsPass) {
  EXPECT_EQ(call_ok({"status", "alpha", "--json"}).args, (Words{"status", "alpha", "--json"}));
  EXPECT_EQ(call_ok({"list", "--json"}).args, (Words{"list", "--json"}));
  EXPECT_EQ(call_ok({"status", "alpha", "--json", "--players"}).args,
            (Words{"status", "alpha", "--json", "--players"}));
  EXPECT_EQ(call_ok({"list", "--players", "--json"}).args, (Words{"list", "--players", "--json"}));
  EXPECT_NE(call_error({"logs", "alpha", "--players"}).find("no option '--players'"), std::string::npos);
  EXPECT_EQ(call_ok({"start", "--wait", "alpha", "--timeout", "90"}).args,
            (Words{"start", "--wait", "alpha", "--timeout", "90"}));
  EXPECT_EQ(call_ok({"stop", "alpha"}).args, (Words{"stop", "alpha"}));
  EXPECT_EQ(call_ok({"restart", "alpha", "--wait"}).args, (Words{"restart", "alpha", "--wait"}));
  EXPECT_EQ(call_ok({"delete", "alpha", "--yes"}).args, (Words{"delete", "alpha", "--yes"}));
  EXPECT_EQ(call_ok({"logs", "alpha", "-n", "50", "-f"}).args, (Words{"logs", "alpha", "-n", "50", "-f"}));
  EXPECT_EQ(call_ok({"install", "--json"}).args, (Words{"install", "--json"}));
  EXPECT_EQ(call_ok({"start", "alpha", "--keep-on-failure"}).args, (Words{"start", "alpha", "--keep-on-failure"}));
  EXPECT_EQ(call_ok({"install", "--list"}).args, (Words{"install", "--list"}));
  EXPECT_EQ(call_ok({"install", "--use", "16251234"}).args, (Words{"install", "--use", "16251234"}));
  EXPECT_EQ(call_ok({"maps", "--json", "--overlay", "7", "--overlay", "global/sourcemod"}).args,
            (Words{"maps", "--json", "--overlay", "7", "--overlay", "global/sourcemod"}));
}

TEST(CheckCallTest, OnlyAFollowingLogsRunsWhileItsOutputIsRead) {
  EXPECT_EQ(call_ok({"logs", "alpha", "-n", "50", "-f"}).lifetime, Lifetime::kWhileRead);
  EXPECT_EQ(call_ok({"logs", "alpha", "--follow", "--lines", "5"}).lifetime, Lifetime::kWhileRead);
  EXPECT_EQ(call_ok({"logs", "alpha", "-n", "50"}).lifetime, Lifetime::kToCompletion);
  EXPECT_EQ(call_ok({"logs", "alpha", "--no-follow"}).lifetime, Lifetime::kToCompletion);
  EXPECT_EQ(call_ok({"start", "alpha", "--wait"}).lifetime, Lifetime::kToCompletion);
  EXPECT_EQ(call_ok({"rcon", "alpha", "logs", "-f"}).lifetime, Lifetime::kToCompletion);
}

TEST(CheckCallTest, ValuesThatNameFilesOrBuildsFollowTheirRules) {
  EXPECT_NE(call_error({"maps", "--overlay", "../../etc"}).find("not an overlay"), std::string::npos);
  EXPECT_NE(call_error({"maps", "--overlay", "/etc"}).find("not an overlay"), std::string::npos);
  EXPECT_NE(call_error({"install", "--use", "16251234;id"}).find("not a build id"), std::string::npos);
  EXPECT_NE(call_error({"install", "--remove", "../x"}).find("not a build id"), std::string::npos);
  EXPECT_NE(call_error({"maps", "alpha"}).find("unexpected word"), std::string::npos);
}

TEST(CheckCallTest, InitializeTakesItsSpecFromStandardInputOnly) {
  Call call = call_ok({"initialize", "alpha", "-f", "-"});
  EXPECT_EQ(call.spec, SpecInput::kStandardInput);
  EXPECT_EQ(call.args, (Words{"initialize", "alpha", "-f", "-"}));
  EXPECT_NE(call_error({"initialize", "alpha", "-f", "/etc/shadow"}).find("standard input"), std::string::npos);
  EXPECT_NE(call_error({"initialize", "alpha"}).find("-f -"), std::string::npos);
  EXPECT_EQ(call_ok({"status", "alpha"}).spec, SpecInput::kNone);
}

TEST(CheckCallTest, RconPassesTheConsoleCommandBehindDoubleDash) {
  EXPECT_EQ(call_ok({"rcon", "alpha", "say", "--json", "-f"}).args,
            (Words{"rcon", "alpha", "--", "say", "--json", "-f"}));
  EXPECT_EQ(call_ok({"rcon", "alpha", "--", "status"}).args, (Words{"rcon", "alpha", "--", "status"}));
  EXPECT_NE(call_error({"rcon", "alpha"}).find("console command"), std::string::npos);
  EXPECT_NE(call_error({"rcon", "--help", "alpha", "status"}).find("no option '--help'"), std::string::npos);
}

TEST(CheckCallTest, OtherProgramsAndInternalCommandsAreRefused) {
  for (const char* command : {"sh", "bash", "/bin/sh", "__supervise", "--help-config", "--version", "scp", "rsync"}) {
    EXPECT_NE(call_error({command}).find("not a command this key may run"), std::string::npos) << command;
  }
}

TEST(CheckCallTest, OptionSmugglingIsRefused) {
  EXPECT_NE(call_error({"status", "alpha", "--lock-fd", "3"}).find("no option '--lock-fd'"), std::string::npos);
  EXPECT_NE(call_error({"status", "alpha", "--help"}).find("no option"), std::string::npos);
  EXPECT_NE(call_error({"start", "alpha", "--timeout=5"}).find("next word"), std::string::npos);
  EXPECT_NE(call_error({"start", "alpha", "--timeout", "5;id"}).find("whole number"), std::string::npos);
  EXPECT_NE(call_error({"start", "alpha", "--timeout"}).find("needs a value"), std::string::npos);
  EXPECT_NE(call_error({"logs", "alpha", "-n", "-1"}).find("whole number"), std::string::npos);
  EXPECT_NE(call_error({"stop", "--wait", "alpha"}).find("no option '--wait'"), std::string::npos);
}

TEST(CheckCallTest, NamesFollowTheInstanceNameRule) {
  EXPECT_FALSE(check_call({"status", "../etc"}).ok());
  EXPECT_FALSE(check_call({"status", "Alpha"}).ok());
  EXPECT_NE(call_error({"status"}).find("needs an instance name"), std::string::npos);
  EXPECT_NE(call_error({"status", "alpha", "beta"}).find("unexpected word 'beta'"), std::string::npos);
  EXPECT_NE(call_error({"list", "alpha"}).find("unexpected word"), std::string::npos);
}

}  // namespace
}  // namespace left4me::remote
