#include "host/monitor_loop.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <filesystem>
#include <functional>
#include <optional>
#include <limits>
#include <map>
#include <vector>

#include "base/file.h"
#include "base/log.h"
#include "base/strings.h"
#include "base/subprocess.h"
#include "base/unique_fd.h"
#include "host/console_log.h"
#include "host/journal.h"
#include "host/launch.h"
#include "host/live_snapshot.h"
#include "host/net_client.h"
#include "host/overlay_mount.h"
#include "host/source_wire.h"
#include "host/supervisor_state.h"
#include "host/systemd_supervisor.h"
#include "model/systemd_units.h"

namespace left4me::host {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// A2S challenges answered per server and round: a server that keeps sending new ones gets no more.
constexpr int kMaxChallengesPerRound = 3;
// Rounds without any supervised instance before the monitor ends.
constexpr int kIdleRoundsBeforeExit = 2;

std::int64_t now_unix() { return static_cast<std::int64_t>(::time(nullptr)); }

std::int64_t now_unix_ms() {
  struct timespec now {};
  ::clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
}

Result<UniqueFd> open_lock(const std::string& path) {
  UniqueFd lock(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!lock.valid()) return Error::from_errno("open " + path, errno);
  return lock;
}

// Every initialized instance's name.
std::vector<model::InstanceName> instance_names(const model::Layout& layout) {
  std::vector<model::InstanceName> names;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(layout.instances(), error)) {
    auto name = model::InstanceName::create(entry.path().filename().string());
    if (name.ok()) names.push_back(*name);
  }
  return names;
}

// One run of a server: the monitor gives each run a fresh tracker.
struct ServerRun {
  model::InstanceName name;
  std::string id;                 // the game's pid and start time, or systemd's invocation id of the unit
  std::int64_t started_unix = 0;  // when the run began; 0 when unknown (the start grace counts from now)
};

// Where the monitor finds the running servers and how it ends one: the built-in supervisor's state files, or
// systemd's units. Single-threaded.
class Fleet {
 public:
  struct Census {
    std::vector<ServerRun> running;
    bool keep_running = true;  // false: nothing left to watch (the built-in monitor then ends)
  };
  virtual ~Fleet() = default;
  virtual Census census() = 0;
  // Whether `run` is still its instance's current run (it may have ended or restarted since the census).
  virtual bool is_current(const ServerRun& run) = 0;
  // Ends `run` so that its supervisor restarts it, writing `reason` to the instance's history first.
  virtual void end(const ServerRun& run, const std::string& reason) = 0;
  // The game process of `run`, when the fleet knows it: answers go to the live snapshot only then.
  virtual std::optional<pid_t> game_pid(const ServerRun&) const { return std::nullopt; }
  // A descriptor to poll for news between rounds (-1: none), and what to do when it is readable.
  virtual int news_fd() const { return -1; }
  virtual void read_news() {}
};

// One run the monitor watches.
struct Watched {
  ServerRun run;
  HealthTracker tracker;
  WatchedSilence watched;    // up to when its silence counts: the monitor's own delays do not
  UniqueFd socket;           // connected to 127.0.0.1:<port>; invalid when it could not be opened
  std::string expected_map;  // the start map (+map); "" when the plan names none: any map will do
  std::uint32_t challenge = kA2sNoChallenge;
  int challenges_this_round = 0;
  HealthRecord record;
  Clock::time_point asked{};         // when this round's request went out
  std::optional<LiveAnswer> answer;  // the last answer, for the live snapshot
  std::optional<LayerFacts> layer;   // this round's mount verdict and layer size, for the live snapshot
  bool answered_this_round = false;
};

class Monitor {
 public:
  Monitor(const model::Layout& layout, const HealthSettings& settings, Fleet& fleet,
          const ListEntriesReader& list_entries)
      : layout_(layout), settings_(settings), fleet_(fleet), list_entries_(list_entries) {}

