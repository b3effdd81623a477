// What Instances decides on top of its seams, with FakeSupervisor, FakeMounter and a scripted live
// query: start (and --wait), stop, remove (which never deletes under a live mount), status and list. Real
// files in a temporary layout; nothing is mounted and no process is started.
#include "host/instances.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/file.h"
#include "base/unique_fd.h"
#include "host/game_builds.h"
#include "testing/fake_mounter.h"
#include "testing/fake_supervisor.h"
#include "testing/test_support.h"

namespace left4me::host {
namespace {

using namespace std::chrono_literals;

class InstancesTest : public test::TempDirTest {
 protected:
  InstancesTest() : TempDirTest(test::TempStorage::kMemory) {}
  void SetUp() override {
    auto supervisor = std::make_unique<test::FakeSupervisor>();
    auto mounter = std::make_unique<test::FakeMounter>(layout_);
    supervisor_ = supervisor.get();
    mounter_ = mounter.get();
    auto live = [this](std::uint16_t port, std::chrono::milliseconds) {
      std::unique_lock<std::mutex> lock(live_mutex_);
      queried_ports_.push_back(port);
      // A test that sets live_rendezvous_ holds each query until that many are being asked at the same time.
      if (live_rendezvous_ > 0) {
        ++live_in_flight_;
        live_changed_.notify_all();
        if (!live_changed_.wait_for(lock, 5s, [this] { return live_in_flight_ >= live_rendezvous_; })) {
          live_rendezvous_missed_ = true;
        }
      }
      return live_answer_;
    };
    auto players = [this](std::uint16_t, std::chrono::milliseconds) -> Result<std::vector<LivePlayer>> {
      ++player_queries_;
      return players_answer_;
    };
    instances_.emplace(HostConfig{.layout = layout_, .public_address = "play.example.org"}, std::move(supervisor),
                       std::move(mounter), live, players);
    ASSERT_OK(write_file_atomic(dir() + "/alpha.yaml", "port: 27015\nmap: c2m1_highway\n"));
    ASSERT_OK(instances_->initialize(alpha_, dir() + "/alpha.yaml"));
    // What l4d2ctl install puts in the servers' HOME (steam_client.h).
    ASSERT_OK(make_directories(dir() + "/root/steam-home/.steam/sdk32"));
    ASSERT_OK(write_file_atomic(layout_.steam_client_library("sdk32"), "steamclient"));
  }

  model::Layout layout_ = *model::Layout::create(dir() + "/root");
  model::InstanceName alpha_ = *model::InstanceName::create("alpha");
  model::InstanceName ghost_ = *model::InstanceName::create("ghost");
  model::InstanceName beta_ = *model::InstanceName::create("beta");

