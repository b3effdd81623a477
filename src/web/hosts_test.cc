// The host store on a real SQLite file: the local host made by the migration, adding and changing hosts with their
// rules, the two-step key pinning, deletion refused while servers remain, placement on the emptiest host, ports per
// host, and servers from before the migration kept on `local`.
#include "web/hosts.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include "testing/test_support.h"
#include "web/accounts.h"
#include "web/blueprints.h"
#include "web/migrations.h"
#include "web/servers.h"

namespace left4me::web {
namespace {

const HostKey kKey{"10.0.0.2 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKey", "SHA256:abcdef"};

HostInput host_input(const std::string& name, int max_servers, PortRange ports = {27015, 27017}) {
  HostInput input;
  input.name = name;
  input.address = "10.0.0.2";
  input.ports = ports;
  input.max_servers = max_servers;
  return input;
}

class HostsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("LEFT4ME_FAST_PASSWORD_HASH", "1", 1);
    auto opened = Database::open(dir_.path() + "/web.db");
    ASSERT_OK(opened);
    database_ = std::move(*opened);
  }
  void add_owner() {
    Accounts accounts(*database_, "secret");
    Blueprints blueprints(*database_, DefaultLimits{});
    Result<User> user = accounts.create_user("alice", "password-alice", Role::kUser);
    ASSERT_OK(user);
    Result<Blueprint> blueprint = blueprints.create(user->id, "base", "map: c1m1_hotel\n", {});
    ASSERT_OK(blueprint);
    owner_ = user->id;
    blueprint_ = blueprint->id;
  }
  void prepare() {
    ASSERT_OK(migrate(*database_));
    add_owner();
  }
  Hosts hosts() { return Hosts(*database_); }
  // A confirmed remote host.
  Host add_confirmed(const std::string& name, int max_servers, PortRange ports = {27015, 27017}) {
    Result<Host> host = hosts().add(host_input(name, max_servers, ports), kKey);
    EXPECT_TRUE(host.ok()) << host.error().message();
    Result<Host> confirmed = hosts().confirm_key(host->id, kKey.fingerprint);
    EXPECT_TRUE(confirmed.ok());
    return *confirmed;
  }
  // Unlimited servers per user: these tests fill hosts.
  Servers servers(PortRange local = {27015, 27020}) { return Servers(*database_, local, DefaultLimits{1000, 50}); }
  Result<Server> create(Servers& store, const std::string& name, ServerPlacement placement = {}) {
    return store.create(owner_, name, blueprint_, placement);
  }

  test::TempDir dir_;
  std::unique_ptr<Database> database_;
  std::int64_t owner_ = 0;
  std::int64_t blueprint_ = 0;
};

TEST_F(HostsTest, TheMigrationMakesTheLocalHost) {
  prepare();
  Result<std::vector<Host>> all = hosts().list();
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].id, kLocalHostId);
  EXPECT_EQ((*all)[0].name, "local");
  EXPECT_TRUE((*all)[0].address.empty());
  EXPECT_TRUE((*all)[0].usable());
  ASSERT_OK(hosts().set_local_ports({28000, 28009}));
  EXPECT_EQ(hosts().get(kLocalHostId)->ports.end, 28009);
}

TEST_F(HostsTest, AHostTakesNoServersUntilItsKeyIsConfirmed) {
  prepare();
  Result<Host> added = hosts().add(host_input("b", 5), kKey);
  ASSERT_OK(added);
  EXPECT_FALSE(added->usable());
  EXPECT_EQ(added->key.fingerprint, kKey.fingerprint);
  Servers store = servers({27015, 27015});
  ASSERT_OK(create(store, "one"));  // local's only port
  Result<Server> refused = create(store, "two");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(refused.error().message().find("no free port"), std::string::npos) << refused.error().message();
  Result<Server> chosen = create(store, "two", {added->id, {}});
  ASSERT_FALSE(chosen.ok());
  EXPECT_EQ(chosen.error().code(), ErrorCode::kInvalidArgument);
  // A fingerprint other than the scanned one confirms nothing.
  Result<Host> wrong = hosts().confirm_key(added->id, "SHA256:other");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(hosts().get(added->id)->key_confirmed);
  ASSERT_OK(hosts().confirm_key(added->id, kKey.fingerprint));
  Result<Server> placed = create(store, "two");
  ASSERT_OK(placed);
  EXPECT_EQ(placed->host_id, added->id);
  EXPECT_EQ(placed->host_name, "b");
  // A changed key is stored unconfirmed: the host takes no servers until it is confirmed again.
  Result<Host> rescanned = hosts().replace_key(added->id, HostKey{"line", "SHA256:new"});
  ASSERT_OK(rescanned);
  EXPECT_FALSE(rescanned->usable());
}