  // Looks at every running server, decides on each, and asks them again. Returns whether the monitor has a
  // reason to go on (Fleet::Census::keep_running).
  bool round(Clock::time_point now) {
    Fleet::Census census = fleet_.census();
    std::map<std::string, bool> seen;
    for (const ServerRun& run : census.running) {
      seen[run.name.str()] = true;
      watch(run, now);
    }
    for (auto it = watched_.begin(); it != watched_.end();) {
      it = seen.count(it->first) != 0 ? std::next(it) : watched_.erase(it);
    }
    measure_layers();
    for (auto it = watched_.begin(); it != watched_.end();) {
      Watched& server = it->second;
      note_map_change(server, now);
      HealthVerdict verdict = server.tracker.decide(server.watched.until(now));
      if (verdict.state != server.record.state) {
        server.record.state = verdict.state;
        server.record.since_unix = now_unix();
      }
      if (verdict.state == HealthState::kUnresponsive) {
        restart(server, verdict.reason);
        it = watched_.erase(it);
        continue;
      }
      save(server);
      ask(server);
      ++it;
    }
    // Written again once this round's answers are in: at the round's start they are an interval old already,
    // and under load a round late, so `list` would find them too old and ask every server itself. The list
    // snapshot is written then, once a round.
    unanswered_ = 0;
    for (const auto& [name, server] : watched_) unanswered_ += server.socket.valid() ? 1 : 0;
    snapshot_due_ = unanswered_ > 0 ? std::optional(now + answers_wait(settings_.interval)) : std::nullopt;
    save_live_snapshot(/*with_list=*/!snapshot_due_);
    return census.keep_running;
  }

  // Reads every reply that arrived until `until` (or a stop signal on stop_fd). Returns false on a stop.
  bool listen(Clock::time_point until, int stop_fd) {
    while (true) {
      std::vector<struct pollfd> fds;
      std::vector<Watched*> owners;
      fds.push_back({stop_fd, POLLIN, 0});
      fds.push_back({fleet_.news_fd(), POLLIN, 0});
      for (auto& [name, server] : watched_) {
        if (!server.socket.valid()) continue;
        fds.push_back({server.socket.get(), POLLIN, 0});
        owners.push_back(&server);
      }
      if (snapshot_due_ && (unanswered_ == 0 || Clock::now() >= *snapshot_due_)) {
        save_live_snapshot(/*with_list=*/true);
        snapshot_due_.reset();
      }
      Clock::time_point wake = snapshot_due_ ? std::min(until, *snapshot_due_) : until;
      // Rounded up: a wait shorter than a millisecond is one, not a spin until the snapshot is due.
      auto left = std::chrono::ceil<milliseconds>(wake - Clock::now()).count();
      if (left <= 0 && wake != until) continue;
      // Past `until` (a round that ran late), what has arrived is still read: a monitor whose rounds take an
      // interval would otherwise never read an answer, and find every server silent.
      int count = ::poll(fds.data(), fds.size(), static_cast<int>(std::max<long>(left, 0)));
      if (count < 0 && errno != EINTR) return true;
      if (count > 0) {
        if (fds[0].revents != 0) return false;
        if (fds[1].revents != 0) fleet_.read_news();
        for (size_t i = 2; i < fds.size(); ++i) {
          if (fds[i].revents != 0) receive(*owners[i - 2], Clock::now());
        }
      }
      if (left <= 0) return true;
    }
  }

 private:
  void watch(const ServerRun& run, Clock::time_point now) {
    const model::InstanceName& name = run.name;
    auto found = watched_.find(name.str());
    if (found != watched_.end() && found->second.run.id == run.id) return;
    if (found != watched_.end()) watched_.erase(found);
    // The run's age: a monitor started after the server does not give it a fresh start grace.
    auto age =
        std::chrono::seconds(run.started_unix > 0 ? std::max<std::int64_t>(0, now_unix() - run.started_unix) : 0);
    Watched server{run,
                   HealthTracker(settings_, now - age),
                   WatchedSilence(settings_.interval),
                   UniqueFd(),
                   "",
                   kA2sNoChallenge,
                   0,
                   {}};
    // Keep what an earlier run's record says about the monitor's last restart.
    if (auto content = read_file(layout_.health(name)); content.ok()) {
      if (auto previous = parse_health_record(*content, layout_.health(name)); previous.ok()) {
        server.record.last_restart_reason = previous->last_restart_reason;
        server.record.last_restart_unix = previous->last_restart_unix;
      }
    }
    server.record.state = HealthState::kStarting;
    server.record.since_unix = now_unix();
    saved_.erase(name.str());
    if (auto plan = read_launch_plan(layout_, name); plan.ok()) {
      server.expected_map = plan->map;
      if (auto endpoint = resolve_endpoint("127.0.0.1", plan->port); endpoint.ok()) {
        if (auto socket = open_udp(*endpoint); socket.ok()) server.socket = std::move(*socket);
      }
    }
    watched_.emplace(name.str(), std::move(server));
  }

