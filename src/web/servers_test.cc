// The server store on a real SQLite file: host instance names apart from display names (their rule, unique per
// owner), the migrations of servers from before, adoption.
#include "web/servers.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "web/accounts.h"
#include "web/blueprints.h"
#include "web/jobs.h"
#include "web/migrations.h"
#include "testing/test_support.h"

namespace left4me::web {
namespace {

class ServersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("LEFT4ME_FAST_PASSWORD_HASH", "1", 1);
    auto opened = Database::open(dir_.path() + "/web.db");
    ASSERT_OK(opened);
    database_ = std::move(*opened);
  }
  // Migrated, with users alice and bob and a blueprint each.
  void prepare() {
    ASSERT_OK(migrate(*database_));
    add_owners();
  }
  void add_owners() {
    Accounts accounts(*database_, "secret");
    Blueprints blueprints(*database_, DefaultLimits{});
    for (const char* name : {"alice", "bob"}) {
      Result<User> user = accounts.create_user(name, std::string("password-") + name, Role::kUser);
      ASSERT_OK(user);
      Result<Blueprint> blueprint = blueprints.create(user->id, "base", "map: c1m1_hotel\n", {});
      ASSERT_OK(blueprint);
      owners_.push_back(user->id);
      blueprints_.push_back(blueprint->id);
    }
  }
  Servers servers(PortRange ports = {27015, 27020}) { return Servers(*database_, ports, DefaultLimits{}); }

  test::TempDir dir_;
  std::unique_ptr<Database> database_;
  std::vector<std::int64_t> owners_;
  std::vector<std::int64_t> blueprints_;
};