  // alpha and beta (port 27016) initialized, started and running, with game pids 4242 and 4343.
  void start_alpha_and_beta() {
    ASSERT_OK(write_file_atomic(dir() + "/beta.yaml", "port: 27016\n"));
    ASSERT_OK(instances_->initialize(beta_, dir() + "/beta.yaml"));
    ASSERT_OK(instances_->start(alpha_, std::nullopt));
    ASSERT_OK(instances_->start(beta_, std::nullopt));
    supervisor_->set_info(alpha_, {.state = RunState::kRunning, .pid = 4242});
    supervisor_->set_info(beta_, {.state = RunState::kRunning, .pid = 4343});
  }
  // The wall clock in unix ms, as the monitor stamps its snapshots.
  static std::int64_t wall_clock_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  std::optional<Instances> instances_;
  test::FakeSupervisor* supervisor_ = nullptr;
  test::FakeMounter* mounter_ = nullptr;
  std::optional<LiveData> live_answer_;  // what the server on the port answers, if anything
  std::vector<std::uint16_t> queried_ports_;
  std::mutex live_mutex_;  // list asks from several threads
  std::condition_variable live_changed_;
  int live_rendezvous_ = 0;
  int live_in_flight_ = 0;
  bool live_rendezvous_missed_ = false;
  Result<std::vector<LivePlayer>> players_answer_ = Error::timeout("a2s players: no answer");
  int player_queries_ = 0;
};

TEST_F(InstancesTest, StartingAnInstanceNeverInitializedIsNotFoundAndStartsNothing) {
  Status started = instances_->start(ghost_, std::nullopt);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(supervisor_->calls().empty());
}

// The regression: the web unit runs l4d2ctl with UMask=0027, so a panel-made instance's runtime directory
// was 0750 and its server (its own uid, "other" there) could not reach its game tree: systemd failed with
// "Failed to locate executable .../merged/srcds_run: Permission denied".
TEST_F(InstancesTest, InitializeLeavesTheRuntimeDirectoryTraversableWhateverTheUmask) {
  mode_t saved = ::umask(0027);
  Status initialized = instances_->initialize(beta_, dir() + "/alpha.yaml");
  ::umask(saved);
  ASSERT_OK(initialized);
  struct stat st {};
  ASSERT_EQ(::stat(layout_.runtime_dir(beta_).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
}

TEST_F(InstancesTest, StartHandsTheInstanceToTheSupervisor) {
  ASSERT_OK(instances_->start(alpha_, std::nullopt));
  EXPECT_EQ(supervisor_->calls(), std::vector<std::string>{"start alpha"});
  EXPECT_TRUE(queried_ports_.empty());
}

TEST_F(InstancesTest, StartWithoutTheSteamClientLibraryFailsNamingItAndStartsNothing) {
  ASSERT_EQ(::unlink(layout_.steam_client_library("sdk32").c_str()), 0);
  Status started = instances_->start(alpha_, std::nullopt);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().message().rfind(layout_.steam_client_library("sdk32") + " is missing", 0), 0u)
      << started.error().message();
  EXPECT_TRUE(supervisor_->calls().empty());
  auto recorded = read_file(layout_.last_start_error(alpha_));
  ASSERT_OK(recorded);
  EXPECT_NE(recorded->find("steamclient.so is missing"), std::string::npos);
}

TEST_F(InstancesTest, StartFailsWhenTheSupervisorDoes) {
  supervisor_->fail_next_start(Error::failed("the server failed to start: crashed 5 times within 60 s"));
  Status started = instances_->start(alpha_, 30s);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().message(),
            "the server failed to start: crashed 5 times within 60 s; it was stopped (--keep-on-failure leaves it "
            "running)");
  EXPECT_TRUE(queried_ports_.empty());
  EXPECT_EQ(supervisor_->calls(), (std::vector<std::string>{"start alpha", "stop alpha 15s"}));
  EXPECT_EQ(instances_->status(alpha_)->last_error, "the server failed to start: crashed 5 times within 60 s");
}

TEST_F(InstancesTest, StartWithWaitReturnsOnceTheServerAnswersWithItsMap) {
  live_answer_ = LiveData{.hostname = "alpha", .map = "c2m1_highway", .players = 0, .max_players = 4};
  ASSERT_OK(instances_->start(alpha_, 30s));
  EXPECT_EQ(queried_ports_, std::vector<std::uint16_t>{27015});
}

TEST_F(InstancesTest, StartWithWaitReportsAServerThatStoppedWhileStarting) {
  supervisor_->set_info_after_start({.state = RunState::kFailed});
  Status started = instances_->start(alpha_, 30s);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code(), ErrorCode::kFailed);
  EXPECT_EQ(started.error().message(),
            "the server stopped while starting (failed); see l4d2ctl logs alpha; it was stopped (--keep-on-failure "
            "leaves it running)");
  // Stopped, not left failed: as systemd's disable forgets a failed unit.
  EXPECT_EQ(instances_->status(alpha_)->process.state, RunState::kStopped);
  EXPECT_EQ(instances_->status(alpha_)->last_error,
            "the server stopped while starting (failed); see l4d2ctl logs alpha");
}

TEST_F(InstancesTest, StartWithWaitTimesOutSayingWhatAnswered) {
  Status started = instances_->start(alpha_, 0s);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code(), ErrorCode::kTimeout);
  EXPECT_EQ(started.error().message(),
            "the server did not answer with map 'c2m1_highway' within 0 s (nothing answered); it was stopped "
            "(--keep-on-failure leaves it running)");
}

// Issue 13, bug 1: a start whose server never answered with its map (a map that does not exist) left the
// server running in `starting` until someone pressed Stop, and the reason was only in the job log.
TEST_F(InstancesTest, AFailedStartLeavesTheServerStoppedWithItsReason) {
  live_answer_ = LiveData{.hostname = "alpha", .map = "c1m1_hotel"};
  Status started = instances_->start(alpha_, 1s);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(supervisor_->calls(), (std::vector<std::string>{"start alpha", "stop alpha 15s"}));
  Result<InstanceStatus> status = instances_->status(alpha_);
  ASSERT_OK(status);
  EXPECT_EQ(status->process.state, RunState::kStopped);
  EXPECT_EQ(status->last_error,
            "the server did not answer with map 'c2m1_highway' within 1 s (it answered with map 'c1m1_hotel')");
  nlohmann::json object = nlohmann::json::parse(*status_json(*status));
  EXPECT_EQ(object["state"], "stopped");
  EXPECT_EQ(object["last_error"], *status->last_error);
}

TEST_F(InstancesTest, KeepOnFailureLeavesTheServerRunningWithItsReason) {
  supervisor_->set_info_after_start({.state = RunState::kStarting, .pid = 4242});
  Status started = instances_->start(alpha_, 0s, OnStartFailure::kKeepRunning);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().message(),
            "the server did not answer with map 'c2m1_highway' within 0 s (nothing answered)");
  EXPECT_EQ(supervisor_->calls(), std::vector<std::string>{"start alpha"});
  Result<InstanceStatus> status = instances_->status(alpha_);
  ASSERT_OK(status);
  EXPECT_EQ(status->process.state, RunState::kStarting);
  EXPECT_EQ(status->last_error, "the server did not answer with map 'c2m1_highway' within 0 s (nothing answered)");
}

