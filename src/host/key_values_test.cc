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
      {"{ \"a\" \"b\" }", "f.acf:1: a '{' without a key"},
      {"\"AppState\" \"value\"", "f.acf:1: the top-level key \"AppState\" is not followed by '{'"},
      {"\"AppState\"", "f.acf:1: the key \"AppState\" has no value"},
      {"\"AppState\"\n{\n\"buildid\" \"12", "f.acf:3: a string that is never closed"},
      {"\"AppState\"\n{\n\"buildid\" \"12\n\n}", "f.acf:3: a string that is never closed"},
      {"\"AppState\"\n{\n\"buildid\" \"12\"\n", "f.acf:4: the block \"AppState\" opened on line 2 is never closed"},
      {"\"AppState\"\n{\n\"buildid\"\n}", "f.acf:4: the key \"buildid\" has no value"},
      {"\"AppState\"\n{\n{\n}\n}", "f.acf:3: a '{' without a key"},
      {"\"AppState\" { } }", "f.acf:1: text after the block \"AppState\" ends"},
      {"\"AppState\" { } \"Other\" { }", "f.acf:1: text after the block \"AppState\" ends"},
      {"\"AppState\" { a\x01 b }", "f.acf:1: a control character outside a string"},
      {"\"AppState\" { } [$X360", "f.acf:1: a '[' condition that is never closed"},
      {"\"AppState\" { k \"\xff\x1b[31m", "f.acf:1: a string that is never closed"},
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

TEST(KeyValuesTest, SkipsConditionsAndAByteOrderMarkAndKeepsLineBreaksInStrings) {
  auto root = parse_key_values("\xEF\xBB\xBF\"r\" { a \"one\ntwo\" [$X360] b c }\n", "r.vdf");
  ASSERT_OK(root);
  EXPECT_EQ(root->find_path({"a"})->value, "one\ntwo");
  EXPECT_EQ(root->find_path({"b"})->value, "c");
  auto late = parse_key_values("\"r\" {\n a \"x\ny\"\n [$X360\n] b c\n}\n}", "r.vdf");
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().message(), "r.vdf:7: text after the block \"r\" ends");  // lines counted through both
}

TEST(KeyValuesTest, EveryTopLevelEntryWhenAskedForAll) {
  auto entries = parse_key_values_entries("#base \"x.txt\"\nmission { Name M }", "m.txt");
  ASSERT_OK(entries);
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].value, "x.txt");
  EXPECT_EQ((*entries)[1].find_path({"name"})->value, "M");
  EXPECT_EQ(parse_key_values_entries("a { } }", "").error().message(), "line 1: a '}' without its '{'");
}

TEST(KeyValuesTest, IgnoresTrailingOutputWhenAsked) {
  auto parsed = parse_key_values("\"222860\" { \"a\" \"b\" }\nUnloading Steam API...OK\n", "out", Trailing::kIgnore);
  ASSERT_OK(parsed);
  EXPECT_EQ(parsed->find_path({"a"})->value, "b");
}

}  // namespace
}  // namespace left4me::host
