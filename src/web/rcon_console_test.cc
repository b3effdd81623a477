// The RCON console (rcon_console.h, rcon_routes.cc): the commands its buttons build, and end to end over real
// HTTP with the stand-in l4d2ctl and a real SQLite file: the owner and administrators can, anyone else gets 404
// and leaves no trace, and every command (run, failed or refused) lands in the audit log.
#include "web/rcon_console.h"

#include <gtest/gtest.h>

#include "web/web_fixture.h"

namespace left4me::web {
namespace {

using testing::Browser;
using testing::HttpReply;

TEST(RconCommandsTest, TypedCommandsAreOneLineOfUtf8) {
  EXPECT_TRUE(check_console_command("status").ok());
  EXPECT_TRUE(check_console_command("say Zo\xC3\xAB").ok());
  EXPECT_FALSE(check_console_command("").ok());
  EXPECT_FALSE(check_console_command("status\nquit").ok());
  EXPECT_FALSE(check_console_command("status\rquit").ok());
  EXPECT_FALSE(check_console_command(std::string("status\0quit", 11)).ok());
  EXPECT_FALSE(check_console_command("say \xFF").ok());
  EXPECT_FALSE(check_console_command(std::string(kMaxConsoleCommand + 1, 'a')).ok());
  EXPECT_TRUE(check_console_command(std::string(kMaxConsoleCommand, 'a')).ok());
}

// A player chooses their name: one that could close the quotes and run another command is never sent.
TEST(RconCommandsTest, KickQuotesTheNameAndRefusesNamesThatCouldBreakOut) {
  EXPECT_EQ(*kick_command("Coach Two"), "kick \"Coach Two\"");
  EXPECT_EQ(*kick_command("<b>Zo\xC3\xAB</b>"), "kick \"<b>Zo\xC3\xAB</b>\"");
  for (const char* name : {"x\"; quit; \"", "a;quit", "line\nquit", "", "bad \xFF"}) {
    Result<std::string> command = kick_command(name);
    EXPECT_FALSE(command.ok()) << name;
    if (!command.ok()) {
      EXPECT_EQ(command.error().code(), ErrorCode::kInvalidArgument);
    }
  }
}

TEST(RconCommandsTest, SayAndChangelevel) {
  EXPECT_EQ(*say_command("back in 5"), "say back in 5");
  EXPECT_FALSE(say_command("hi; quit").ok());
  EXPECT_FALSE(say_command("\"").ok());
  EXPECT_FALSE(say_command("").ok());
  model::MapCatalog catalog;
  catalog.campaigns.push_back({.title = "Dead Center", .origin = "official", .maps = {{.name = "c1m1_hotel"}}});
  catalog.other_maps.push_back({.name = "dw_01_path"});
  EXPECT_EQ(*changelevel_command(catalog, "c1m1_hotel"), "changelevel c1m1_hotel");
  EXPECT_EQ(*changelevel_command(catalog, "dw_01_path"), "changelevel dw_01_path");
  Result<std::string> unknown = changelevel_command(catalog, "c1m1_hotel; quit");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message().find("is not in the server's map list"), std::string::npos);
}

class RconConsoleTest : public testing::WebFixture {
 protected:
  // alice's started server "alpha" (its id); bob (a user) and root (an admin) are logged in too.
  std::int64_t start_alpha() {
    start();
    create_user("alice", Role::kUser);
    create_user("bob", Role::kUser);
    create_user("root", Role::kAdmin);
    alice_.emplace(logged_in("alice"));
    HttpReply server = make_server(*alice_, "alpha", make_blueprint(*alice_, "base"));
    EXPECT_EQ(server.status, 201) << server.body;
    instance_ = instance_of(server);
    std::int64_t id = server.json()["server"]["id"];
    EXPECT_EQ(wait_job(*alice_, job_of(alice_->post("/api/v1/servers/" + std::to_string(id) + "/start"))), "succeeded");
    return id;
  }
  std::string path(std::int64_t id) { return "/api/v1/servers/" + std::to_string(id) + "/rcon"; }