TEST_F(InstancesTest, ASuccessfulStartForgetsTheLastFailure) {
  EXPECT_FALSE(instances_->start(alpha_, 0s).ok());
  ASSERT_TRUE(instances_->status(alpha_)->last_error.has_value());
  live_answer_ = LiveData{.hostname = "alpha", .map = "c2m1_highway"};
  ASSERT_OK(instances_->start(alpha_, 30s));
  Result<InstanceStatus> status = instances_->status(alpha_);
  ASSERT_OK(status);
  EXPECT_FALSE(status->last_error.has_value());
  EXPECT_EQ(nlohmann::json::parse(*status_json(*status))["last_error"], nullptr);
}

// `start` of a running server changes nothing: a wait that fails (an admin changed the map over RCON)
// neither stops it nor records a failure.
TEST_F(InstancesTest, AStartOfARunningServerWhoseWaitFailsLeavesItAlone) {
  supervisor_->set_info(alpha_, {.state = RunState::kRunning, .pid = 4242});
  EXPECT_FALSE(instances_->start(alpha_, 0s).ok());
  EXPECT_EQ(supervisor_->calls(), std::vector<std::string>{"start alpha"});
  EXPECT_FALSE(instances_->status(alpha_)->last_error.has_value());
}

TEST_F(InstancesTest, AFailedStartWhoseStopFailsSaysBoth) {
  supervisor_->fail_next_stop(Error::failed("the supervisor did not answer"));
  Status started = instances_->start(alpha_, 0s);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code(), ErrorCode::kTimeout);
  EXPECT_EQ(started.error().message(),
            "the server did not answer with map 'c2m1_highway' within 0 s (nothing answered); stopping it failed "
            "too: the supervisor did not answer");
}

TEST_F(InstancesTest, StopPassesTheTimeoutAndRefusesUnknownInstances) {
  ASSERT_OK(instances_->stop(alpha_, 7s));
  EXPECT_EQ(supervisor_->calls(), std::vector<std::string>{"stop alpha 7s"});
  Status unknown = instances_->stop(ghost_, 7s);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(unknown.error().message(), "no such instance 'ghost'");
  EXPECT_EQ(supervisor_->calls().size(), 1u);
}

TEST_F(InstancesTest, RemoveStopsUnmountsAndDeletesBothDirectories) {
  ASSERT_OK(mounter_->mount(alpha_));
  ASSERT_OK(instances_->remove(alpha_));
  EXPECT_EQ(supervisor_->calls(), std::vector<std::string>{"stop alpha 15s"});
  EXPECT_EQ(mounter_->calls(), (std::vector<std::string>{"mount alpha", "umount alpha"}));
  EXPECT_FALSE(path_exists(layout_.instance_dir(alpha_)));
  EXPECT_FALSE(path_exists(layout_.runtime_dir(alpha_)));
  EXPECT_FALSE(instances_->exists(alpha_));
}

TEST_F(InstancesTest, RemoveOfAMissingInstanceDoesNothing) {
  ASSERT_OK(instances_->remove(ghost_));
  EXPECT_TRUE(supervisor_->calls().empty());
  EXPECT_TRUE(mounter_->calls().empty());
}

// rm -rf through a live mount would reach shared files: with anything still mounted below the
// instance's runtime directory after the unmount, nothing is deleted.
TEST_F(InstancesTest, RemoveRefusesWhileSomethingIsStillMounted) {
  std::string foreign = layout_.upper(alpha_) + "/left4dead2/addons";
  mounter_->add_foreign_mount(foreign);
  Status removed = instances_->remove(alpha_);
  ASSERT_FALSE(removed.ok());
  EXPECT_EQ(removed.error().message(),
            "refusing to remove " + layout_.runtime_dir(alpha_) + ": still mounted at " + foreign);
  EXPECT_TRUE(path_exists(layout_.instance_env(alpha_)));
  EXPECT_TRUE(path_exists(layout_.upper(alpha_)));
}

TEST_F(InstancesTest, RemoveKeepsEverythingWhenTheStopOrTheUnmountFails) {
  supervisor_->fail_next_stop(Error::failed("stop 'alpha': the supervisor did not answer"));
  EXPECT_FALSE(instances_->remove(alpha_).ok());
  EXPECT_TRUE(mounter_->calls().empty());
  mounter_->fail_next_unmount(Error::failed("umount 'alpha': target is busy"));
  Status removed = instances_->remove(alpha_);
  ASSERT_FALSE(removed.ok());
  EXPECT_EQ(removed.error().message(), "umount 'alpha': target is busy");
  EXPECT_TRUE(path_exists(layout_.instance_env(alpha_)));
  EXPECT_TRUE(path_exists(layout_.runtime_dir(alpha_)));
}

TEST_F(InstancesTest, StatusOfAStoppedInstanceAsksNoServer) {
  Result<InstanceStatus> status = instances_->status(alpha_);
  ASSERT_OK(status);
  EXPECT_EQ(status->name, "alpha");
  EXPECT_EQ(status->process.state, RunState::kStopped);
  EXPECT_EQ(status->port, 27015);
  EXPECT_EQ(status->supervisor, "fake");
  EXPECT_FALSE(status->mounted);
  EXPECT_FALSE(status->live.has_value());
  EXPECT_TRUE(queried_ports_.empty());
  EXPECT_EQ(status->connect, "play.example.org:27015");
  EXPECT_EQ(nlohmann::json::parse(*status_json(*status))["connect"], "play.example.org:27015");
}