  void note_map_change(Watched& server, Clock::time_point now) {
    auto content = read_file(layout_.map_change(server.run.name));
    if (!content.ok()) return;
    auto unix_ms = parse_int(trim(*content), 0, std::numeric_limits<std::int64_t>::max());
    if (!unix_ms) return;
    std::int64_t ago = now_unix_ms() - *unix_ms;
    server.tracker.map_changed(now - milliseconds(std::max<std::int64_t>(ago, 0)));
  }

  void ask(Watched& server) {
    server.watched.asked(Clock::now());
    if (!server.socket.valid()) return;
    server.challenges_this_round = 0;
    server.answered_this_round = false;
    server.asked = Clock::now();
    send_request(server);
  }

  // Each watched server's mount verdict and writable layer's size, as status measures them, for `list` (a walk
  // of the layer and a mount probe per server and round). Only where the game process is known (the built-in
  // supervisor): list takes them only for the same run.
  void measure_layers() {
    auto resolved = resolved_layout(layout_);
    for (auto& [name, server] : watched_) {
      server.layer.reset();
      auto pid = fleet_.game_pid(server.run);
      if (!pid || !resolved.ok()) continue;
      std::int64_t measured = now_unix_ms();
      auto mount = instance_mount_state(*resolved, server.run.name, RootResolved::kYes);
      auto usage = writable_layer_usage(*resolved, server.run.name, RootResolved::kYes);
      if (!mount.ok() || !usage.ok()) continue;  // list measures it itself
      server.layer = LayerFacts{*pid, measured, *mount == MountState::kMounted, usage->allocated_bytes};
    }
  }

  // runtime/.monitor-live.json: every answer of the last round that came from a known game process, so that
  // `list` shows them instead of asking each server (live_snapshot.h says how fresh they must be).
  // With `with_list`, also runtime/.monitor-list: the whole list entry of every server that answered
  // (list_snapshot.h), read by list_entries_.
  void save_live_snapshot(bool with_list) {
    LiveSnapshot snapshot{now_unix_ms(), std::chrono::duration_cast<milliseconds>(settings_.interval).count(), {}, {}};
    std::vector<model::InstanceName> answered;
    for (const auto& [name, server] : watched_) {
      if (server.answer) {
        snapshot.answers.emplace(name, *server.answer);
        answered.push_back(server.run.name);
      }
      if (server.layer) snapshot.layers.emplace(name, *server.layer);
    }
    (void)write_file_atomic(layout_.monitor_live(), live_snapshot_json(snapshot) + "\n");
    if (!with_list || !list_entries_) return;
    (void)write_file_atomic(layout_.monitor_list(), list_snapshot_text(list_entries_(answered, snapshot)));
  }

