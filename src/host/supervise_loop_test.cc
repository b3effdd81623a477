// The built-in supervisor's restart loop with a scripted server and a clock the test moves: what it
// records in state.json and the console log at each step, restart counting, the burst limit, the
// restart delay, and stops. Real files in a temporary layout; no process is started.
#include "host/supervise_loop.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <string>
#include <vector>

#include "base/file.h"
#include "host/supervisor_state.h"
#include "testing/test_support.h"

namespace left4me::host {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const ExitStatus kCrash{.signal = SIGSEGV, .signalled = true};
const ExitStatus kCleanQuit{.code = 0};

// One run of the scripted server: how long it lasts and how it ends.
struct ScriptedRun {
  Clock::duration lasts = 300ms;
  Result<ExitStatus> exit = kCrash;
  bool answers = true;          // it reaches running
  bool stop_requested = false;  // a stop arrives while it runs (it then exits as `exit` says)
};

// A ServerRunner that plays its script and moves the test's clock; it notes the state recorded when
// the server started and when it answered.
class ScriptedRunner final : public ServerRunner {
 public:
  ScriptedRunner(const model::Layout& layout, const model::InstanceName& name, Clock::time_point& now,
                 std::vector<ScriptedRun> script)
      : layout_(layout), name_(name), now_(now), script_(std::move(script)) {}

  Result<ExitStatus> run(const LaunchPlan& plan, const Events& events) override {
    if (runs_ == script_.size()) return Error::failed("the script has no run " + std::to_string(runs_ + 1));
    const ScriptedRun& run = script_[runs_++];
    started_at_.push_back(now_);
    ports_.push_back(plan.port);
    events.started(ProcessIdentity{.pid = 5000 + static_cast<pid_t>(runs_), .start_ticks = 1});
    seen_.push_back(recorded());
    if (run.answers) {
      events.ready();
      seen_.push_back(recorded());
    }
    now_ += run.lasts;
    if (run.stop_requested) stop_requested_ = true;
    return run.exit;
  }
  bool stop_requested() const override { return stop_requested_; }
  bool wait_for_stop(std::chrono::milliseconds delay) override {
    waits_.push_back(delay);
    if (stop_in_wait_ == waits_.size()) return true;
    now_ += delay;
    return false;
  }

  // The n-th wait (from 1) sees a stop arrive.
  void stop_in_wait(size_t n) { stop_in_wait_ = n; }
  size_t runs() const { return runs_; }
  const std::vector<Clock::time_point>& started_at() const { return started_at_; }
  const std::vector<std::uint16_t>& ports() const { return ports_; }
  const std::vector<std::chrono::milliseconds>& waits() const { return waits_; }
  // "<state>: <message>" as recorded after each started/ready event.
  const std::vector<std::string>& seen() const { return seen_; }

 private:
  std::string recorded() const {
    Result<SupervisorState> state = read_supervisor_state(layout_.supervisor_state(name_));
    if (!state.ok()) return state.error().message();
    return std::string(to_string(state->state)) + ": " + state->message +
           (state->game ? " (pid " + std::to_string(state->game->pid) + ")" : "");
  }

  const model::Layout& layout_;
  const model::InstanceName& name_;
  Clock::time_point& now_;
  std::vector<ScriptedRun> script_;
  size_t runs_ = 0;
  bool stop_requested_ = false;
  size_t stop_in_wait_ = 0;
  std::vector<Clock::time_point> started_at_;
  std::vector<std::uint16_t> ports_;
  std::vector<std::chrono::milliseconds> waits_;
  std::vector<std::string> seen_;
};

class RestartLoopTest : public test::TempDirTest {
 protected:
  RestartLoopTest() : TempDirTest(test::TempStorage::kMemory) {}
  void SetUp() override {
    ASSERT_OK(make_directories(layout_.instance_dir(name_)));
    ASSERT_OK(make_directories(layout_.runtime_dir(name_)));
    ASSERT_OK(write_file_atomic(
        layout_.instance_env(name_),
        "L4D2_PORT=27015\nL4D2_LOWERDIRS=" + layout_.installation() + "\nL4D2_ARGS=+map c1m1_hotel\n"));
  }