TEST_F(InstancesTest, StatusOfARunningInstanceCarriesWhatTheServerAnswers) {
  ASSERT_OK(instances_->start(alpha_, std::nullopt));
  ASSERT_OK(mounter_->mount(alpha_));
  live_answer_ = LiveData{.hostname = "alpha", .map = "c2m1_highway", .players = 2, .max_players = 4};
  Result<InstanceStatus> status = instances_->status(alpha_);
  ASSERT_OK(status);
  EXPECT_EQ(status->process.state, RunState::kRunning);
  EXPECT_TRUE(status->mounted);
  ASSERT_TRUE(status->live.has_value());
  EXPECT_EQ(status->live->players, 2);
  EXPECT_EQ(queried_ports_, std::vector<std::uint16_t>{27015});
}

// Asked one after another, 100 running servers cost list 100 round trips (7.5x one status): it asks the running
// ones at the same time, and never a stopped one.
TEST_F(InstancesTest, ListAsksTheRunningServersAtTheSameTimeAndNoStoppedOne) {
  ASSERT_OK(write_file_atomic(dir() + "/beta.yaml", "port: 27016\n"));
  ASSERT_OK(instances_->initialize(beta_, dir() + "/beta.yaml"));
  ASSERT_OK(write_file_atomic(dir() + "/ghost.yaml", "port: 27017\n"));
  ASSERT_OK(instances_->initialize(ghost_, dir() + "/ghost.yaml"));
  ASSERT_OK(instances_->start(alpha_, std::nullopt));
  ASSERT_OK(instances_->start(beta_, std::nullopt));
  live_answer_ = LiveData{.hostname = "x", .map = "c2m1_highway", .players = 1, .max_players = 4};
  live_rendezvous_ = 2;

  auto listed = instances_->list();
  ASSERT_OK(listed);
  EXPECT_FALSE(live_rendezvous_missed_) << "the two running servers were not asked at the same time";
  std::sort(queried_ports_.begin(), queried_ports_.end());
  EXPECT_EQ(queried_ports_, (std::vector<std::uint16_t>{27015, 27016}));
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[0].name, "alpha");
  EXPECT_EQ((*listed)[1].name, "beta");
  EXPECT_EQ((*listed)[2].name, "ghost");
  ASSERT_OK((*listed)[0].status);
  EXPECT_TRUE((*listed)[0].status->live.has_value());
  ASSERT_OK((*listed)[1].status);
  EXPECT_TRUE((*listed)[1].status->live.has_value());
  ASSERT_OK((*listed)[2].status);
  EXPECT_FALSE((*listed)[2].status->live.has_value());
}

// With 100 servers, asking each cost list most of its time; the health monitor asked them all a moment ago.
TEST_F(InstancesTest, ListShowsTheMonitorsFreshAnswerOfTheSameRunAndAsksTheOthers) {
  ASSERT_NO_FATAL_FAILURE(start_alpha_and_beta());
  live_answer_ = LiveData{.hostname = "asked", .map = "c2m1_highway", .players = 1, .max_players = 4};
  auto alpha = instances_->status(alpha_);
  auto beta = instances_->status(beta_);
  ASSERT_OK(alpha);
  ASSERT_OK(beta);
  ASSERT_TRUE(alpha->process.pid && beta->process.pid);
  struct timespec now {};
  ::clock_gettime(CLOCK_REALTIME, &now);
  std::int64_t now_ms = static_cast<std::int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
  LiveSnapshot snapshot{now_ms, 2000, {}, {}};
  snapshot.answers["alpha"] = {*alpha->process.pid, now_ms - 100, "from the monitor", "c1m1_hotel", 3, 8, 0.5};
  snapshot.answers["beta"] = {*beta->process.pid + 1, now_ms - 100, "another run", "c1m1_hotel", 3, 8, 0.5};
  ASSERT_OK(write_file_atomic(layout_.monitor_live(), live_snapshot_json(snapshot)));
  queried_ports_.clear();

  auto listed = instances_->list();
  ASSERT_OK(listed);
  EXPECT_EQ(queried_ports_, std::vector<std::uint16_t>{27016}) << "only beta, whose entry is another run's";
  ASSERT_OK((*listed)[0].status);
  ASSERT_TRUE((*listed)[0].status->live.has_value());
  EXPECT_EQ((*listed)[0].status->live->hostname, "from the monitor");
  EXPECT_EQ((*listed)[0].status->live->players, 3);
  ASSERT_OK((*listed)[1].status);
  EXPECT_EQ((*listed)[1].status->live->hostname, "asked");

  // status always asks; list asks every server for players itself; a snapshot two rounds old is not used.
  queried_ports_.clear();
  ASSERT_OK(instances_->status(alpha_));
  ASSERT_OK(instances_->list(Players::kInclude));
  snapshot.written_unix_ms = now_ms - 4100;
  ASSERT_OK(write_file_atomic(layout_.monitor_live(), live_snapshot_json(snapshot)));
  ASSERT_OK(instances_->list());
  std::sort(queried_ports_.begin(), queried_ports_.end());
  EXPECT_EQ(queried_ports_, (std::vector<std::uint16_t>{27015, 27015, 27015, 27016, 27016}));
  // A file that is not a snapshot: list asks every server, as without a monitor.
  ASSERT_OK(write_file_atomic(layout_.monitor_live(), "{not json"));
  queried_ports_.clear();
  ASSERT_OK(instances_->list());
  EXPECT_EQ(queried_ports_.size(), 2u);
}