TEST_F(ServersTest, NewServersGetAHostInstanceDerivedFromTheirId) {
  prepare();
  Servers store = servers();
  Result<Server> first = store.create(owners_[0], "first", blueprints_[0]);
  ASSERT_OK(first);
  EXPECT_EQ(first->name, "first");
  EXPECT_EQ(first->instance, "web-" + std::to_string(first->id));
  EXPECT_FALSE(first->owns_instance);
  EXPECT_FALSE(first->managed_instance().has_value());  // nothing on the host is its until it claims it
  ASSERT_OK(store.claim_instance(first->id));
  EXPECT_EQ(store.get(first->id, Scope{0, true})->managed_instance(), first->instance);
  Result<Server> second = store.create(owners_[1], "second", blueprints_[1]);
  ASSERT_OK(second);
  EXPECT_EQ(second->instance, "web-" + std::to_string(second->id));
  EXPECT_NE(second->instance, first->instance);
  // The display name keeps its rule and is unique per owner; it never becomes an instance name.
  EXPECT_EQ(store.create(owners_[1], "second", blueprints_[1]).error().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(store.create(owners_[1], "bad\tname", blueprints_[1]).error().code(), ErrorCode::kInvalidArgument);
}

// Issue 13, expectation 6: two users may each have a server called "friends-coop"; the host names tell nothing of
// the display names.
TEST_F(ServersTest, NamesAreUniquePerOwnerAndNeverReachTheHost) {
  prepare();
  Servers store = servers();
  Result<Server> alices = store.create(owners_[0], "friends-coop", blueprints_[0]);
  Result<Server> bobs = store.create(owners_[1], "friends-coop", blueprints_[1]);
  ASSERT_OK(alices);
  ASSERT_OK(bobs);
  EXPECT_EQ(alices->instance, "web-" + std::to_string(alices->id));
  EXPECT_EQ(bobs->instance, "web-" + std::to_string(bobs->id));
  Result<Server> again = store.create(owners_[0], "friends-coop", blueprints_[0]);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(again.error().message(), "you already have a server named 'friends-coop'");
  Result<Server> adopted = store.adopt({"cli", "friends-coop", owners_[1], blueprints_[1], std::nullopt});
  ASSERT_FALSE(adopted.ok());
  EXPECT_EQ(adopted.error().message(), "user 'bob' already has a server named 'friends-coop'");
  // Display names with spaces and any letters, kept as written.
  Result<Server> spaced =
      store.create(owners_[0], "Friends' Co-op \xc3\xa9t\xc3\xa9 \xe6\x9d\xb1\xe4\xba\xac", blueprints_[0]);
  ASSERT_OK(spaced);
  EXPECT_EQ(spaced->name, "Friends' Co-op \xc3\xa9t\xc3\xa9 \xe6\x9d\xb1\xe4\xba\xac");
  EXPECT_EQ(spaced->instance, "web-" + std::to_string(spaced->id));
}

TEST_F(ServersTest, TheNameRuleCountsCharactersAndRefusesControls) {
  std::string wide;
  for (int i = 0; i < 64; ++i) wide += "\xe6\x9d\xb1";  // 64 characters, 192 bytes
  for (const std::string& good :
       {std::string("friends-coop"), std::string("Friends coop"), std::string("<b>&\"'"), std::string(64, 'a'), wide}) {
    EXPECT_EQ(check_server_name(good), std::nullopt) << good;
  }
  struct Bad {
    std::string name;
    std::string message;
  };
  std::string long_name;
  for (int i = 0; i < 65; ++i) long_name += "\xc3\xa9";
  for (const Bad& bad : std::vector<Bad>{
           {"", "a server name must not be empty"},
           {"   ", "a server name must not be empty"},
           {std::string(65, 'a'), "a server name has at most 64 characters (this one has 65)"},
           {long_name, "a server name has at most 64 characters (this one has 65)"},
           {"tab\there", "a server name may not contain control characters (U+0009 at character 4)"},
           {"line\nbreak", "a server name may not contain control characters (U+000A at character 5)"},
           {std::string("nul\0x", 5), "a server name may not contain control characters (U+0000 at character 4)"},
           {"del\x7f", "a server name may not contain control characters (U+007F at character 4)"},
           {"c1\xc2\x85", "a server name may not contain control characters (U+0085 at character 3)"},
           {"evil\xe2\x80\xaetxt", "a server name may not contain control characters (U+202E at character 5)"},
           {"bad\xff", "a server name must be UTF-8 text"},
           {"\xc0\xaf", "a server name must be UTF-8 text"},
           {" lead", "a server name may not start or end with a space"},
           {"trail ", "a server name may not start or end with a space"},
       }) {
    EXPECT_EQ(check_server_name(bad.name), bad.message) << bad.name;
  }
}

// Issue 13, bug 5: a name's error restated the whole rule, which the page's hint states beside it (a screen reader
// read both as one sentence); each error now says only what is wrong with this name.
TEST_F(ServersTest, NameErrorsSayWhatIsWrongWithoutTheRule) {
  const std::pair<std::string, std::string> cases[] = {
      {"", "a server name must not be empty"},
      {std::string(65, 'a'), "a server name has at most 64 characters (this one has 65)"},
      {std::string(300, 'x') + "!", "a server name has at most 64 characters (this one has 301)"},
      {" coop", "a server name may not start or end with a space"},
      {"tab\tname", "a server name may not contain control characters (U+0009 at character 4)"},
  };
  for (const auto& [name, message] : cases) {
    std::optional<std::string> problem = check_server_name(name);
    ASSERT_TRUE(problem.has_value()) << name;
    EXPECT_EQ(*problem, message);
    EXPECT_EQ(problem->find("letters of any language"), std::string::npos) << *problem;
  }
  prepare();
  Servers store = servers();
  ASSERT_OK(store.create(owners_[0], std::string(64, 'l'), blueprints_[0]));
  EXPECT_OK(store.create(owners_[1], std::string(64, 'l'), blueprints_[1]));  // names are per owner
  Result<Server> again = store.create(owners_[0], std::string(64, 'l'), blueprints_[0]);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), ErrorCode::kAlreadyExists);
}