  std::optional<Browser> alice_;
  std::string instance_;
};

TEST_F(RconConsoleTest, TheOwnerRunsCommandsAndEachIsLogged) {
  std::int64_t id = start_alpha();
  HttpReply reply = alice_->post(path(id), {{"command", "status"}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json()["outcome"], "ok");
  EXPECT_EQ(reply.json()["reply"], "hostname: h\nmap     : c1m1_hotel\n");
  HttpReply said = alice_->post(path(id), {{"action", "say"}, {"text", "back in 5"}});
  ASSERT_EQ(said.status, 200) << said.body;
  EXPECT_EQ(said.json()["command"], "say back in 5");
  HttpReply map = alice_->post(path(id), {{"action", "changelevel"}, {"map", "c2m1_highway"}});
  ASSERT_EQ(map.status, 200) << map.body;
  EXPECT_EQ(read_fake(instance_ + ".rcon"), "status\nsay back in 5\nchangelevel c2m1_highway\n");

  HttpReply audit = alice_->get(path(id));
  ASSERT_EQ(audit.status, 200) << audit.body;
  nlohmann::json entries = audit.json()["entries"];
  ASSERT_EQ(entries.size(), 3u) << audit.body;
  EXPECT_EQ(entries[0]["command"], "changelevel c2m1_highway");  // newest first
  EXPECT_EQ(entries[2]["command"], "status");
  EXPECT_EQ(entries[2]["user"], "alice");
  EXPECT_EQ(entries[2]["outcome"], "ok");
  EXPECT_GT(entries[2]["at"].get<std::int64_t>(), 1700000000);
}

TEST_F(RconConsoleTest, AnotherUserGets404AndLeavesNoTraceWhileAnAdminCan) {
  std::int64_t id = start_alpha();
  Browser bob = logged_in("bob");
  EXPECT_EQ(bob.post(path(id), {{"command", "quit"}}).status, 404);
  EXPECT_EQ(bob.get(path(id)).status, 404);
  EXPECT_EQ(post_form(bob, "/servers/" + std::to_string(id) + "/rcon", "command=quit", true, true).status, 404);
  EXPECT_EQ(read_fake(instance_ + ".rcon"), "");
  EXPECT_TRUE(alice_->get(path(id)).json()["entries"].empty());

  Browser root = logged_in("root");
  HttpReply reply = root.post(path(id), {{"command", "status"}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  nlohmann::json entries = root.get(path(id)).json()["entries"];
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0]["user"], "root");
  EXPECT_EQ(alice_->get(path(id)).json()["entries"].size(), 1u);  // the owner sees what the admin did
}

TEST_F(RconConsoleTest, FailedAndRefusedCommandsAreLoggedToo) {
  std::int64_t id = start_alpha();
  HttpReply refused = alice_->post(path(id), {{"action", "kick"}, {"player", "x\"; quit; \""}});
  EXPECT_EQ(refused.status, 422) << refused.body;
  HttpReply off_list = alice_->post(path(id), {{"action", "changelevel"}, {"map", "c9m9_nowhere"}});
  EXPECT_EQ(off_list.status, 422) << off_list.body;
  EXPECT_NE(off_list.body.find("is not in the server's map list"), std::string::npos) << off_list.body;
  EXPECT_EQ(alice_->post(path(id), {{"command", "status\nquit"}}).status, 422);
  EXPECT_EQ(read_fake(instance_ + ".rcon"), "");  // nothing refused reached l4d2ctl

  write_fake(instance_ + ".state", "stopped\n");
  HttpReply failed = alice_->post(path(id), {{"command", "status"}});
  ASSERT_EQ(failed.status, 200) << failed.body;
  EXPECT_EQ(failed.json()["outcome"], "failed");
  EXPECT_EQ(failed.json()["detail"], "rcon '" + instance_ + "': the server is not running (stopped)");

  nlohmann::json entries = alice_->get(path(id)).json()["entries"];
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0]["outcome"], "failed");
  EXPECT_EQ(entries[1]["outcome"], "refused");
  EXPECT_EQ(entries[1]["command"], "status\xEF\xBF\xBDquit");  // logged, the line break shown as U+FFFD
  EXPECT_EQ(entries[2]["command"], "changelevel c9m9_nowhere");
  EXPECT_EQ(entries[3]["command"], "kick x\"; quit; \"");
  EXPECT_NE(entries[3]["detail"].get<std::string>().find("cannot be kicked from here"), std::string::npos);
}

// The page: players listed with their names escaped and a kick button each; the console's reply comes back as a
// fragment (escaped) with the audit table swapped in beside it.
TEST_F(RconConsoleTest, ThePageShowsPlayersAndTheConsole) {
  std::int64_t id = start_alpha();
  HttpReply page = alice_->get("/servers/" + std::to_string(id));
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("id=\"rcon-command\""), std::string::npos);
  EXPECT_NE(page.body.find("<option value=\"c1m1_hotel\">"), std::string::npos);  // the change-map list
  EXPECT_NE(page.body.find("No console commands yet."), std::string::npos);
  HttpReply status = alice_->get("/servers/" + std::to_string(id) + "/status");
  EXPECT_NE(status.body.find("&lt;b&gt;Zo\xC3\xAB&lt;/b&gt;"), std::string::npos) << status.body;
  EXPECT_EQ(status.body.find("<b>Zo"), std::string::npos);
  EXPECT_NE(status.body.find("connected 1:02:05"), std::string::npos) << status.body;
  EXPECT_NE(status.body.find("name=\"action\" value=\"kick\""), std::string::npos);

  HttpReply reply = post_form(*alice_, "/servers/" + std::to_string(id) + "/rcon",
                              "action=kick&player=%3Cb%3EZo%C3%AB%3C%2Fb%3E", true, true);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_NE(reply.body.find("ran: kick &quot;&lt;b&gt;Zo\xC3\xAB"), std::string::npos) << reply.body;
  EXPECT_NE(reply.body.find("id=\"rcon-audit\" hx-swap-oob=\"true\""), std::string::npos);
  EXPECT_EQ(read_fake(instance_ + ".rcon"), "kick \"<b>Zo\xC3\xAB</b>\"\n");
  page = alice_->get("/servers/" + std::to_string(id));
  EXPECT_EQ(page.body.find("No console commands yet."), std::string::npos);
  EXPECT_NE(page.body.find("<code>kick &quot;&lt;b&gt;Zo"), std::string::npos);
}

}  // namespace
}  // namespace left4me::web
