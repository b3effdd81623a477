#include "model/spec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "model/spec_rules.h"
#include "testing/test_support.h"

namespace left4me::model {
namespace {

SpecResult instance(std::string_view yaml) { return parse_instance_spec(yaml, "spec.yaml"); }
SpecResult blueprint(std::string_view yaml) { return parse_blueprint_spec(yaml, "blueprint"); }

// The formatted message of an instance spec that must fail with exactly one error.
std::string one_error(std::string_view yaml) {
  auto result = instance(yaml);
  if (result.ok()) return "<accepted>";
  EXPECT_EQ(result.errors().size(), 1u) << result.message();
  return result.message();
}

// Accepts yaml after "port: 27015\n" and returns the Spec (a failed parse fails the test).
Spec with_port(std::string_view rest) {
  auto result = instance("port: 27015\n" + std::string(rest));
  EXPECT_OK(result);
  return result.ok() ? result.value() : Spec{};
}

// The YAML example in docs/spec.md (the first ```yaml block).
std::string documented_example() {
  std::ifstream file(LEFT4ME_SPEC_DOC);
  std::stringstream text;
  text << file.rdbuf();
  std::string doc = text.str();
  auto start = doc.find("```yaml\n");
  if (start == std::string::npos) return "";
  start += 8;
  return doc.substr(start, doc.find("```", start) - start);
}

TEST(SpecTest, MinimalInstanceSpecGetsTheDefaults) {
  Spec spec = with_port("");
  EXPECT_EQ(spec.port, 27015);
  EXPECT_EQ(spec.map, "c1m1_hotel");
  EXPECT_EQ(spec.mode, "coop");
  EXPECT_EQ(spec.max_players, 8);
  EXPECT_FALSE(spec.hostname.has_value());
  EXPECT_FALSE(spec.rcon_password.has_value());
  EXPECT_TRUE(spec.overlays.empty() && spec.cvars.empty() && spec.args.empty() && spec.server_cfg.empty());
}

TEST(SpecTest, TheDocumentedExampleParses) {
  std::string example = documented_example();
  ASSERT_FALSE(example.empty()) << "no ```yaml block in " << LEFT4ME_SPEC_DOC;
  auto result = instance(example);
  ASSERT_OK(result);
  const Spec& spec = *result;
  EXPECT_EQ(spec.port, 27015);
  EXPECT_EQ(spec.overlays, (std::vector<std::string>{"competitive", "maps/cedapug"}));
  EXPECT_EQ(spec.hostname, "Friday Night Versus");
  EXPECT_EQ(spec.map, "c5m1_waterfront");
  EXPECT_EQ(spec.max_players, 8);
  EXPECT_EQ(spec.mode, "versus");
  EXPECT_EQ(spec.rcon_password, "correct-horse-battery");
  EXPECT_EQ(spec.cvars,
            (std::map<std::string, std::string>{
                {"sv_alltalk", "1"}, {"sv_cheats", "0"}, {"sv_tags", "versus,friday"}, {"z_difficulty", "Hard"}}));
  EXPECT_EQ(spec.args, (std::vector<std::string>{"-tickrate", "60", "+sv_lan", "0"}));
  EXPECT_EQ(spec.server_cfg, (std::vector<std::string>{"sv_logecho 1; log on", "exec banlist.cfg"}));
}

TEST(SpecTest, BlueprintTakesEveryKeyButPortAndName) {
  auto result = blueprint("hostname: Lobby\nmap: c2m1_highway\nmode: realism\nmax_players: 4\noverlays: [a]\n");
  ASSERT_OK(result);
  EXPECT_FALSE(result->port.has_value());
  EXPECT_EQ(result->mode, "realism");
  EXPECT_EQ(blueprint("port: 27015\n").message(),
            "blueprint:1: port: not allowed in a blueprint: each server gets its own port");
  EXPECT_EQ(blueprint("map: c1m1_hotel\nname: alpha\n").message(),
            "blueprint:2: name: not allowed in a blueprint: each server's name is chosen when it is created");
}

TEST(SpecTest, InstanceSpecRefusesName) {
  EXPECT_EQ(one_error("port: 27015\nname: alpha\n"),
            "spec.yaml:2: name: not allowed: the instance name is given on the command line");
}

TEST(SpecTest, PortIsRequiredAndRanged) {
  EXPECT_EQ(one_error("map: c1m1_hotel\n"), "spec.yaml: port: required in an instance spec (1024..65535)");
  EXPECT_EQ(one_error("hostname: a\nport: 70000\n"), "spec.yaml:2: port: 70000 is outside 1024..65535");
  EXPECT_EQ(one_error("port: 1023\n"), "spec.yaml:1: port: 1023 is outside 1024..65535");
  EXPECT_EQ(one_error("port: -1\n"), "spec.yaml:1: port: -1 is outside 1024..65535");
  EXPECT_EQ(one_error("port: \"27015\"\n"), "spec.yaml:1: port: expected a whole number, got \"27015\"");
  EXPECT_EQ(one_error("port: 27015.5\n"), "spec.yaml:1: port: expected a whole number, got \"27015.5\"");
  EXPECT_EQ(one_error("port: 99999999999999999999999\n"),
            "spec.yaml:1: port: expected a whole number, got \"99999999999999999999999\"");
  EXPECT_EQ(one_error("port: [27015]\n"), "spec.yaml:1: port: expected a whole number, got a list");
  EXPECT_EQ(one_error("port:\n"), "spec.yaml:1: port: expected a whole number, got nothing");
  EXPECT_EQ(one_error("port: !!str 27015\n"), "spec.yaml:1: port: expected a whole number, got \"27015\"");
  EXPECT_EQ(with_port("").port, instance("port: !!int 27015\n")->port);
  EXPECT_OK(instance("port: 1024"));
  EXPECT_OK(instance("port: 65535"));
}

TEST(SpecTest, UnknownKeysAreNamedWithTheirLine) {
  EXPECT_EQ(one_error("port: 27015\n\nmaxplayers: 8\n"),
            "spec.yaml:3: maxplayers: unknown key; expected one of port, overlays, hostname, map, max_players, mode, "
            "rcon_password, cvars, args, server_cfg");
  EXPECT_EQ(one_error("port: 27015\n[a]: 1\n"), "spec.yaml:2: keys must be plain names, got a list");
}

TEST(SpecTest, DuplicateKeysAreErrors) {
  EXPECT_EQ(one_error("port: 27015\nmap: c1m1_hotel\nport: 27016\n"),
            "spec.yaml:3: port: duplicate key (first at line 1)");
}

TEST(SpecTest, CollectsEveryErrorInDocumentOrder) {
  auto result = instance("port: 80\nmap: ../x\nmax_players: 33\nmode: deathmatch\ncolor: red\n");
  ASSERT_FALSE(result.ok());
  std::vector<std::pair<int, std::string>> where;
  for (const FieldError& error : result.errors()) where.emplace_back(error.line, error.field);
  EXPECT_EQ(where, (std::vector<std::pair<int, std::string>>{
                       {1, "port"}, {2, "map"}, {3, "max_players"}, {4, "mode"}, {5, "color"}}));
  const std::string message = result.message();
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 4) << message;
  EXPECT_EQ(result.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(result.to_result().ok());
}

TEST(SpecTest, MalformedYamlGivesTheParsersLine) {
  EXPECT_EQ(one_error("port: 27015\nmap: c1m1_hotel\n  mode: [coop\n"),
            "spec.yaml:3: malformed YAML: illegal map value");
  auto unclosed = instance("port: 27015\nargs: [\"-tickrate\n");
  ASSERT_FALSE(unclosed.ok());
  EXPECT_EQ(unclosed.errors()[0].field, "");
  EXPECT_NE(unclosed.message().find("malformed YAML"), std::string::npos) << unclosed.message();
  // yaml-cpp 0.7's LoadAll never returns on these (jbeder/yaml-cpp#1040).
  EXPECT_EQ(one_error(","), "spec.yaml:1: malformed YAML: unexpected character");
  EXPECT_EQ(one_error("port: 27015\nargs: [a]\n,\n"), "spec.yaml:3: malformed YAML: end of map not found");
  EXPECT_EQ(one_error("- x\n- (a in (-1, 1001) and b in (\n\"/x\",\n  \"-c\"\n  )  )\n"),
            "spec.yaml:3: malformed YAML: unexpected character");
}

// Nesting past 64 levels is refused by the counting pass, before yaml-cpp builds a node tree, in every form
// YAML has for it; past yaml-cpp's own guard (about 1000 levels) the message is the same.
TEST(SpecTest, DeepNestingIsRefusedWithItsLine) {
  const std::string refused = "the spec is nested deeper than 64 levels";
  auto nested_flow = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  EXPECT_EQ(one_error("port: 27015\nargs: " + nested_flow(64) + "\n"), "spec.yaml:2: " + refused);
  EXPECT_EQ(one_error("port: 27015\n\nargs: " + nested_flow(200000) + "\n"), "spec.yaml:3: " + refused);
  std::string maps = "port: 27015\ncvars: ";
  for (int i = 0; i < 100; ++i) maps += "{a: ";
  maps += "1" + std::string(100, '}') + "\n";
  EXPECT_EQ(one_error(maps), "spec.yaml:2: " + refused);
  std::string dashes = "port: 27015\nargs:\n";
  for (int i = 0; i < 100000; ++i) dashes += "- ";
  EXPECT_EQ(one_error(dashes + "x\n"), "spec.yaml:3: " + refused);
  std::string blocks = "port: 27015\nx:\n";
  for (int i = 1; i < 70; ++i) blocks += std::string(i, ' ') + "y:\n";
  EXPECT_NE(one_error(blocks).find(refused), std::string::npos);
  // 64 levels are not refused for their depth (the args rule refuses them).
  std::string at_limit = one_error("port: 27015\nargs: " + nested_flow(63) + "\n");
  EXPECT_EQ(at_limit.find("nested"), std::string::npos) << at_limit;
}

TEST(SpecTest, TopLevelMustBeOneMapping) {
  EXPECT_EQ(one_error(""), "spec.yaml: the spec is empty; expected a mapping of keys such as 'port: 27015'");
  EXPECT_EQ(one_error("# only a comment\n"),
            "spec.yaml: the spec is empty; expected a mapping of keys such as 'port: 27015'");
  EXPECT_EQ(one_error("- port: 27015\n"), "spec.yaml:1: expected a mapping of keys at the top level, got a list");
  EXPECT_EQ(one_error("port\n"), "spec.yaml:1: expected a mapping of keys at the top level, got \"port\"");
  EXPECT_EQ(one_error("port: 27015\n---\nport: 27016\n"),
            "spec.yaml:2: expected one YAML document, found another here");
  EXPECT_EQ(one_error(std::string(1 << 20, ' ') + "port: 27015"), "spec.yaml: the spec is larger than 1 MiB");
}

TEST(SpecTest, OverlaysAreIdsOrPathsUnderOverlays) {
  EXPECT_EQ(with_port("overlays: [top, maps/cedapug, 7, a.b-c_d]\n").overlays,
            (std::vector<std::string>{"top", "maps/cedapug", "7", "a.b-c_d"}));
  for (const std::string& bad :
       std::vector<std::string>{"../etc", "/etc", "a//b", "a/./b", "a/../b", ".hidden", "a/", "\"\"", "a b", "a:b",
                                "a,b", "-rf", "_x", "\"a\\nb\"", std::string(65, 'x'), "a/" + std::string(254, 'b')}) {
    auto result = instance("port: 27015\noverlays:\n  - " + bad + "\n");
    ASSERT_FALSE(result.ok()) << bad;
    EXPECT_EQ(result.errors()[0].line, 3) << bad;
    EXPECT_EQ(result.errors()[0].field, "overlays[0]") << bad;
    EXPECT_NE(result.errors()[0].message.find("is not an overlay"), std::string::npos) << result.message();
  }
}

TEST(SpecTest, OverlaysMayNotRepeatOrNest) {
  EXPECT_EQ(one_error("port: 27015\noverlays:\n  - a\n  - b\n  - a\n"),
            "spec.yaml:5: overlays[2]: \"a\" is listed twice (first at line 3); overlayfs refuses a layer twice");
  EXPECT_EQ(one_error("port: 27015\noverlays: [maps, maps/x]\n"),
            "spec.yaml:2: overlays[1]: \"maps/x\" overlaps \"maps\"; overlayfs refuses a layer inside another layer");
  EXPECT_OK(instance("port: 27015\noverlays: [maps, maps2/x]\n"));
}

TEST(SpecTest, OverlaysMustBeAListOfStringsOfBoundedLength) {
  EXPECT_EQ(one_error("port: 27015\noverlays: a\n"), "spec.yaml:2: overlays: expected a list, got \"a\"");
  EXPECT_EQ(one_error("port: 27015\noverlays:\n"),
            "spec.yaml:2: overlays: expected a list, got nothing (write [] for none)");
  EXPECT_EQ(one_error("port: 27015\noverlays: [[a]]\n"), "spec.yaml:2: overlays[0]: expected a string, got a list");
  EXPECT_EQ(one_error("port: 27015\noverlays: [a, ~]\n"), "spec.yaml:2: overlays[1]: expected a string, got nothing");
  std::string many = "port: 27015\noverlays: [";
  for (int i = 0; i < 500; ++i) many += (i ? ", o" : "o") + std::to_string(i);
  EXPECT_EQ(one_error(many + "]\n"), "spec.yaml:2: overlays: has 500 entries; at most 499");
}

TEST(SpecTest, HostnameIsAQuotableConsoleValue) {
  EXPECT_EQ(with_port("hostname: \"Café ☕ #1 server\"\n").hostname, "Café ☕ #1 server");
  EXPECT_EQ(with_port("hostname: Café ☕ #1 server\n").hostname, "Café ☕");  // YAML: " #" starts a comment
  EXPECT_EQ(with_port("hostname: 42\n").hostname, "42");
  EXPECT_EQ(with_port("hostname: " + std::string(63, 'h') + "\n").hostname, std::string(63, 'h'));
  EXPECT_EQ(one_error("port: 27015\nhostname: \"x\\\"; rcon_password y\"\n"),
            "spec.yaml:2: hostname: \"x\\\"; rcon_password y\" contains '\"', which would end the quoted value and "
            "run the rest as console commands");
  EXPECT_EQ(one_error("port: 27015\nhostname: \"a; quit\"\n"),
            "spec.yaml:2: hostname: \"a; quit\" contains ';', which would start another console command");
  EXPECT_EQ(one_error("port: 27015\nhostname: \"a\\nquit\"\n"),
            "spec.yaml:2: hostname: \"a\\nquit\" contains a line break (\\n), which would start another console "
            "command");
  EXPECT_EQ(one_error("port: 27015\nhostname: \"a\\rquit\"\n"),
            "spec.yaml:2: hostname: \"a\\rquit\" contains a carriage return (\\r), which would start another console "
            "command");
  EXPECT_EQ(one_error("port: 27015\nhostname: \"a\\x01\"\n"),
            "spec.yaml:2: hostname: \"a\\x01\" contains byte \\x01; control characters are not allowed");
  EXPECT_EQ(one_error("port: 27015\nhostname: \"\"\n"), "spec.yaml:2: hostname: \"\" is empty; use 1..63 bytes");
  EXPECT_EQ(one_error("port: 27015\nhostname: " + std::string(64, 'h') + "\n"),
            "spec.yaml:2: hostname: " + quoted_value(std::string(64, 'h')) + " is longer than 63 bytes");
  EXPECT_EQ(one_error("port: 27015\nhostname: {a: 1}\n"), "spec.yaml:2: hostname: expected a string, got a mapping");
  EXPECT_EQ(check_hostname("a\xff"), "is not valid UTF-8");
}

TEST(SpecTest, MapIsAMapName) {
  EXPECT_EQ(with_port("map: c14m1_junkyard\n").map, "c14m1_junkyard");
  for (const std::string& bad :
       std::vector<std::string>{"c1m1 hotel", "../x", "\"\"", "c1m1-hotel", std::string(65, 'm'), "\"a;quit\""}) {
    auto message = one_error("port: 27015\nmap: " + bad + "\n");
    EXPECT_NE(message.find("spec.yaml:2: map: "), std::string::npos) << message;
    EXPECT_NE(message.find("is not a map name"), std::string::npos) << message;
  }
}

TEST(SpecTest, MaxPlayersIsOneToThirtyTwo) {
  EXPECT_EQ(with_port("max_players: 1\n").max_players, 1);
  EXPECT_EQ(with_port("max_players: 32\n").max_players, 32);
  EXPECT_EQ(one_error("port: 27015\nmax_players: 0\n"), "spec.yaml:2: max_players: 0 is outside 1..32");
  EXPECT_EQ(one_error("port: 27015\nmax_players: 33\n"), "spec.yaml:2: max_players: 33 is outside 1..32");
  EXPECT_EQ(one_error("port: 27015\nmax_players: eight\n"),
            "spec.yaml:2: max_players: expected a whole number, got \"eight\"");
}

TEST(SpecTest, ModeIsAGameMode) {
  for (const std::string& mode :
       std::vector<std::string>{"coop", "realism", "versus", "survival", "scavenge", "teamversus", "teamscavenge",
                                "mutation1", "mutation12", "community5", "community99"}) {
    EXPECT_EQ(with_port("mode: " + mode + "\n").mode, mode);
  }
  for (const std::string& bad : std::vector<std::string>{"Coop", "deathmatch", "mutation", "mutation0", "mutation01",
                                                         "mutation100", "community-1", "\"coop versus\""}) {
    auto message = one_error("port: 27015\nmode: " + bad + "\n");
    EXPECT_NE(message.find("spec.yaml:2: mode: "), std::string::npos) << message;
    EXPECT_NE(message.find("is not a game mode"), std::string::npos) << message;
  }
}

TEST(SpecTest, RconPasswordIsCheckedAndNeverEchoed) {
  EXPECT_EQ(with_port("rcon_password: s3cret-Pass!\n").rcon_password, "s3cret-Pass!");
  EXPECT_EQ(with_port("rcon_password: 12345678\n").rcon_password, "12345678");
  EXPECT_EQ(one_error("port: 27015\nrcon_password: short\n"),
            "spec.yaml:2: rcon_password: must be 8..64 characters, got 5");
  EXPECT_EQ(one_error("port: 27015\nrcon_password: " + std::string(65, 'p') + "\n"),
            "spec.yaml:2: rcon_password: must be 8..64 characters, got 65");
  for (const std::string& bad :
       std::vector<std::string>{"\"pass word1\"", "\"pass\\\"word1\"", "\"pass'word1\"", "\"pass;word1\"",
                                "\"pass\\\\word1\"", "\"passwörd1\"", "\"pass\\nword1\""}) {
    auto message = one_error("port: 27015\nrcon_password: " + bad + "\n");
    EXPECT_EQ(message, "spec.yaml:2: rcon_password: must be printable ASCII without spaces, quotes, ';' or '\\'")
        << bad;
    EXPECT_EQ(message.find("word1"), std::string::npos);
  }
}

TEST(SpecTest, CvarsRenderScalarsAsText) {
  Spec spec = with_port(
      "cvars:\n  sv_cheats: 0\n  sv_gravity: 800.5\n  sv_tags: hello world\n  sv_alltalk: true\n"
      "  sv_a: yes\n  sv_b: Off\n  sv_c: \"true\"\n  sv_d: !!str on\n  sv_password: \"\"\n  Mixed_Case: x\n");
  EXPECT_EQ(spec.cvars, (std::map<std::string, std::string>{{"sv_cheats", "0"},
                                                            {"sv_gravity", "800.5"},
                                                            {"sv_tags", "hello world"},
                                                            {"sv_alltalk", "1"},
                                                            {"sv_a", "1"},
                                                            {"sv_b", "0"},
                                                            {"sv_c", "true"},
                                                            {"sv_d", "on"},
                                                            {"sv_password", ""},
                                                            {"Mixed_Case", "x"}}));
  EXPECT_TRUE(with_port("cvars: {}\n").cvars.empty());
}

TEST(SpecTest, CvarValuesThatWouldInjectCommandsAreRefused) {
  EXPECT_EQ(one_error("port: 27015\ncvars:\n  sv_cheats: 1; quit\n"),
            "spec.yaml:3: cvars.sv_cheats: value \"1; quit\" contains ';', which would start another console command");
  EXPECT_EQ(one_error("port: 27015\ncvars:\n  sv_cheats: \"1\\nquit\"\n"),
            "spec.yaml:3: cvars.sv_cheats: value \"1\\nquit\" contains a line break (\\n), which would start another "
            "console command");
  EXPECT_EQ(one_error("port: 27015\ncvars:\n  sv_tags: 'a\" ; quit'\n"),
            "spec.yaml:3: cvars.sv_tags: value \"a\\\" ; quit\" contains '\"', which would end the quoted value and "
            "run the rest as console commands");
  EXPECT_EQ(one_error("port: 27015\ncvars:\n  sv_tags: |\n    a\n    b\n"),
            "spec.yaml:3: cvars.sv_tags: value \"a\\nb\\n\" contains a line break (\\n), which would start another "
            "console command");
  EXPECT_EQ(one_error("port: 27015\ncvars:\n  sv_tags: " + std::string(256, 't') + "\n"),
            "spec.yaml:3: cvars.sv_tags: value " + quoted_value(std::string(256, 't')) + " is longer than 255 bytes");
}

TEST(SpecTest, CvarNamesAreCheckedAndManagedOnesRefused) {
  EXPECT_EQ(one_error("port: 27015\ncvars:\n  1abc: 1\n"),
            "spec.yaml:3: cvars.1abc: \"1abc\" is not a cvar name: use 1-64 characters A-Z, a-z, 0-9 or '_', not "
            "starting with a digit");
  EXPECT_NE(one_error("port: 27015\ncvars:\n  sv-cheats: 1\n").find("is not a cvar name"), std::string::npos);
  EXPECT_NE(one_error("port: 27015\ncvars:\n  \"sv cheats\": 1\n").find("is not a cvar name"), std::string::npos);
  EXPECT_EQ(one_error("port: 27015\ncvars:\n  hostname: x\n"),
            "spec.yaml:3: cvars.hostname: hostname is managed by the hostname key, not by cvars");
  EXPECT_EQ(one_error("port: 27015\ncvars:\n  RCON_Password: x\n"),
            "spec.yaml:3: cvars.RCON_Password: RCON_Password is managed by the rcon_password key, not by cvars");
  for (const std::string& managed :
       std::vector<std::string>{"mp_gamemode", "maxplayers", "map", "hostport", "servercfgfile", "ip", "tv_port"}) {
    EXPECT_NE(one_error("port: 27015\ncvars:\n  " + managed + ": 1\n").find("is managed by"), std::string::npos)
        << managed;
  }
  EXPECT_TRUE(with_port("cvars:\n  sv_maxplayers: 12\n").cvars.contains("sv_maxplayers"));
  EXPECT_EQ(one_error("port: 27015\ncvars:\n  sv_cheats: 0\n  SV_CHEATS: 1\n"),
            "spec.yaml:4: cvars.SV_CHEATS: duplicate cvar (first at line 3)");
}

TEST(SpecTest, CvarsMustBeAMappingOfScalars) {
  EXPECT_EQ(one_error("port: 27015\ncvars: [a]\n"),
            "spec.yaml:2: cvars: expected a mapping of cvar names to values, got a list");
  EXPECT_EQ(one_error("port: 27015\ncvars:\n"),
            "spec.yaml:2: cvars: expected a mapping of cvar names to values, got nothing (write {} for none)");
  EXPECT_EQ(one_error("port: 27015\ncvars:\n  sv_tags:\n"),
            "spec.yaml:3: cvars.sv_tags: expected a string, number or true/false, got nothing (write \"\" for an "
            "empty value)");
  EXPECT_EQ(one_error("port: 27015\ncvars:\n  sv_tags: [a, b]\n"),
            "spec.yaml:3: cvars.sv_tags: expected a string, number or true/false, got a list");
}

TEST(SpecTest, ArgsAreOptionsFollowedByValues) {
  EXPECT_EQ(
      with_port("args: [-tickrate, 100, +sv_lan, \"0\", -nohltv, +sv_region, -1, +exec, my.cfg]\n").args,
      (std::vector<std::string>{"-tickrate", "100", "+sv_lan", "0", "-nohltv", "+sv_region", "-1", "+exec", "my.cfg"}));
  EXPECT_EQ(one_error("port: 27015\nargs: [\"100\"]\n"),
            "spec.yaml:2: args[0]: \"100\" is a value before any option; start with an option such as +sv_lan or "
            "-tickrate");
  EXPECT_EQ(one_error("port: 27015\nargs: [\"+sv_lan 0\"]\n"),
            "spec.yaml:2: args[0]: \"+sv_lan 0\" is not an option: use + or - and 1-64 characters A-Z, a-z, 0-9 or "
            "'_'");
  EXPECT_EQ(one_error("port: 27015\nargs:\n  - -tickrate\n  - \"60 +rcon_password x\"\n"),
            "spec.yaml:4: args[1]: \"60 +rcon_password x\" contains a space; L4D2_ARGS is split on whitespace, so "
            "give each word as its own item");
  EXPECT_EQ(one_error("port: 27015\nargs: [-tickrate, \"$(reboot)\"]\n"),
            "spec.yaml:2: args[1]: \"$(reboot)\" contains '$', which is not allowed in srcds arguments (allowed: "
            "A-Z a-z 0-9 _ . , : / @ % + = -)");
  for (const std::string& bad :
       std::vector<std::string>{"\"a;b\"", "\"`id`\"", "\"a\\nb\"", "\"a\\tb\"", "\"'a'\"", "\"\\\"a\\\"\"",
                                "\"a\\\\b\"", "\"a|b\"", "\"a&b\"", "\"a>b\"", "\"*\"", "\"~\"", "\"\"", "[x]"}) {
    auto result = instance("port: 27015\nargs: [-tickrate, " + bad + "]\n");
    ASSERT_FALSE(result.ok()) << bad;
    EXPECT_EQ(result.errors()[0].field, "args[1]") << bad;
  }
  EXPECT_EQ(one_error("port: 27015\nargs: -tickrate 60\n"), "spec.yaml:2: args: expected a list, got \"-tickrate 60\"");
}

// srcds_run's wrapper options would change what runs and where its output goes (-binary, -gdb,
// -consolelog ...); -steamport would bind a second port. Only the game's known options pass.
TEST(SpecTest, ArgsAreAnAllowListOfGameOptionsWithoutTheWrappersOwn) {
  for (const std::string& wrapper :
       std::vector<std::string>{"-binary", "-autoupdate", "-steam_dir", "-steamcmd_script", "-consolelog", "-debuglog",
                                "-gdb", "-debug", "-fork", "-notrap", "-timeout", "-DEBUG", "-nodefaultmap"}) {
    auto message = one_error("port: 27015\nargs: [" + wrapper + ", x]\n");
    EXPECT_EQ(message, "spec.yaml:2: args[0]: \"" + wrapper +
                           "\" is an option of srcds_run, the wrapper script, not of the game; left4me runs the game "
                           "itself")
        << wrapper;
  }
  EXPECT_EQ(one_error("port: 27015\nargs: [-steamport, \"26901\"]\n"),
            "spec.yaml:2: args[0]: \"-steamport\" is set by left4me (a server may bind only its own game port) and "
            "cannot be given in args");
  EXPECT_EQ(one_error("port: 27015\nargs: [-x]\n"),
            "spec.yaml:2: args[0]: \"-x\" is not a known game option (known: -tickrate, -nohltv, -insecure, "
            "-condebug, -console, -strictportbind, -nobreakpad, -nomaster, -num_edicts, -allowdebug; console "
            "settings are +name value)");
  EXPECT_EQ(with_port("args: [-TickRate, \"60\", -nohltv, -insecure, -condebug, -strictportbind, +sv_lan, 1]\n").args,
            (std::vector<std::string>{"-TickRate", "60", "-nohltv", "-insecure", "-condebug", "-strictportbind",
                                      "+sv_lan", "1"}));
}

TEST(SpecTest, ArgsLeft4meControlsAreRefused) {
  for (const std::string& managed :
       std::vector<std::string>{"-game", "-norestart", "+ip", "-ip", "+hostport", "-port", "+map", "-maxplayers",
                                "+maxplayers", "+MP_GAMEMODE", "+servercfgfile", "+hostname", "+rcon_password",
                                "-netconport", "-netconpassword", "-pidfile", "+clientport", "+tv_port", "-GAME"}) {
    auto message = one_error("port: 27015\nargs: [" + managed + "]\n");
    EXPECT_NE(message.find("spec.yaml:2: args[0]: \"" + managed + "\" is set by "), std::string::npos) << message;
    EXPECT_NE(message.find("and cannot be given in args"), std::string::npos) << message;
  }
}

TEST(SpecTest, ServerCfgLinesAreFreeButSingle) {
  EXPECT_EQ(with_port("server_cfg:\n  - sv_logecho 1; log on\n  - \"\"\n  - say \"a;hostname x\"\n"
                      "  - // hostname is set by left4me\n  - \"z_difficulty\\tHard\"\n")
                .server_cfg,
            (std::vector<std::string>{"sv_logecho 1; log on", "", "say \"a;hostname x\"",
                                      "// hostname is set by left4me", "z_difficulty\tHard"}));
  EXPECT_EQ(one_error("port: 27015\nserver_cfg:\n  - \"sv_cheats 0\\nquit\"\n"),
            "spec.yaml:3: server_cfg[0]: line \"sv_cheats 0\\nquit\" contains a line break (\\n); give each line as "
            "its own list item");
  EXPECT_EQ(one_error("port: 27015\nserver_cfg:\n  - \"a\\rb\"\n"),
            "spec.yaml:3: server_cfg[0]: line \"a\\rb\" contains a carriage return (\\r); give each line as its own "
            "list item");
  EXPECT_EQ(one_error("port: 27015\nserver_cfg:\n  - \"a\\0b\"\n"),
            "spec.yaml:3: server_cfg[0]: line \"a\\x00b\" contains byte \\x00; control characters are not allowed");
  EXPECT_NE(one_error("port: 27015\nserver_cfg:\n  - " + std::string(512, 'x') + "\n").find("longer than 511 bytes"),
            std::string::npos);
  EXPECT_TRUE(with_port("server_cfg:\n  - " + std::string(511, 'x') + "\n").server_cfg.size() == 1);
  EXPECT_EQ(one_error("port: 27015\nserver_cfg: [~]\n"), "spec.yaml:2: server_cfg[0]: expected a string, got nothing");
}

TEST(SpecTest, ServerCfgLinesMayNotSetManagedNames) {
  for (const std::string& line :
       std::vector<std::string>{"hostname x", "  RCON_PASSWORD x", "sv_cheats 0; hostname x", "\\\"hostname\\\" x",
                                "map c2m1_highway", "mp_gamemode versus"}) {
    auto message = one_error("port: 27015\nserver_cfg:\n  - \"" + line + "\"\n");
    EXPECT_NE(message.find(", which is managed by"), std::string::npos) << message;
  }
}

TEST(SpecTest, FormattedYamlParsesBackToTheSameSpec) {
  Spec spec = with_port(
      "overlays: [a, b/c]\nhostname: \"Bob's: #1 'server' ☕\"\nmap: c2m1_highway\nmax_players: 4\nmode: mutation4\n"
      "rcon_password: \"p@ss:word#1\"\ncvars: {sv_tags: \"yes\", sv_password: \"\", sv_cheats: 0, sv_x: '- a: b'}\n"
      "args: [-tickrate, \"100\", +sv_lan, \"0\"]\nserver_cfg: [\"say \\\"hi\\\"; log on\", \"\", \"  indented\"]\n");
  std::string yaml = format_spec_yaml(spec);
  auto again = instance(yaml);
  ASSERT_OK(again) << yaml;
  EXPECT_EQ(*again, spec) << yaml;

  Spec bare;  // a blueprint: no port, defaults and empty lists
  auto bare_again = blueprint(format_spec_yaml(bare));
  ASSERT_OK(bare_again) << format_spec_yaml(bare);
  EXPECT_EQ(*bare_again, bare);
}

TEST(SpecTest, FieldErrorsFormatWithAndWithoutLineAndField) {
  EXPECT_EQ(format_field_error("f", {7, "port", "bad"}), "f:7: port: bad");
  EXPECT_EQ(format_field_error("f", {0, "port", "bad"}), "f: port: bad");
  EXPECT_EQ(format_field_error("f", {3, "", "bad"}), "f:3: bad");
}

TEST(SpecTest, GeneratedRconPasswordsAreRandomAlphanumeric) {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    auto password = generate_rcon_password();
    ASSERT_OK(password);
    EXPECT_EQ(password->size(), kRconPasswordLength);
    EXPECT_TRUE(std::all_of(password->begin(), password->end(), [](char c) { return std::isalnum(c) != 0; }));
    EXPECT_FALSE(check_rcon_password(*password).has_value());
    seen.insert(*password);
  }
  EXPECT_EQ(seen.size(), 50u);
}

}  // namespace
}  // namespace left4me::model