  void send_request(Watched& server) {
    std::string request = encode_info_request(
        server.challenge == kA2sNoChallenge ? std::nullopt : std::optional<std::uint32_t>(server.challenge));
    (void)::send(server.socket.get(), request.data(), request.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  }

  // Reads every datagram waiting on the server's socket: an INFO reply is an answer, a challenge is
  // answered (a few times per round).
  void receive(Watched& server, Clock::time_point now) {
    char buffer[2048];
    while (true) {
      ssize_t n = ::recv(server.socket.get(), buffer, sizeof buffer, MSG_DONTWAIT);
      if (n < 0) return;  // EAGAIN, or ECONNREFUSED (nothing bound: the server is silent)
      std::string_view reply(buffer, static_cast<size_t>(n));
      auto type = reply_type(reply);
      if (!type.ok()) continue;
      if (*type == kA2sInfoReply) {
        if (auto info = decode_info_reply(reply); info.ok()) {
          bool expected = server.expected_map.empty() || info->map == server.expected_map;
          server.tracker.answered(now, expected ? AnsweredMap::kExpected : AnsweredMap::kOther);
          if (!server.answered_this_round) {
            server.answered_this_round = true;
            --unanswered_;
          }
          if (auto pid = fleet_.game_pid(server.run)) {
            std::chrono::duration<double, std::milli> took = now - server.asked;
            server.answer = LiveAnswer{*pid,
                                       now_unix_ms(),
                                       info->name,
                                       info->map,
                                       info->players,
                                       info->max_players,
                                       std::max(took.count(), 0.0)};
          }
        }
      } else if (*type == kA2sChallengeReply) {
        auto challenge = decode_challenge_reply(reply);
        if (challenge.ok() && server.challenges_this_round++ < kMaxChallengesPerRound) {
          server.challenge = *challenge;
          send_request(server);
        }
      }
    }
  }

  // Writes health.json when what it says changes.
  void save(const Watched& server) {
    std::string text = health_record_json(server.record);
    auto& last = saved_[server.run.name.str()];
    if (last == text) return;
    if (write_file_atomic(layout_.health(server.run.name), text + "\n").ok()) last = text;
  }

  void restart(Watched& server, const std::string& reason) {
    if (!fleet_.is_current(server.run)) return;  // it ended meanwhile; its supervisor knows
    server.record.last_restart_reason = reason;
    server.record.last_restart_unix = now_unix();
    save(server);
    fleet_.end(server.run, reason);
  }

  const model::Layout& layout_;
  HealthSettings settings_;
  Fleet& fleet_;
  const ListEntriesReader& list_entries_;
  std::map<std::string, Watched> watched_;
  std::map<std::string, std::string> saved_;       // the health.json text last written, per instance
  int unanswered_ = 0;                             // servers asked this round that have not answered yet
  std::optional<Clock::time_point> snapshot_due_;  // the second snapshot of the round, not written yet
};

bool any_supervised(const model::Layout& layout) {
  for (const model::InstanceName& name : instance_names(layout)) {
    auto state = read_supervisor_state(layout.supervisor_state(name));
    if (state.ok() && liveness(*state).supervisor) return true;
  }
  return false;
}

// The built-in supervisor's servers: an instance runs when its state file says starting or running and both
// its supervisor and its game live. The monitor goes on while any instance has a live supervisor; it ends a
// server by SIGKILL to the game's process group (a hung srcds may ignore SIGINT).
class BuiltinFleet final : public Fleet {
 public:
  explicit BuiltinFleet(const model::Layout& layout) : layout_(layout) {}

  Census census() override {
    Census census{{}, false};
    games_.clear();
    for (const model::InstanceName& name : instance_names(layout_)) {
      auto state = read_supervisor_state(layout_.supervisor_state(name));
      if (!state.ok()) continue;
      Liveness alive = liveness(*state);
      census.keep_running = census.keep_running || alive.supervisor;
      bool runs = (state->state == RunState::kStarting || state->state == RunState::kRunning) && state->game &&
                  alive.game && alive.supervisor;
      if (!runs) continue;
      std::string id = std::to_string(state->game->pid) + "@" + std::to_string(state->game->start_ticks);
      games_[id] = *state->game;
      census.running.push_back({name, id, start_time_unix(*state->game)});
    }
    return census;
  }

  bool is_current(const ServerRun& run) override {
    auto game = games_.find(run.id);
    return game != games_.end() && is_alive(game->second);
  }

  std::optional<pid_t> game_pid(const ServerRun& run) const override {
    auto game = games_.find(run.id);
    if (game == games_.end()) return std::nullopt;
    return game->second.pid;
  }

  void end(const ServerRun& run, const std::string& reason) override {
    const ProcessIdentity& game = games_.at(run.id);
    // The console log is the instance's history (`l4d2ctl logs`); the supervisor rotates it.
    if (auto log = ConsoleLogWriter::open(layout_.console_log(run.name), std::numeric_limits<std::uint64_t>::max());
        log.ok()) {
      (void)log->write_line("left4me: monitor: " + reason + "; killing the server so that it is restarted");
    }
    log::warning("monitor: '{}' {}; killing its server (pid {})", run.name.str(), reason, game.pid);
    ::kill(-game.pid, SIGKILL);
  }

