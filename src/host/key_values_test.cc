#include "host/key_values.h"

#include <gtest/gtest.h>

#include "testing/test_support.h"

namespace left4me::host {
namespace {

constexpr std::string_view kManifest = R"("AppState"
{
	"appid"		"222860"
	"name"		"Left 4 Dead 2 Dedicated Server"
	"buildid"		"16034045"
	// a comment
	"UserConfig"
	{
		"platform_override_dest"		"linux"
	}
	"escaped"		"say \"hi\" \\ there"
}
)";

TEST(KeyValuesTest, ReadsBlocksValuesAndEscapes) {
  auto root = parse_key_values(kManifest, "m.acf");
  ASSERT_OK(root);
  EXPECT_EQ(root->key, "AppState");
  ASSERT_NE(root->find_path({"BUILDID"}), nullptr);  // keys are case-insensitive
  EXPECT_EQ(root->find_path({"buildid"})->value, "16034045");
  EXPECT_EQ(root->find_path({"UserConfig", "platform_override_dest"})->value, "linux");
  EXPECT_EQ(root->find_path({"escaped"})->value, "say \"hi\" \\ there");
  EXPECT_EQ(root->find_path({"UserConfig"}), nullptr);  // a block is not a value
  EXPECT_EQ(root->find_path({"missing", "x"}), nullptr);
}

TEST(KeyValuesTest, ReadsBareWords) {
  auto root = parse_key_values("GameInfo\n{\n  SteamAppId 550\n  game \"Left 4 Dead 2\"\n}\n", "gameinfo.txt");
  ASSERT_OK(root);
  EXPECT_EQ(root->find_path({"SteamAppId"})->value, "550");
}

// Each bad shape: its own clear error naming the source and the line.
struct BadShape {
  const char* text;
  const char* message;
};

TEST(KeyValuesTest, RefusesEveryBadShapeWithItsLine) {
  const BadShape cases[] = {
      {"", "f.acf:1: empty (no block)"},
      {"   // only a comment\n", "f.acf:2: empty (no block)"},
      {"{ \"a\" \"b\" }", "f.acf:1: a brace where a key was expected"},
      {"\"AppState\" \"value\"", "f.acf:1: the top-level key 'AppState' is not followed by '{'"},
      {"\"AppState\"", "f.acf:1: the top-level key 'AppState' is not followed by '{'"},
      {"\"AppState\"\n{\n\"buildid\" \"12", "f.acf:3: unterminated string (the text ends before its closing '\"')"},
      {"\"AppState\"\n{\n\"buildid\" \"12\n\"\n}", "f.acf:3: unterminated string (a newline before its closing '\"')"},
      {"\"AppState\"\n{\n\"buildid\" \"12\"\n", "f.acf:4: the block 'AppState' opened on line 2 is never closed"},
      {"\"AppState\"\n{\n\"buildid\"\n}", "f.acf:4: the key 'buildid' has no value"},
      {"\"AppState\"\n{\n{\n}\n}", "f.acf:3: '{' where a key was expected"},
      {"\"AppState\" { } }", "f.acf:1: text after the block 'AppState' ends"},
      {"\"AppState\" { } \"Other\" { }", "f.acf:1: text after the block 'AppState' ends"},
      {"\"AppState\" { a\x01 b }", "f.acf:1: control character outside a string"},
  };
  for (const BadShape& bad : cases) {
    auto parsed = parse_key_values(bad.text, "f.acf");
    ASSERT_FALSE(parsed.ok()) << bad.text;
    EXPECT_EQ(parsed.error().message(), bad.message) << bad.text;
    EXPECT_EQ(parsed.error().code(), ErrorCode::kInvalidArgument);
  }
}

TEST(KeyValuesTest, RefusesDeepNestingBeforeRecursingFurther) {
  std::string text = "\"r\"";
  for (int i = 0; i < 100000; ++i) text += " { \"k\"";
  auto parsed = parse_key_values(text, "deep.vdf");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message().find("nested deeper than 32 levels"), std::string::npos)
      << parsed.error().message();
}

TEST(KeyValuesTest, RefusesHugeText) {
  std::string text(kMaxKeyValuesBytes + 1, ' ');
  auto parsed = parse_key_values(text, "huge.acf");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.error().message().find("huge.acf: 4194305 bytes"), std::string::npos) << parsed.error().message();
}

TEST(KeyValuesTest, IgnoresTrailingOutputWhenAsked) {
  auto parsed = parse_key_values("\"222860\" { \"a\" \"b\" }\nUnloading Steam API...OK\n", "out", Trailing::kIgnore);
  ASSERT_OK(parsed);
  EXPECT_EQ(parsed->find_path({"a"})->value, "b");
}

}  // namespace
}  // namespace left4me::host