TEST_F(ServersTest, MigrationKeepsServersFromBeforeOnTheirHostName) {
  ASSERT_OK(migrate_to(*database_, 1));
  {
    // The owners as schema 1 holds them (today's stores need later columns).
    Database::Lock lock(*database_);
    for (const char* name : {"alice", "bob"}) {
      ASSERT_OK(lock.exec(std::string("INSERT INTO users (name, password_hash, created_at) VALUES ('") + name +
                          "', 'x', 0)"));
      owners_.push_back(lock.last_insert_id());
      ASSERT_OK(lock.exec("INSERT INTO blueprints (owner_id, name, config, created_at, updated_at) VALUES (" +
                          std::to_string(owners_.back()) + ", 'base', 'map: c1m1_hotel\n', 0, 0)"));
      blueprints_.push_back(lock.last_insert_id());
    }
  }
  {
    Database::Lock lock(*database_);
    std::string insert =
        "INSERT INTO servers (name, owner_id, blueprint_id, port, state, applied_blueprint_id, applied_version, "
        "created_at) VALUES ";
    // "first" was created but never started; "alpha" was initialized by the panel.
    ASSERT_OK(lock.exec(insert + "('first', " + std::to_string(owners_[0]) + ", " + std::to_string(blueprints_[0]) +
                        ", 27015, 'new', NULL, NULL, 0)"));
    ASSERT_OK(lock.exec(insert + "('alpha', " + std::to_string(owners_[1]) + ", " + std::to_string(blueprints_[1]) +
                        ", 27016, 'running', " + std::to_string(blueprints_[1]) + ", 1, 0)"));
  }
  ASSERT_OK(migrate(*database_));
  Result<std::vector<Server>> all = servers().list_all();
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 2u);
  const Server& alpha = (*all)[0];
  const Server& first = (*all)[1];
  EXPECT_EQ(alpha.instance, "alpha");
  EXPECT_TRUE(alpha.owns_instance);
  EXPECT_EQ(first.instance, "first");
  EXPECT_FALSE(first.owns_instance);  // the host's 'first' may be a CLI instance: not this server's yet
  EXPECT_OK(database_->check_integrity());
}

// Migration 7 rebuilds the servers table (names unique per owner): every server keeps its id, host instance and
// state, and the jobs that name a server still do (dropping the old table with foreign keys on would have emptied
// jobs.server_id and rcon_audit.server_id through their ON DELETE SET NULL).
TEST_F(ServersTest, PerOwnerNamesMigrationKeepsServersAndTheirJobs) {
  ASSERT_OK(migrate_to(*database_, 6));
  add_owners();
  Servers store = servers();
  // Rows as the store of schema 6 wrote them (today's store reads tables that came later): an adopted server and one
  // the panel created.
  std::optional<std::int64_t> adopted;
  std::optional<std::int64_t> created;
  {
    Database::Lock lock(*database_);
    std::string insert =
        "INSERT INTO servers (name, instance, owns_instance, owner_id, blueprint_id, port, state, created_at) VALUES ";
    ASSERT_OK(lock.exec(insert + "('alpha', 'cli-made', 1, " + std::to_string(owners_[0]) + ", " +
                        std::to_string(blueprints_[0]) + ", 27015, 'new', 0)"));
    adopted = lock.last_insert_id();
    ASSERT_OK(lock.exec(insert + "('beta', 'web-" + std::to_string(*adopted + 1) + "', 0, " +
                        std::to_string(owners_[1]) + ", " + std::to_string(blueprints_[1]) + ", 27016, 'new', 0)"));
    created = lock.last_insert_id();
  }
  Jobs jobs(*database_);
  std::int64_t job_id = 0;
  {
    Database::Lock lock(*database_);  // as the schema 6 store wrote it (today's has more columns)
    ASSERT_OK(
        lock.exec("INSERT INTO jobs (type, target, server_id, owner_id, state, created_at) VALUES ('start', "
                  "'alpha', " +
                  std::to_string(*adopted) + ", " + std::to_string(owners_[0]) + ", 'queued', 0)"));
    job_id = lock.last_insert_id();
  }
  auto audit_server = [&]() -> std::optional<std::int64_t> {
    Database::Lock lock(*database_);
    auto select = lock.prepare("SELECT server_id FROM rcon_audit");
    EXPECT_OK(select);
    if (!select.ok() || !*select->step()) return std::nullopt;
    return select->column_optional_int(0);
  };
  {
    Database::Lock lock(*database_);
    auto insert = lock.prepare(
        "INSERT INTO rcon_audit (server_id, server_name, user_id, user_name, at, command, outcome, detail) "
        "VALUES (?, 'alpha', NULL, 'root', 1, 'status', 'ok', '')");
    ASSERT_OK(insert);
    ASSERT_OK(insert->bind(1, *adopted).run());
  }
  ASSERT_EQ(audit_server(), *adopted);
  ASSERT_OK(migrate(*database_));
  EXPECT_EQ(audit_server(), *adopted);
  Result<std::vector<Server>> all = store.list_all();
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, *adopted);
  EXPECT_EQ((*all)[0].instance, "cli-made");
  EXPECT_TRUE((*all)[0].owns_instance);
  EXPECT_EQ((*all)[1].instance, "web-" + std::to_string(*created));
  Result<Job> kept = jobs.get(job_id, Scope{0, true});
  ASSERT_OK(kept);
  EXPECT_EQ(kept->server_id, *adopted);
  // Names are per owner now, and foreign keys are on again after the migration.
  EXPECT_OK(store.create(owners_[1], "alpha", blueprints_[1]));
  EXPECT_EQ(store.create(owners_[0], "alpha", blueprints_[0]).error().code(), ErrorCode::kAlreadyExists);
  {
    Database::Lock lock(*database_);
    auto keys = lock.prepare("PRAGMA foreign_keys");
    ASSERT_OK(keys);
    ASSERT_TRUE(*keys->step());
    EXPECT_EQ(keys->column_int(0), 1);
  }
  EXPECT_OK(database_->check_integrity());
}