// With 100 servers, walking each writable layer and probing each mount cost list most of what was left; the
// monitor measured them a moment ago. status measures; list takes the monitor's figures of the same run only.
TEST_F(InstancesTest, ListShowsTheMonitorsFreshLayerOfTheSameRunAndMeasuresTheOthers) {
  ASSERT_NO_FATAL_FAILURE(start_alpha_and_beta());
  auto measured = instances_->status(alpha_);
  ASSERT_OK(measured);
  ASSERT_FALSE(measured->mounted) << "the fake mounter mounted nothing";
  struct timespec now {};
  ::clock_gettime(CLOCK_REALTIME, &now);
  std::int64_t now_ms = static_cast<std::int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
  LiveSnapshot snapshot{now_ms, 2000, {}, {}};
  snapshot.layers["alpha"] = {4242, now_ms - 100, true, 123456789};
  snapshot.layers["beta"] = {4344, now_ms - 100, true, 987654321};  // another run's
  ASSERT_OK(write_file_atomic(layout_.monitor_live(), live_snapshot_json(snapshot)));

  for (Players players : {Players::kOmit, Players::kInclude}) {
    auto listed = instances_->list(players);
    ASSERT_OK(listed);
    ASSERT_OK((*listed)[0].status);
    EXPECT_TRUE((*listed)[0].status->mounted);
    EXPECT_EQ((*listed)[0].status->upper_bytes, 123456789u);
    ASSERT_OK((*listed)[1].status);
    EXPECT_FALSE((*listed)[1].status->mounted) << "beta measured";
    EXPECT_NE((*listed)[1].status->upper_bytes, 987654321u);
  }
  auto status = instances_->status(alpha_);
  ASSERT_OK(status);
  EXPECT_FALSE(status->mounted) << "status measures";
  EXPECT_EQ(status->upper_bytes, measured->upper_bytes);

  // A stopped instance, a layer measured more than two rounds ago, and a snapshot two rounds old: measured.
  snapshot.layers["beta"] = {4343, now_ms - 4100, true, 987654321};
  ASSERT_OK(write_file_atomic(layout_.monitor_live(), live_snapshot_json(snapshot)));
  supervisor_->set_info(alpha_, {.state = RunState::kStopped});
  auto listed = instances_->list();
  ASSERT_OK(listed);
  EXPECT_FALSE((*listed)[0].status->mounted);
  EXPECT_FALSE((*listed)[1].status->mounted);
  supervisor_->set_info(alpha_, {.state = RunState::kRunning, .pid = 4242});
  snapshot.written_unix_ms = now_ms - 4100;
  ASSERT_OK(write_file_atomic(layout_.monitor_live(), live_snapshot_json(snapshot)));
  listed = instances_->list();
  ASSERT_OK(listed);
  EXPECT_FALSE((*listed)[0].status->mounted);
  EXPECT_EQ((*listed)[0].status->upper_bytes, measured->upper_bytes);
}

TEST_F(InstancesTest, StatusAsksForPlayersOnlyWhenToldAndShowsThemInJson) {
  ASSERT_OK(instances_->start(alpha_, std::nullopt));
  live_answer_ = LiveData{.hostname = "alpha", .map = "c2m1_highway", .players = 2, .max_players = 4};
  players_answer_ = std::vector<LivePlayer>{{"Nick", 3, 61}, {"<Zo\xC3\xAB>", -2, 0}};
  Result<InstanceStatus> plain = instances_->status(alpha_);
  ASSERT_OK(plain);
  EXPECT_EQ(player_queries_, 0);
  EXPECT_EQ(nlohmann::json::parse(*status_json(*plain))["live"].count("player_list"), 0u);

  Result<InstanceStatus> status = instances_->status(alpha_, Players::kInclude);
  ASSERT_OK(status);
  EXPECT_EQ(player_queries_, 1);
  auto live = nlohmann::json::parse(*status_json(*status))["live"];
  EXPECT_EQ(live["player_list"], nlohmann::json::parse(R"([{"name": "Nick", "score": 3, "seconds": 61},
                                                           {"name": "<Zo\u00eb>", "score": -2, "seconds": 0}])"));
  EXPECT_EQ(live["players"], 2);
}