  // Runs the loop over `script` to its end; returns its exit code.
  int run_loop(ScriptedRunner& runner, const RestartPolicy& policy = {}) {
    auto log = ConsoleLogWriter::open(layout_.console_log(name_), policy.log_max_bytes);
    EXPECT_OK(log);
    if (!log.ok()) return -1;
    return run_restart_loop(layout_, name_, policy, runner, *log, [this] { return now_; });
  }
  SupervisorState final_state() {
    Result<SupervisorState> state = read_supervisor_state(layout_.supervisor_state(name_));
    EXPECT_OK(state);
    return state.ok() ? *state : SupervisorState{};
  }
  std::vector<std::string> console() {
    Result<std::vector<std::string>> lines = tail_console_log(layout_.console_log(name_), 1000);
    EXPECT_OK(lines);
    return lines.ok() ? *lines : std::vector<std::string>{};
  }
  int console_count(const std::string& line) {
    std::vector<std::string> lines = console();
    return static_cast<int>(std::count(lines.begin(), lines.end(), line));
  }

  model::Layout layout_ = *model::Layout::create(dir() + "/root");
  model::InstanceName name_ = *model::InstanceName::create("crash");
  Clock::time_point now_ = Clock::time_point{} + 1000s;
};

TEST_F(RestartLoopTest, EachRunIsRecordedStartingThenRunning) {
  ScriptedRunner runner(layout_, name_, now_, {{.exit = kCleanQuit}});
  EXPECT_EQ(run_loop(runner), 0);
  EXPECT_EQ(runner.seen(), (std::vector<std::string>{"starting: waiting for the server to answer queries (pid 5001)",
                                                     "running: running (pid 5001)"}));
  EXPECT_EQ(runner.ports(), std::vector<std::uint16_t>{27015});
  SupervisorState state = final_state();
  EXPECT_EQ(state.state, RunState::kStopped);
  EXPECT_EQ(state.message, "the server quit by itself");
  EXPECT_FALSE(state.game.has_value());
  ASSERT_TRUE(state.last_exit.has_value());
  EXPECT_TRUE(state.last_exit->success());
  EXPECT_EQ(console(), std::vector<std::string>{"left4me: server exited (exit code 0)"});
}

// The unit's policy: restarted 5 s after each crash, 4 times; the fifth start within 60 s is the last.
TEST_F(RestartLoopTest, ACrashingServerIsRestartedFourTimesThenFails) {
  ScriptedRunner runner(layout_, name_, now_, std::vector<ScriptedRun>(5, {.lasts = 300ms, .exit = kCrash}));
  EXPECT_EQ(run_loop(runner), 1);
  EXPECT_EQ(runner.runs(), 5u);
  EXPECT_EQ(runner.waits(), std::vector<std::chrono::milliseconds>(4, 5000ms));
  ASSERT_EQ(runner.started_at().size(), 5u);
  EXPECT_EQ(runner.started_at()[4] - runner.started_at()[0], 4 * (300ms + 5000ms));
  SupervisorState state = final_state();
  EXPECT_EQ(state.state, RunState::kFailed);
  EXPECT_EQ(state.restarts, 4);
  EXPECT_EQ(state.message, "crashed 5 times within 60 s; not restarting (start it again to retry)");
  EXPECT_FALSE(state.game.has_value());
  ASSERT_TRUE(state.last_exit.has_value());
  EXPECT_EQ(state.last_exit->describe(), "killed by SIGSEGV");
  EXPECT_EQ(console_count("left4me: restarting in 5000 ms after killed by SIGSEGV"), 4);
  EXPECT_EQ(console().back(), "left4me: crashed 5 times within 60 s; not restarting (start it again to retry)");
}

TEST_F(RestartLoopTest, CrashesFarApartAreRestartedUntilAStop) {
  std::vector<ScriptedRun> script(8, {.lasts = 20s, .exit = kCrash});
  script.push_back({.lasts = 20s, .exit = ExitStatus{.code = 0}, .stop_requested = true});
  ScriptedRunner runner(layout_, name_, now_, script);
  EXPECT_EQ(run_loop(runner), 0);
  EXPECT_EQ(runner.runs(), 9u);
  SupervisorState state = final_state();
  EXPECT_EQ(state.state, RunState::kStopped);
  EXPECT_EQ(state.message, "stopped");
  EXPECT_EQ(state.restarts, 8);
}

TEST_F(RestartLoopTest, TheDelayFollowsThePolicy) {
  ScriptedRunner runner(layout_, name_, now_, std::vector<ScriptedRun>(2, {.exit = kCrash}));
  EXPECT_EQ(run_loop(runner, RestartPolicy{.delay = 200ms, .burst = 2}), 1);
  EXPECT_EQ(runner.waits(), std::vector<std::chrono::milliseconds>{200ms});
  EXPECT_EQ(console_count("left4me: restarting in 200 ms after killed by SIGSEGV"), 1);
  EXPECT_EQ(final_state().restarts, 1);
}

// A stop while waiting to restart: stopped, and that restart never counted.
TEST_F(RestartLoopTest, AStopDuringTheRestartDelayEndsStopped) {
  ScriptedRunner runner(layout_, name_, now_, std::vector<ScriptedRun>(3, {.exit = kCrash}));
  runner.stop_in_wait(2);
  EXPECT_EQ(run_loop(runner), 0);
  EXPECT_EQ(runner.runs(), 2u);
  SupervisorState state = final_state();
  EXPECT_EQ(state.state, RunState::kStopped);
  EXPECT_EQ(state.message, "stopped");
  EXPECT_EQ(state.restarts, 1);
}

// Stopped by SIGINT, the server may exit with a signal of its own: still a stop, never a restart.
TEST_F(RestartLoopTest, AStopDuringARunIsNotRestartedHoweverItExits) {
  ScriptedRunner runner(layout_, name_, now_, {{.exit = kCrash, .stop_requested = true}, {.exit = kCrash}});
  EXPECT_EQ(run_loop(runner), 0);
  EXPECT_EQ(runner.runs(), 1u);
  EXPECT_EQ(final_state().state, RunState::kStopped);
  EXPECT_TRUE(runner.waits().empty());
}

TEST_F(RestartLoopTest, AServerThatCannotStartFailsWithTheReason) {
  std::string reason = layout_.merged(name_) + "/srcds_run does not exist (game tree not mounted?)";
  ScriptedRunner runner(layout_, name_, now_, {{.exit = Error::failed(reason), .answers = false}});
  EXPECT_EQ(run_loop(runner), 1);
  SupervisorState state = final_state();
  EXPECT_EQ(state.state, RunState::kFailed);
  EXPECT_EQ(state.message, reason);
  EXPECT_FALSE(state.game.has_value());
  EXPECT_EQ(console().back(), "left4me: " + reason);
}

TEST_F(RestartLoopTest, AnInstanceWithoutInstanceEnvFailsBeforeAnyStart) {
  ASSERT_OK(remove_tree(layout_.instance_env(name_)));
  ScriptedRunner runner(layout_, name_, now_, {{}});
  EXPECT_EQ(run_loop(runner), 1);
  EXPECT_EQ(runner.runs(), 0u);
  SupervisorState state = final_state();
  EXPECT_EQ(state.state, RunState::kFailed);
  EXPECT_EQ(state.message.rfind("cannot read the instance: ", 0), 0u) << state.message;
}

}  // namespace
}  // namespace left4me::host