TEST_F(ServersTest, AdoptionKeepsTheInstanceNameAndRefusesManagedOnes) {
  prepare();
  Servers store = servers();
  Result<Server> mine = store.create(owners_[0], "mine", blueprints_[0]);
  ASSERT_OK(mine);
  Result<Server> adopted = store.adopt({"first", "cli-first", owners_[1], blueprints_[1], 27018});
  ASSERT_OK(adopted);
  EXPECT_EQ(adopted->instance, "first");
  EXPECT_EQ(adopted->name, "cli-first");
  EXPECT_EQ(adopted->owner_id, owners_[1]);
  EXPECT_TRUE(adopted->owns_instance);
  EXPECT_EQ(adopted->port, 27018);  // its own port, free and in the range
  EXPECT_EQ(adopted->recorded_state, ServerState::kNew);

  Result<Server> again = store.adopt({"first", "other", owners_[0], blueprints_[0], std::nullopt});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_NE(again.error().message().find("cli-first"), std::string::npos) << again.error().message();
  // A server the panel created names its instance too, started or not.
  EXPECT_EQ(store.adopt({mine->instance, "x", owners_[0], blueprints_[0], std::nullopt}).error().code(),
            ErrorCode::kAlreadyExists);
  // The blueprint must be the owner's; the name follows the server-name rule.
  EXPECT_EQ(store.adopt({"second", "second", owners_[0], blueprints_[1], std::nullopt}).error().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(store.adopt({"second", "bad\nname", owners_[0], blueprints_[0], std::nullopt}).error().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(store.adopt({"../x", "x", owners_[0], blueprints_[0], std::nullopt}).error().code(),
            ErrorCode::kInvalidArgument);
  // A port outside the range or taken: the lowest free one instead.
  Result<Server> moved = store.adopt({"second", "second", owners_[0], blueprints_[0], 27018});
  ASSERT_OK(moved);
  EXPECT_EQ(moved->port, 27016);
  Result<Server> outside = store.adopt({"third", "third", owners_[0], blueprints_[0], 40000});
  ASSERT_OK(outside);
  EXPECT_EQ(outside->port, 27017);
}

TEST_F(ServersTest, NewIdsPassOverInstanceNamesAdoptedServersHold) {
  prepare();
  Servers store = servers();
  Result<Server> one = store.create(owners_[0], "one", blueprints_[0]);
  ASSERT_OK(one);
  // Adopted instances named like the panel's own (left by a lost database).
  std::string next = "web-" + std::to_string(one->id + 2);
  Result<Server> adopted = store.adopt({next, "orphan", owners_[0], blueprints_[0], std::nullopt});
  ASSERT_OK(adopted);
  ASSERT_EQ(adopted->id, one->id + 1);
  Result<Server> created = store.create(owners_[0], "two", blueprints_[0]);
  ASSERT_OK(created);
  EXPECT_EQ(created->id, one->id + 3);
  EXPECT_EQ(created->instance, "web-" + std::to_string(created->id));
}

}  // namespace
}  // namespace left4me::web
