#include "json/parse_json.h"

#include <gtest/gtest.h>

#include <string>

namespace left4me {
namespace {

std::string nested_arrays(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// The deepest level of value, walked without recursion.
int depth_of(const nlohmann::json& value) {
  int deepest = 0;
  std::vector<std::pair<const nlohmann::json*, int>> pending{{&value, 0}};
  while (!pending.empty()) {
    auto [node, depth] = pending.back();
    pending.pop_back();
    if (!node->is_structured()) continue;
    deepest = std::max(deepest, depth + 1);
    for (const nlohmann::json& child : *node) pending.emplace_back(&child, depth + 1);
  }
  return deepest;
}

TEST(ParseJsonTest, ParsesOrdinaryValues) {
  Result<nlohmann::json> object = parse_json_limited(R"({"name":"alpha","spec":{"cvars":{"a":"1"}},"n":[1,2]})");
  ASSERT_TRUE(object.ok()) << object.error().message();
  EXPECT_EQ((*object)["spec"]["cvars"]["a"], "1");
  Result<nlohmann::json> scalar = parse_json_limited("  42 ");
  ASSERT_TRUE(scalar.ok());
  EXPECT_EQ(*scalar, 42);
}

TEST(ParseJsonTest, AcceptsExactlyTheLimit) {
  Result<nlohmann::json> at_limit = parse_json_limited(nested_arrays(64));
  ASSERT_TRUE(at_limit.ok()) << at_limit.error().message();
  EXPECT_EQ(depth_of(*at_limit), 64);
  Result<nlohmann::json> small = parse_json_limited(R"({"a":[{"b":1}]})", 3);
  ASSERT_TRUE(small.ok());
  EXPECT_FALSE(parse_json_limited(R"({"a":[{"b":[]}]})", 3).ok());
}

TEST(ParseJsonTest, RefusesOneLevelPastTheLimit) {
  Result<nlohmann::json> past = parse_json_limited(nested_arrays(65));
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(past.error().message(), "JSON nested deeper than 64 levels");
  Result<nlohmann::json> object = parse_json_limited(std::string(R"({"a":)") + nested_arrays(64) + "}");
  ASSERT_FALSE(object.ok());
  EXPECT_EQ(object.error().message(), "JSON nested deeper than 64 levels");
}

// The request that killed l4d2web: 200,000 levels. Parsed, copied and dumped here, it would overflow the stack.
TEST(ParseJsonTest, RefusesTwoHundredThousandLevelsWithoutBuildingThem) {
  std::string deep = R"({"name":"x","spec":)" + nested_arrays(200000) + "}";
  Result<nlohmann::json> parsed = parse_json_limited(deep);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message(), "JSON nested deeper than 64 levels");
  std::string objects;
  for (int i = 0; i < 200000; ++i) objects += R"({"a":)";
  objects += "1" + std::string(200000, '}');
  EXPECT_FALSE(parse_json_limited(objects).ok());
}

TEST(ParseJsonTest, DeepAndMalformedReportsTheDepth) {
  // Unterminated: the depth is the first problem met.
  Result<nlohmann::json> parsed = parse_json_limited(std::string(100000, '['));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message(), "JSON nested deeper than 64 levels");
}

TEST(ParseJsonTest, BracketsInStringsDoNotCount) {
  std::string text = R"({"spec":")" + std::string(1000, '[') + R"(\"{{{"})";
  Result<nlohmann::json> parsed = parse_json_limited(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ((*parsed)["spec"].get<std::string>().size(), 1004u);
}

TEST(ParseJsonTest, MalformedTextIsInvalidArgumentWithItsPosition) {
  for (const char* text : {"", "{", "{\"a\":}", "[1,]", "nul", "{\"a\":1}x", "\"\xFF\""}) {
    Result<nlohmann::json> parsed = parse_json_limited(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(parsed.error().message().rfind("not valid JSON at byte ", 0), 0u) << parsed.error().message();
  }
  Result<nlohmann::json> huge = parse_json_limited("[1e400]");
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().message(), "not valid JSON: a number is out of range");
}

// The monitor's list entries are checked this way before l4d2ctl prints them (host/list_snapshot.h).
TEST(IsObjectNamingTest, OneObjectWhoseTopLevelKeyIsTheValue) {
  EXPECT_TRUE(is_object_naming(R"({"name":"alpha"})", "name", "alpha"));
  EXPECT_TRUE(is_object_naming(R"( {"a":{"name":"x"},"b":[{"name":1}],"name":"alpha"} )", "name", "alpha"));
  for (const char* bad :
       {R"({"name":"beta"})", R"({"a":{"name":"alpha"}})", R"({"name":"alpha","name":null})",
        R"({"name":"alpha","name":"beta"})", R"({"name":{"x":1}})", R"(["name","alpha"])", R"("alpha")",
        R"({"name":"alpha"} {})", R"({"name":"alpha")", "", "{}", "1e400", R"({"name":"alpha","n":1e400})"}) {
    EXPECT_FALSE(is_object_naming(bad, "name", "alpha")) << bad;
  }
}

TEST(IsObjectNamingTest, NestingLimitIsParseJsonLimitedsOwn) {
  std::string at_limit = R"({"name":"a","x":)" + std::string(63, '[') + std::string(63, ']') + "}";
  std::string past_limit = R"({"name":"a","x":)" + std::string(64, '[') + std::string(64, ']') + "}";
  EXPECT_TRUE(is_object_naming(at_limit, "name", "a"));
  EXPECT_TRUE(parse_json_limited(at_limit).ok());
  EXPECT_FALSE(is_object_naming(past_limit, "name", "a"));
  EXPECT_FALSE(parse_json_limited(past_limit).ok());
  std::string very_deep = R"({"x":)" + std::string(200000, '[');
  EXPECT_FALSE(is_object_naming(very_deep, "name", "a"));
}

}  // namespace
}  // namespace left4me
