#include "model/render.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/strings.h"
#include "testing/test_support.h"

namespace left4me::model {
namespace {

const InstanceName kAlpha = *InstanceName::create("alpha");
const Layout kLayout = *Layout::create("/srv/l4d");
constexpr std::string_view kPassword = "Abcdefgh12345678";

Spec parse_ok(std::string_view yaml) {
  auto result = parse_instance_spec(yaml, "spec.yaml");
  EXPECT_OK(result);
  return result.ok() ? result.value() : Spec{};
}

std::string env_error(std::string_view text) {
  auto env = parse_instance_env(text, "instance.env");
  return env.ok() ? "<accepted>" : env.error().message();
}

const std::string kEnvText =
    "# Written by l4d2ctl initialize from the instance spec; edit the spec, not this file.\n"
    "L4D2_PORT=27016\n"
    "L4D2_LOWERDIRS=/srv/l4d/overlays/top:/srv/l4d/overlays/maps/x:/srv/l4d/installation\n"
    "L4D2_ARGS=+map c2m1_highway +mp_gamemode versus -maxplayers 8 +servercfgfile server.cfg -tickrate 60\n";

TEST(RenderTest, InstanceEnvFromASpec) {
  Spec spec =
      parse_ok("port: 27016\noverlays: [top, maps/x]\nmap: c2m1_highway\nmode: versus\nargs: [-tickrate, 60]\n");
  EXPECT_EQ(overlay_directories(spec, kLayout),
            (std::vector<std::string>{"/srv/l4d/overlays/top", "/srv/l4d/overlays/maps/x"}));
  auto env = make_instance_env(spec, kLayout, overlay_directories(spec, kLayout));
  ASSERT_OK(env);
  EXPECT_EQ(env->port, 27016);
  EXPECT_EQ(env->lowerdirs,
            (std::vector<std::string>{"/srv/l4d/overlays/top", "/srv/l4d/overlays/maps/x", "/srv/l4d/installation"}));
  EXPECT_EQ(env->args, (std::vector<std::string>{"+map", "c2m1_highway", "+mp_gamemode", "versus", "-maxplayers", "8",
                                                 "+servercfgfile", "server.cfg", "-tickrate", "60"}));
  EXPECT_EQ(render_instance_env(*env), kEnvText);
}

TEST(RenderTest, NoOverlaysMeansTheInstallationAlone) {
  auto env = make_instance_env(parse_ok("port: 27015\n"), kLayout, {});
  ASSERT_OK(env);
  EXPECT_EQ(env->lowerdirs, std::vector<std::string>{"/srv/l4d/installation"});
  EXPECT_EQ(join(env->args, " "), "+map c1m1_hotel +mp_gamemode coop -maxplayers 8 +servercfgfile server.cfg");
}

TEST(RenderTest, InstanceEnvRefusesWhatCannotBeWrittenSafely) {
  Spec spec = parse_ok("port: 27015\n");
  Spec no_port = spec;
  no_port.port.reset();
  EXPECT_EQ(make_instance_env(no_port, kLayout, {}).error().message(),
            "the spec has no port; a blueprint spec cannot be rendered");
  EXPECT_OK(make_instance_env(spec, kLayout, std::vector<std::string>(499, "/srv/l4d/overlays/o")));
  EXPECT_EQ(make_instance_env(spec, kLayout, std::vector<std::string>(500, "/srv/l4d/overlays/o")).error().message(),
            "500 overlays and the installation exceed overlayfs's 500 layers");
  for (const std::string& dir :
       std::vector<std::string>{"relative/dir", "", "/a:b", "/a,b", "/a b", "/a\"b", "/a\nb", "/a$b"}) {
    auto env = make_instance_env(spec, kLayout, {dir});
    ASSERT_FALSE(env.ok()) << dir;
    EXPECT_EQ(env.error().code(), ErrorCode::kInvalidArgument);
  }
  Spec hand_made = spec;  // a Spec built in code, bypassing the parser
  hand_made.args = {"-x", "a b"};
  EXPECT_EQ(make_instance_env(hand_made, kLayout, {}).error().message(),
            "argument \"a b\" is not a safe srcds argument");
}

TEST(RenderTest, InstanceEnvRoundTrips) {
  auto env = parse_instance_env(kEnvText, "instance.env");
  ASSERT_OK(env);
  EXPECT_EQ(env->port, 27016);
  EXPECT_EQ(env->lowerdirs.size(), 3u);
  EXPECT_EQ(env->lowerdirs.back(), "/srv/l4d/installation");
  EXPECT_EQ(env->args.size(), 10u);
  EXPECT_EQ(render_instance_env(*env), kEnvText);
  EXPECT_EQ(*parse_instance_env(render_instance_env(*env), "x"), *env);
}

TEST(RenderTest, ParseInstanceEnvSkipsCommentsAndBlankLinesAndSplitsLikeSystemd) {
  auto env = parse_instance_env("\n# c\nL4D2_ARGS=  +map   c1m1_hotel\t-x \nL4D2_PORT=27015\n\nL4D2_LOWERDIRS=/i",
                                "instance.env");
  ASSERT_OK(env);
  EXPECT_EQ(env->args, (std::vector<std::string>{"+map", "c1m1_hotel", "-x"}));
  EXPECT_EQ(env->lowerdirs, std::vector<std::string>{"/i"});
}

TEST(RenderTest, ParseInstanceEnvErrors) {
  const std::string port = "L4D2_PORT=27015\n";
  const std::string lower = "L4D2_LOWERDIRS=/a:/i\n";
  const std::string args = "L4D2_ARGS=+map c1m1_hotel\n";
  EXPECT_EQ(env_error(lower + args), "instance.env: L4D2_PORT: missing");
  EXPECT_EQ(env_error(port + args), "instance.env: L4D2_LOWERDIRS: missing");
  EXPECT_EQ(env_error(port + lower), "instance.env: L4D2_ARGS: missing");
  EXPECT_EQ(env_error("L4D2_PORT=\n" + lower + args), "instance.env:1: L4D2_PORT: is empty");
  EXPECT_EQ(env_error(port + "L4D2_LOWERDIRS=\n" + args), "instance.env:2: L4D2_LOWERDIRS: is empty");
  EXPECT_EQ(env_error(port + lower + "L4D2_ARGS= \t \n"), "instance.env:3: L4D2_ARGS: is empty");
  EXPECT_EQ(env_error(port + port + lower + args), "instance.env:2: L4D2_PORT: duplicate key (first at line 1)");
  EXPECT_EQ(env_error(port + "OTHER=1\n"),
            "instance.env:2: unknown key \"OTHER\"; expected L4D2_PORT, L4D2_LOWERDIRS and L4D2_ARGS");
  EXPECT_EQ(env_error(" L4D2_PORT=27015\n"),
            "instance.env:1: unknown key \" L4D2_PORT\"; expected L4D2_PORT, L4D2_LOWERDIRS and L4D2_ARGS");
  EXPECT_EQ(env_error(port + "garbage\n"), "instance.env:2: expected KEY=VALUE, got \"garbage\"");
  EXPECT_EQ(env_error("L4D2_PORT=80\n"), "instance.env:1: L4D2_PORT: \"80\" is not a port in 1024..65535");
  EXPECT_EQ(env_error("L4D2_PORT=27015x\n"), "instance.env:1: L4D2_PORT: \"27015x\" is not a port in 1024..65535");
  EXPECT_EQ(env_error("L4D2_PORT=27015\r\n"), "instance.env:1: L4D2_PORT: \"27015\\r\" is not a port in 1024..65535");
  EXPECT_EQ(env_error("L4D2_LOWERDIRS=/a::/i\n"), "instance.env:1: L4D2_LOWERDIRS: layer 2 is empty");
  EXPECT_EQ(env_error("L4D2_LOWERDIRS=:/i\n"), "instance.env:1: L4D2_LOWERDIRS: layer 1 is empty");
  EXPECT_EQ(env_error("L4D2_LOWERDIRS=/a:/i:\n"), "instance.env:1: L4D2_LOWERDIRS: layer 3 is empty");
  EXPECT_EQ(env_error("L4D2_LOWERDIRS=/a:i\n"),
            "instance.env:1: L4D2_LOWERDIRS: lowerdir \"i\" is not an absolute path");
  EXPECT_EQ(env_error("L4D2_LOWERDIRS=\"/a\"\n"),
            "instance.env:1: L4D2_LOWERDIRS: lowerdir \"\\\"/a\\\"\" is not an absolute path");
  EXPECT_EQ(env_error("L4D2_ARGS=+map \"c1m1_hotel\"\n"),
            "instance.env:1: L4D2_ARGS: argument \"\\\"c1m1_hotel\\\"\" is not a safe srcds argument");
  // Read as root by left4me-systemctl: srcds_run's own options never pass, whoever wrote the file.
  EXPECT_EQ(env_error("L4D2_ARGS=+map c1m1_hotel -binary /tmp/x\n"),
            "instance.env:1: L4D2_ARGS: argument \"-binary\" is an option of srcds_run, not of the game");
  EXPECT_EQ(env_error("L4D2_ARGS=-GDB\n"),
            "instance.env:1: L4D2_ARGS: argument \"-GDB\" is an option of srcds_run, not of the game");
}

TEST(RenderTest, ParseInstanceEnvAllowsAtMost500Layers) {
  auto layers = [](int count) {
    std::vector<std::string> dirs(static_cast<std::size_t>(count), "/o");
    return "L4D2_PORT=27015\nL4D2_ARGS=+map c1m1_hotel\nL4D2_LOWERDIRS=" + join(dirs, ":") + "\n";
  };
  auto env = parse_instance_env(layers(500), "instance.env");
  ASSERT_OK(env);
  EXPECT_EQ(env->lowerdirs.size(), 500u);
  EXPECT_EQ(env_error(layers(501)), "instance.env:3: L4D2_LOWERDIRS: 501 layers; at most 500");
}

TEST(RenderTest, ServerArgvPutsTheFixedArgumentsFirst) {
  auto env = parse_instance_env(kEnvText, "instance.env");
  ASSERT_OK(env);
  EXPECT_EQ(
      server_argv(*env, "/srv/l4d/runtime/alpha/merged/srcds_run"),
      (std::vector<std::string>{"/srv/l4d/runtime/alpha/merged/srcds_run", "-norestart", "-game", "left4dead2", "+ip",
                                "0.0.0.0", "+hostport", "27016", "+map", "c2m1_highway", "+mp_gamemode", "versus",
                                "-maxplayers", "8", "+servercfgfile", "server.cfg", "-tickrate", "60"}));
}

TEST(RenderTest, ServerCfgIsDeterministic) {
  Spec spec = parse_ok(
      "port: 27015\nhostname: Friday ☕\ncvars: {z_difficulty: Hard, sv_cheats: 0, sv_alltalk: on, sv_password: ''}\n"
      "server_cfg: [\"sv_logecho 1; log on\", \"\", exec banlist.cfg]\n");
  auto cfg = render_server_cfg(spec, kAlpha, kPassword);
  ASSERT_OK(cfg);
  EXPECT_EQ(*cfg,
            "// Written by l4d2ctl initialize from the instance spec; edit the spec, not this file.\n"
            "hostname \"Friday ☕\"\n"
            "rcon_password \"Abcdefgh12345678\"\n"
            "// cvars\n"
            "sv_alltalk \"1\"\n"
            "sv_cheats \"0\"\n"
            "sv_password \"\"\n"
            "z_difficulty \"Hard\"\n"
            "// server_cfg\n"
            "sv_logecho 1; log on\n"
            "\n"
            "exec banlist.cfg\n");
}

TEST(RenderTest, ServerCfgDefaultsTheHostnameToTheInstanceName) {
  auto cfg = render_server_cfg(parse_ok("port: 27015\n"), kAlpha, kPassword);
  ASSERT_OK(cfg);
  EXPECT_EQ(*cfg,
            "// Written by l4d2ctl initialize from the instance spec; edit the spec, not this file.\n"
            "hostname \"alpha\"\n"
            "rcon_password \"Abcdefgh12345678\"\n");
  auto long_name = *InstanceName::create(std::string(64, 'n'));
  EXPECT_NE(
      render_server_cfg(parse_ok("port: 27015\n"), long_name, kPassword)->find("\"" + std::string(63, 'n') + "\""),
      std::string::npos);
}

TEST(RenderTest, ServerCfgRefusesUnsafeInputEvenFromAHandMadeSpec) {
  Spec spec = parse_ok("port: 27015\n");
  EXPECT_EQ(render_server_cfg(spec, kAlpha, "short").error().message(),
            "rcon_password: must be 8..64 characters, got 5");
  EXPECT_FALSE(render_server_cfg(spec, kAlpha, "pass\"word; quit").ok());
  Spec bad_hostname = spec;
  bad_hostname.hostname = "x\"; rcon_password y";
  EXPECT_FALSE(render_server_cfg(bad_hostname, kAlpha, kPassword).ok());
  Spec bad_cvar = spec;
  bad_cvar.cvars["sv_cheats"] = "1; quit";
  EXPECT_FALSE(render_server_cfg(bad_cvar, kAlpha, kPassword).ok());
  Spec managed_cvar = spec;
  managed_cvar.cvars["rcon_password"] = "x";
  EXPECT_FALSE(render_server_cfg(managed_cvar, kAlpha, kPassword).ok());
  Spec bad_line = spec;
  bad_line.server_cfg = {"a\nquit"};
  EXPECT_FALSE(render_server_cfg(bad_line, kAlpha, kPassword).ok());
}

TEST(RenderTest, FindRconPasswordReadsBackTheRenderedOne) {
  Spec spec = parse_ok("port: 27015\nserver_cfg: [\"say rcon_password \\\"NotThisOne1\\\"\"]\n");
  auto cfg = render_server_cfg(spec, kAlpha, kPassword);
  ASSERT_OK(cfg);
  EXPECT_EQ(find_rcon_password(*cfg), std::string(kPassword));
  EXPECT_EQ(find_rcon_password("hostname \"x\"\n"), std::nullopt);
  EXPECT_EQ(find_rcon_password("rcon_password \"short\"\n"), std::nullopt);
  EXPECT_EQ(find_rcon_password("rcon_password \"\"\n"), std::nullopt);
  EXPECT_EQ(find_rcon_password("rcon_password \""), std::nullopt);
}

TEST(RenderTest, RenderInstanceFromYamlToArgv) {
  Spec spec = parse_ok("port: 27020\noverlays: [a]\nmode: survival\nmax_players: 4\nargs: [+sv_lan, 1]\n");
  auto rendered = render_instance(spec, kAlpha, kLayout, overlay_directories(spec, kLayout), kPassword);
  ASSERT_OK(rendered);
  auto env = parse_instance_env(rendered->instance_env, "instance.env");
  ASSERT_OK(env);
  EXPECT_EQ(*env, rendered->env);
  EXPECT_EQ(join(server_argv(*env, "srcds_run"), " "),
            "srcds_run -norestart -game left4dead2 +ip 0.0.0.0 +hostport 27020 +map c1m1_hotel +mp_gamemode survival "
            "-maxplayers 4 +servercfgfile server.cfg +sv_lan 1");
  EXPECT_EQ(find_rcon_password(rendered->server_cfg), std::string(kPassword));
  EXPECT_FALSE(render_instance(spec, kAlpha, kLayout, {}, "bad").ok());
}

TEST(RenderTest, TheDocumentedExampleRendersAsDocumented) {
  std::ifstream file(LEFT4ME_SPEC_DOC);
  std::stringstream text;
  text << file.rdbuf();
  const std::string doc = text.str();
  auto start = doc.find("```yaml\n");
  ASSERT_NE(start, std::string::npos);
  start += 8;
  Spec spec = parse_ok(doc.substr(start, doc.find("```", start) - start));
  Layout layout = *Layout::create("/var/lib/left4me");
  auto rendered = render_instance(spec, kAlpha, layout, overlay_directories(spec, layout), *spec.rcon_password);
  ASSERT_OK(rendered);
  EXPECT_NE(doc.find("```\n" + rendered->instance_env + "```"), std::string::npos) << rendered->instance_env;
  EXPECT_NE(doc.find("```\n" + rendered->server_cfg + "```"), std::string::npos) << rendered->server_cfg;
}

}  // namespace
}  // namespace left4me::model