TEST_F(HostsTest, BadInputIsRefusedNamingTheField) {
  prepare();
  struct Case {
    HostInput input;
    std::string field;
  };
  std::vector<Case> cases;
  cases.push_back({host_input("Bad Name", 1), "name"});
  cases.push_back({host_input("-b", 1), "name"});
  HostInput address = host_input("b", 1);
  address.address = "-oProxyCommand=x";
  cases.push_back({address, "address"});
  address.address = "a b";
  cases.push_back({address, "address"});
  cases.push_back({host_input("b", 1, {27020, 27010}), "port_min"});
  cases.push_back({host_input("b", 1, {80, 90}), "port_min"});
  cases.push_back({host_input("b", -1), "max_servers"});
  HostInput ssh_port = host_input("b", 1);
  ssh_port.ssh_port = 70000;
  cases.push_back({ssh_port, "ssh_port"});
  HostInput cpus = host_input("b", 1);
  cpus.cpus = "0-3;reboot";
  cases.push_back({cpus, "cpus"});
  HostInput missing = host_input("b", 1);
  missing.address.reset();
  cases.push_back({missing, "address"});
  for (const Case& bad : cases) {
    Result<Host> added = hosts().add(bad.input, kKey);
    ASSERT_FALSE(added.ok()) << bad.field;
    EXPECT_EQ(added.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(added.error().message().rfind(bad.field, 0), 0u) << added.error().message();
  }
  EXPECT_EQ(hosts().list()->size(), 1u);
  ASSERT_OK(hosts().add(host_input("b", 1), kKey));
  Result<Host> again = hosts().add(host_input("b", 2), kKey);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kAlreadyExists);
}

TEST_F(HostsTest, TheLocalHostTakesOnlyLimitsAndIsNeverDeleted) {
  prepare();
  HostInput limits;
  limits.max_servers = 3;
  limits.cpus = "0-1";
  Result<Host> changed = hosts().update(kLocalHostId, limits);
  ASSERT_OK(changed);
  EXPECT_EQ(changed->max_servers, 3);
  EXPECT_EQ(changed->cpus, "0-1");
  HostInput range;
  range.ports = PortRange{28000, 28010};
  EXPECT_EQ(hosts().update(kLocalHostId, range).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(hosts().remove(kLocalHostId).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(hosts().update(99, limits).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(hosts().remove(99).error().code(), ErrorCode::kNotFound);
}

TEST_F(HostsTest, PlacementFillsTheEmptiestHostAndPortsArePerHost) {
  prepare();
  HostInput small;
  small.max_servers = 2;
  ASSERT_OK(hosts().update(kLocalHostId, small));
  Host b = add_confirmed("b", 3);
  Host c = add_confirmed("c", 3);
  Servers store = servers();
  std::map<std::int64_t, std::vector<int>> ports;
  // Room: local 2, b 3, c 3. The most room wins, ties go to the lowest id.
  std::vector<std::int64_t> expected = {b.id, c.id, kLocalHostId, b.id, c.id, kLocalHostId, b.id, c.id};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    Result<Server> server = create(store, "s" + std::to_string(i));
    ASSERT_OK(server);
    EXPECT_EQ(server->host_id, expected[i]) << i;
    ports[server->host_id].push_back(server->port);
  }
  // Each host's ports start at its range's lowest: the same port on two hosts is fine, never twice on one.
  EXPECT_EQ(ports[b.id], (std::vector<int>{27015, 27016, 27017}));
  EXPECT_EQ(ports[c.id], (std::vector<int>{27015, 27016, 27017}));
  EXPECT_EQ(ports[kLocalHostId], (std::vector<int>{27015, 27016}));
  Result<Server> full = create(store, "one-more");
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code(), ErrorCode::kUnavailable);
  // Deleting a host with servers is refused (409 in the API), and it keeps them.
  Status refused = hosts().remove(b.id);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(hosts().server_counts()->at(b.id), 3);
}

TEST_F(HostsTest, PlacementPassesOverUnreachableHostsAndHonoursAChoice) {
  prepare();
  Host b = add_confirmed("b", 10, {27015, 27040});
  Host c = add_confirmed("c", 10, {27015, 27040});  // room 10, local's 6
  Servers store = servers();
  Result<Server> first = create(store, "first", {std::nullopt, {b.id}});
  ASSERT_OK(first);
  EXPECT_EQ(first->host_id, c.id);  // b has the most room but does not answer
  Result<Server> chosen = create(store, "chosen", {kLocalHostId, {}});
  ASSERT_OK(chosen);
  EXPECT_EQ(chosen->host_id, kLocalHostId);
  Result<Server> unknown = create(store, "unknown", {99, {}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), ErrorCode::kNotFound);
  HostInput none;
  none.max_servers = 0;
  ASSERT_OK(hosts().update(b.id, none));
  Result<Server> full = create(store, "full", {b.id, {}});
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().code(), ErrorCode::kUnavailable);
  ASSERT_OK(hosts().remove(b.id));  // no servers: it goes
  EXPECT_EQ(hosts().get(b.id).error().code(), ErrorCode::kNotFound);
}

TEST_F(HostsTest, ServersFromBeforeTheMigrationStayOnTheLocalHost) {
  ASSERT_OK(migrate_to(*database_, 16));
  add_owner();
  {
    Database::Lock lock(*database_);
    ASSERT_OK(lock.exec(fmt::format(
        "INSERT INTO servers (id, name, owner_id, blueprint_id, port, state, created_at, instance, owns_instance) "
        "VALUES (4, 'old', {}, {}, 27016, 'stopped', 1, 'web-4', 1)",
        owner_, blueprint_)));
  }
  ASSERT_OK(migrate(*database_));
  Result<Server> old = servers().get(4, Scope{0, true});
  ASSERT_OK(old);
  EXPECT_EQ(old->host_id, kLocalHostId);
  EXPECT_EQ(old->host_name, "local");
  EXPECT_EQ(old->port, 27016);
  EXPECT_EQ(old->instance, "web-4");
  EXPECT_EQ(old->recorded_state, ServerState::kStopped);
  // Its port stays taken on local, and only there.
  Servers store = servers({27016, 27017});
  Result<Server> next = create(store, "next");
  ASSERT_OK(next);
  EXPECT_EQ(next->port, 27017);
}

}  // namespace
}  // namespace left4me::web