 private:
  const model::Layout& layout_;
  std::map<std::string, ProcessIdentity> games_;  // by run id, from the last census
};

// After the map-change follower ends (sudo refused, journalctl gone), how long before it is started again.
constexpr std::chrono::seconds kFollowerRetry{30};

// Under systemd: the servers are the units left4me-server@<name>.service whose cgroup (below
// l4d2-game.slice, readable by every user) holds processes, and each start of a unit is one run, named by
// its invocation id (the cgroup's user.invocation_id). The monitor ends a server with `left4me-systemctl
// kill` (the unit's Restart= and StartLimitBurst= apply), writes the reason to the journal where
// left4me-journalctl shows it with the server's output, and learns of the map changes on the consoles from
// `left4me-journalctl --map-changes`; both helpers through sudo. It runs as long as its service does.
class SystemdFleet final : public Fleet {
 public:
  SystemdFleet(const model::Layout& layout, SystemdSupervisor supervisor, std::string cgroup_root)
      : layout_(layout), supervisor_(std::move(supervisor)), cgroup_root_(std::move(cgroup_root)) {}

  Census census() override {
    follow_map_changes();
    Census census;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(cgroup_root_, error)) {
      auto name = instance_of_unit(entry.path().filename().string());
      if (!name || !populated(entry.path().string()) || !path_exists(layout_.instance_env(*name))) continue;
      auto id = invocation_id(entry.path().string());
      if (id) census.running.push_back({*name, *id, 0});
    }
    return census;
  }

  bool is_current(const ServerRun& run) override {
    std::string cgroup = unit_cgroup(run.name);
    return populated(cgroup) && invocation_id(cgroup) == run.id;
  }

  void end(const ServerRun& run, const std::string& reason) override {
    std::string line = "left4me: monitor: " + reason + "; killing the server so that systemd restarts it";
    auto logged = send_to_journal({{"MESSAGE", line},
                                   {"PRIORITY", "4"},
                                   {"SYSLOG_IDENTIFIER", "left4me-monitor"},
                                   {std::string(model::kMonitorInstanceField), run.name.str()}});
    if (!logged.ok()) log::warning("monitor: '{}': {}", run.name.str(), line);
    if (auto killed = supervisor_.kill(run.name); !killed.ok()) {
      log::warning("monitor: '{}': {}", run.name.str(), killed.error().message());
    }
  }

  int news_fd() const override { return follower_ ? follower_->stdout_fd() : -1; }

  void read_news() override {
    char buffer[8192];
    ssize_t n = ::read(follower_->stdout_fd(), buffer, sizeof buffer);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {  // the follower ended
      log::warning("monitor: the map-change follower (left4me-journalctl --map-changes) ended; again in {} s",
                   kFollowerRetry.count());
      follower_.reset();
      return;
    }
    pending_.append(buffer, static_cast<size_t>(n));
    size_t end;
    while ((end = pending_.find('\n')) != std::string::npos) {
      if (auto change = parse_journal_map_change(std::string_view(pending_).substr(0, end))) {
        (void)record_map_change(layout_, change->instance, change->unix_ms);
      }
      pending_.erase(0, end + 1);
    }
  }

 private:
  static std::optional<model::InstanceName> instance_of_unit(std::string_view unit) {
    if (!unit.starts_with(model::kServerUnitPrefix) || !unit.ends_with(model::kServerUnitSuffix)) return std::nullopt;
    unit.remove_prefix(model::kServerUnitPrefix.size());
    unit.remove_suffix(model::kServerUnitSuffix.size());
    auto name = model::InstanceName::create(unit);
    if (!name.ok()) return std::nullopt;
    return *name;
  }

  std::string unit_cgroup(const model::InstanceName& name) const {
    return cgroup_root_ + "/" + std::string(model::kServerUnitPrefix) + name.str() +
           std::string(model::kServerUnitSuffix);
  }

  // Whether the cgroup holds a process ("populated 1" in cgroup.events).
  static bool populated(const std::string& cgroup) {
    auto events = read_file(cgroup + "/cgroup.events");
    return events.ok() && events->find("populated 1") != std::string::npos;
  }

  static std::optional<std::string> invocation_id(const std::string& cgroup) {
    char value[64];
    ssize_t n = ::getxattr(cgroup.c_str(), "user.invocation_id", value, sizeof value);
    if (n <= 0) return std::nullopt;
    return std::string(value, static_cast<size_t>(n));
  }