TEST_F(InstancesTest, PlayersThatDoNotAnswerAreNullAndAStoppedServerIsNotAsked) {
  Result<InstanceStatus> stopped = instances_->status(alpha_, Players::kInclude);
  ASSERT_OK(stopped);
  EXPECT_EQ(player_queries_, 0);
  EXPECT_TRUE(nlohmann::json::parse(*status_json(*stopped))["live"].is_null());

  ASSERT_OK(instances_->start(alpha_, std::nullopt));
  live_answer_ = LiveData{.hostname = "alpha", .map = "c2m1_highway", .players = 1};
  Result<InstanceStatus> silent = instances_->status(alpha_, Players::kInclude);
  ASSERT_OK(silent);
  EXPECT_EQ(player_queries_, 1);
  auto live = nlohmann::json::parse(*status_json(*silent))["live"];
  ASSERT_EQ(live.count("player_list"), 1u);
  EXPECT_TRUE(live["player_list"].is_null());
}

// What list --json prints of 100 servers was mostly their files read again; the monitor read them a moment ago.
// Its entry is printed while its directories stand as they did, for the same build and address, and is the very
// text list would print itself.
TEST_F(InstancesTest, ListJsonPrintsTheMonitorsEntryWhileItsDirectoriesStand) {
  ASSERT_NO_FATAL_FAILURE(start_alpha_and_beta());
  for (const char* id : {"100", "200"}) ASSERT_OK(make_directories(layout_.installation_build(id) + "/left4dead2"));
  ASSERT_OK(make_current(layout_, "100"));
  ASSERT_OK(mounter_->mount(alpha_));
  std::int64_t now_ms = wall_clock_ms();
  LiveSnapshot live{now_ms, 2000, {}, {}};
  live.answers["alpha"] = {4242, now_ms - 100, "from the monitor", "c2m1_highway", 3, 8, 0.5};
  live.answers["beta"] = {4343, now_ms - 100, "beta's", "c1m1_hotel", 0, 8, 0.7};
  live.layers["alpha"] = {4242, now_ms - 100, true, 123456789};
  ASSERT_OK(write_file_atomic(layout_.monitor_live(), live_snapshot_json(live)));
  std::string read_itself = instances_->list_json();

  // The monitor stamps the directories before it reads; one changed within the settling time is left out.
  ListSnapshot fresh = instances_->list_snapshot_for({alpha_, beta_}, live);
  EXPECT_TRUE(fresh.entries.empty()) << "both were written a moment ago";
  std::this_thread::sleep_for(std::chrono::nanoseconds(kSettleNs) + 20ms);
  queried_ports_.clear();
  ListSnapshot snapshot = instances_->list_snapshot_for({alpha_, beta_}, live);
  EXPECT_TRUE(queried_ports_.empty()) << "the monitor's answers, not asked again";
  ASSERT_EQ(snapshot.entries.size(), 2u);
  EXPECT_EQ(snapshot.current_build, "100");
  EXPECT_EQ(snapshot.public_host, "play.example.org");
  ASSERT_OK(write_file_atomic(layout_.monitor_list(), list_snapshot_text(snapshot)));
  EXPECT_EQ(instances_->list_json(), read_itself) << "the same text either way";

  // Printed, not read: an entry marked as the monitor's shows as it is.
  snapshot.entries.at("alpha").json = R"({"name":"alpha","marked":true})";
  snapshot.entries.at("beta").json = R"({"name":"beta","marked":true})";
  ASSERT_OK(write_file_atomic(layout_.monitor_list(), list_snapshot_text(snapshot)));
  EXPECT_EQ(instances_->list_json(), R"([{"name":"alpha","marked":true},{"name":"beta","marked":true}])");

  // A file written in alpha's runtime directory (health.json, state.json, the start error...): alpha is read.
  ASSERT_OK(write_file_atomic(layout_.health(alpha_), "{}\n"));
  std::string listed = instances_->list_json();
  EXPECT_EQ(listed.find(R"({"name":"alpha","marked":true})"), std::string::npos) << listed;
  EXPECT_NE(listed.find(R"({"name":"beta","marked":true})"), std::string::npos) << listed;
  // beta initialized again (its instance directory swapped): read too.
  ASSERT_OK(instances_->initialize(beta_, dir() + "/beta.yaml"));
  EXPECT_EQ(instances_->list_json().find("marked"), std::string::npos);

  // None is used for players, for another current build, another public address, or when too old.
  auto untouched = [&](ListSnapshot changed) {
    UniqueFd instances(::open(layout_.instances().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    UniqueFd runtimes(::open(layout_.runtimes().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    changed.entries.at("alpha").instance_dir = dir_stamp(instances.get(), "alpha").value_or(DirStamp{});
    changed.entries.at("alpha").runtime_dir = dir_stamp(runtimes.get(), "alpha").value_or(DirStamp{});
    return changed;
  };
  ListSnapshot current = untouched(snapshot);
  ASSERT_OK(write_file_atomic(layout_.monitor_list(), list_snapshot_text(current)));
  EXPECT_NE(instances_->list_json().find(R"({"name":"alpha","marked":true})"), std::string::npos);
  // With players: alpha has 3, so it is asked; beta had none, and its players variant would be printed.
  EXPECT_FALSE(current.entries.at("alpha").players_json);
  ASSERT_TRUE(snapshot.entries.at("beta").players_json);
  EXPECT_NE(snapshot.entries.at("beta").players_json->find(R"("player_list":[])"), std::string::npos);
  current.entries.at("alpha").players_json = R"({"name":"alpha","marked":"with players"})";
  ASSERT_OK(write_file_atomic(layout_.monitor_list(), list_snapshot_text(current)));
  EXPECT_NE(instances_->list_json(Players::kInclude).find(R"({"name":"alpha","marked":"with players"})"),
            std::string::npos);
  current.entries.at("alpha").players_json.reset();
  ASSERT_OK(write_file_atomic(layout_.monitor_list(), list_snapshot_text(current)));
  EXPECT_EQ(instances_->list_json(Players::kInclude).find("marked"), std::string::npos);
  ASSERT_OK(make_current(layout_, "200"));
  EXPECT_EQ(instances_->list_json().find("marked"), std::string::npos) << "build 200 is current now";
  ASSERT_OK(make_current(layout_, "100"));
  ListSnapshot elsewhere = current;
  elsewhere.public_host = "other.example.org";
  ASSERT_OK(write_file_atomic(layout_.monitor_list(), list_snapshot_text(elsewhere)));
  EXPECT_EQ(instances_->list_json().find("marked"), std::string::npos);
  ListSnapshot old = current;
  old.written_unix_ms -= 4100;
  ASSERT_OK(write_file_atomic(layout_.monitor_list(), list_snapshot_text(old)));
  EXPECT_EQ(instances_->list_json().find("marked"), std::string::npos);
  ASSERT_OK(write_file_atomic(layout_.monitor_list(), "not a list snapshot\n"));
  EXPECT_EQ(instances_->list_json().find("marked"), std::string::npos);
}

// The monitor records only what list would show: a server without a fresh answer, or one the status of cannot be
// read, gets no entry.
TEST_F(InstancesTest, TheMonitorRecordsNoEntryWithoutAnAnswerOrAStatus) {
  ASSERT_NO_FATAL_FAILURE(start_alpha_and_beta());
  std::this_thread::sleep_for(std::chrono::nanoseconds(kSettleNs) + 20ms);
  std::int64_t now_ms = wall_clock_ms();
  LiveSnapshot live{now_ms, 2000, {}, {}};
  live.answers["alpha"] = {4242, now_ms - 100, "alpha", "c2m1_highway", 0, 8, 0.5};
  live.answers["beta"] = {4343, now_ms - 5000, "beta, long ago", "c1m1_hotel", 0, 8, 0.5};
  live.answers["ghost"] = {4444, now_ms - 100, "ghost", "c1m1_hotel", 0, 8, 0.5};
  ListSnapshot snapshot = instances_->list_snapshot_for({alpha_, beta_, ghost_}, live);
  EXPECT_EQ(snapshot.entries.size(), 1u);
  EXPECT_EQ(snapshot.entries.count("alpha"), 1u);
}

// A2S_INFO says how many play: a server with none has an empty list, and is not asked for it.
TEST_F(InstancesTest, AServerWithNoPlayersIsNotAskedForThem) {
  ASSERT_OK(instances_->start(alpha_, std::nullopt));
  live_answer_ = LiveData{.hostname = "alpha", .map = "c2m1_highway", .players = 0, .max_players = 8};
  Result<InstanceStatus> empty = instances_->status(alpha_, Players::kInclude);
  ASSERT_OK(empty);
  EXPECT_EQ(player_queries_, 0);
  EXPECT_EQ(nlohmann::json::parse(*status_json(*empty))["live"]["player_list"], nlohmann::json::array());
}

// The build an instance mounted stays its build until its next mount, whatever becomes current meanwhile.
TEST_F(InstancesTest, StatusReportsTheMountedBuildAndWhetherItIsStillCurrent) {
  for (const char* id : {"100", "200"}) {
    std::string dir = layout_.installation_build(id);
    ASSERT_OK(make_directories(dir + "/left4dead2"));
    ASSERT_OK(write_file_atomic(dir + "/left4dead2/steam.inf", std::string("PatchVersion=2.2.4.") + id[0] + "\n"));
  }
  ASSERT_OK(make_current(layout_, "100"));
  EXPECT_FALSE(instances_->status(alpha_)->build.has_value());  // not mounted
  ASSERT_OK(mounter_->mount(alpha_));
  Result<InstanceStatus> status = instances_->status(alpha_);
  ASSERT_OK(status);
  ASSERT_TRUE(status->build.has_value());
  EXPECT_EQ(status->build->id, "100");
  EXPECT_EQ(status->build->version, "2.2.4.1");
  EXPECT_TRUE(status->build->current);
  ASSERT_OK(make_current(layout_, "200"));
  status = instances_->status(alpha_);
  EXPECT_EQ(status->build->id, "100");
  EXPECT_FALSE(status->build->current);
  EXPECT_NE(status_json(*status)->find(R"("build":{"current":false,"id":"100","version":"2.2.4.1"})"),
            std::string::npos)
      << *status_json(*status);
  ASSERT_OK(mounter_->unmount(alpha_));
  ASSERT_OK(mounter_->mount(alpha_));
  EXPECT_EQ(instances_->status(alpha_)->build->id, "200");
}

// list reads each build's version and the current build once for all instances: two instances mounted from two
// builds still show each its own, and only the current one as current.
TEST_F(InstancesTest, ListReportsEachInstancesOwnBuild) {
  for (const char* id : {"100", "200"}) {
    std::string dir = layout_.installation_build(id);
    ASSERT_OK(make_directories(dir + "/left4dead2"));
    ASSERT_OK(write_file_atomic(dir + "/left4dead2/steam.inf", std::string("PatchVersion=2.2.4.") + id[0] + "\n"));
  }
  ASSERT_OK(write_file_atomic(dir() + "/beta.yaml", "port: 27016\n"));
  ASSERT_OK(instances_->initialize(beta_, dir() + "/beta.yaml"));
  ASSERT_OK(write_file_atomic(dir() + "/ghost.yaml", "port: 27017\n"));
  ASSERT_OK(instances_->initialize(ghost_, dir() + "/ghost.yaml"));
  ASSERT_OK(make_current(layout_, "100"));
  ASSERT_OK(mounter_->mount(alpha_));
  ASSERT_OK(mounter_->mount(ghost_));
  ASSERT_OK(make_current(layout_, "200"));
  ASSERT_OK(mounter_->mount(beta_));

  auto listed = instances_->list();
  ASSERT_OK(listed);
  ASSERT_EQ(listed->size(), 3u);
  for (const ListedInstance& instance : *listed) ASSERT_OK(instance.status) << instance.name;
  const auto& alpha = (*listed)[0].status->build;
  const auto& beta = (*listed)[1].status->build;
  const auto& ghost = (*listed)[2].status->build;
  ASSERT_TRUE(alpha && beta && ghost);
  EXPECT_EQ(alpha->id, "100");
  EXPECT_EQ(alpha->version, "2.2.4.1");
  EXPECT_FALSE(alpha->current);
  EXPECT_EQ(beta->id, "200");
  EXPECT_EQ(beta->version, "2.2.4.2");
  EXPECT_TRUE(beta->current);
  EXPECT_EQ(ghost->id, "100");
  EXPECT_EQ(ghost->version, "2.2.4.1");
  EXPECT_FALSE(ghost->current);
}

// The supervisor probes every 250 ms: a starting server that already answers us is running.
TEST_F(InstancesTest, StatusCallsAStartingServerThatAnswersRunning) {
  supervisor_->set_info(alpha_, {.state = RunState::kStarting});
  EXPECT_EQ(instances_->status(alpha_)->process.state, RunState::kStarting);
  live_answer_ = LiveData{.hostname = "alpha", .map = "c2m1_highway"};
  EXPECT_EQ(instances_->status(alpha_)->process.state, RunState::kRunning);
}

TEST_F(InstancesTest, StatusOfAnInstanceNeverInitializedIsNotFound) {
  Result<InstanceStatus> status = instances_->status(ghost_);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), ErrorCode::kNotFound);
}

// The JSON of status and list.
InstanceStatus running_status(std::string name, std::string hostname) {
  InstanceStatus status;
  status.name = std::move(name);
  status.process.state = RunState::kRunning;
  status.port = 27015;
  status.supervisor = "builtin";
  status.live = LiveData{std::move(hostname), "c1m1_hotel", 1, 8};
  return status;
}

TEST(StatusJsonTest, StatusJsonIsTheDocumentedObject) {
  Result<std::string> text = status_json(running_status("alpha", "My server"));
  ASSERT_TRUE(text.ok()) << text.error().message();
  nlohmann::json object = nlohmann::json::parse(*text);
  EXPECT_EQ(object["name"], "alpha");
  EXPECT_EQ(object["state"], "running");
  EXPECT_EQ(object["live"]["hostname"], "My server");
}

// Strings from the network are made valid where they are decoded (source_wire); should one slip through,
// that instance's status fails alone instead of l4d2ctl aborting in nlohmann's dump (type_error.316).
TEST(StatusJsonTest, ListShowsEachInstancesErrorAndKeepsTheOthers) {
  std::vector<ListedInstance> listed;
  listed.push_back({"alpha", running_status("alpha", "fine")});
  listed.push_back({"beta", running_status("beta", "caf\xE9")});
  listed.push_back({"gamma", Error::failed("runtime/gamma/state.json: not a valid state file")});
  EXPECT_FALSE(status_json(*listed[1].status).ok());

  nlohmann::json array = nlohmann::json::parse(status_list_json(listed));
  ASSERT_EQ(array.size(), 3u);
  EXPECT_EQ(array[0]["name"], "alpha");
  EXPECT_EQ(array[0]["live"]["hostname"], "fine");
  EXPECT_FALSE(array[0].contains("error"));
  EXPECT_EQ(array[1]["name"], "beta");
  EXPECT_NE(array[1]["error"].get<std::string>().find("cannot be written as JSON"), std::string::npos);
  EXPECT_FALSE(array[1].contains("state"));
  EXPECT_EQ(array[2],
            (nlohmann::json{{"name", "gamma"}, {"error", "runtime/gamma/state.json: not a valid state file"}}));
  EXPECT_EQ(status_list_json({}), "[]");
}

}  // namespace
}  // namespace left4me::host