  void follow_map_changes() {
    if (follower_ || Clock::now() < next_follow_) return;
    next_follow_ = Clock::now() + kFollowerRetry;
    pending_.clear();
    auto follower = supervisor_.follow_map_changes();
    if (!follower.ok()) {
      log::warning("monitor: {}", follower.error().message());
      return;
    }
    ::fcntl(follower->stdout_fd(), F_SETFL, O_NONBLOCK);
    follower_ = std::move(*follower);
  }

  const model::Layout& layout_;
  SystemdSupervisor supervisor_;
  std::string cgroup_root_;
  std::optional<Subprocess> follower_;
  Clock::time_point next_follow_{};
  std::string pending_;  // the follower's output after its last complete line
};

// Rounds every interval until a stop signal, or until `after_round` (told whether the fleet gave a reason to
// go on) returns false.
int run_rounds(const model::Layout& layout, const HealthSettings& settings, Fleet& fleet,
               const ListEntriesReader& list_entries, const std::function<bool(bool keep_running)>& after_round) {
  auto signals = take_stop_signals();
  if (!signals.ok()) return 1;
  if (settings.hang.count() <= 0) return 0;  // hang detection is off

  Monitor monitor(layout, settings, fleet, list_entries);
  auto next_round = Clock::now();
  while (true) {
    if (!after_round(monitor.round(Clock::now()))) return 0;
    next_round += settings.interval;
    if (next_round < Clock::now()) next_round = Clock::now();
    if (!monitor.listen(next_round, signals->get())) return 0;
  }
}

}  // namespace

Result<std::optional<pid_t>> ensure_monitor(const model::Layout& layout, const std::string& self_exe) {
  if (auto made = make_directories(layout.runtimes()); !made.ok()) return made.error();
  auto lock = open_lock(layout.monitor_lock());
  if (!lock.ok()) return lock.error();
  if (::flock(lock->get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return std::optional<pid_t>();  // a monitor runs
    return Error::from_errno("flock " + layout.monitor_lock(), errno);
  }
  auto process = Subprocess::spawn({.argv = {self_exe, "__monitor", "--lock-fd", std::to_string(lock->get())},
                                    .stdout_mode = Stream::kNull,
                                    .stderr_mode = Stream::kNull,
                                    .group = Group::kNewSession,
                                    .keep_fds = {lock->get()}});
  if (!process.ok()) return process.error().with_context("start the health monitor");
  pid_t pid = process->pid();
  process->detach();
  return std::optional<pid_t>(pid);
}

int run_monitor(const model::Layout& layout, const HealthSettings& settings, int lock_fd,
                const ListEntriesReader& list_entries) {
  UniqueFd lock(lock_fd);  // held while the monitor runs
  ::fcntl(lock.get(), F_SETFD, FD_CLOEXEC);
  BuiltinFleet fleet(layout);
  int idle_rounds = 0;
  return run_rounds(layout, settings, fleet, list_entries, [&](bool supervised) {
    idle_rounds = supervised ? 0 : idle_rounds + 1;
    if (idle_rounds < kIdleRoundsBeforeExit) return true;
    // Release the lock, then look once more: a start that saw the lock held before we let go has
    // recorded its server by then (ensure_monitor runs after that), so we see it and go on.
    lock.reset();
    if (!any_supervised(layout)) return false;
    auto again = open_lock(layout.monitor_lock());
    if (!again.ok() || ::flock(again->get(), LOCK_EX | LOCK_NB) != 0) return false;  // another monitor took over
    lock = std::move(*again);
    idle_rounds = 0;
    return true;
  });
}

int run_systemd_monitor(const model::Layout& layout, const HealthSettings& settings, const std::string& helper_dir) {
  SystemdFleet fleet(layout, SystemdSupervisor(systemd_supervisor_options(helper_dir)),
                     std::string(model::kGameSliceCgroup));
  // Under systemd the monitor knows no game process, so it has no answers for list and writes no list snapshot.
  return run_rounds(layout, settings, fleet, ListEntriesReader(), [](bool) { return true; });
}

Status record_map_change(const model::Layout& layout, const model::InstanceName& name,
                         std::optional<std::int64_t> unix_ms) {
  return write_file_atomic(layout.map_change(name), std::to_string(unix_ms.value_or(now_unix_ms())) + "\n");
}

}  // namespace left4me::host
