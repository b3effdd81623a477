// Instances: the host operations behind every l4d2ctl command (initialize, start, stop, delete,
// status, list, logs, rcon), on top of a Supervisor, a Mounter and a LiveQuery (the seams that unit
// tests fill with fakes). Safe to run from several processes at once: state lives on disk and the
// supervisor locks per instance.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "host/health_monitor.h"
#include "host/host_config.h"
#include "host/live_player.h"
#include "host/list_snapshot.h"
#include "host/live_snapshot.h"
#include "host/launch.h"
#include "host/mounter.h"
#include "host/supervisor.h"
#include "model/instance_name.h"

namespace left4me::host {

struct LiveData {
  std::string hostname;
  std::string map;
  int players = 0;
  int max_players = 0;
  double query_ms = 0;  // how long the A2S_INFO query took to answer
};

// Whether status and list also ask each answering server for its players (A2S_PLAYER).
enum class Players { kOmit, kInclude };

// The game build an instance's mounted tree comes from (docs/design.md, "Game builds").
struct MountedBuild {
  std::string id;
  std::string version;   // "" when its steam.inf cannot be read
  bool current = false;  // it is still the current build (false: the next start moves to another)
};

struct InstanceStatus {
  std::string name;
  ProcessInfo process;
  std::uint16_t port = 0;
  bool mounted = false;
  std::uint64_t upper_bytes = 0;
  std::string supervisor;
  std::optional<LiveData> live;
  // Why the last start failed; nullopt once a start succeeded (or none ever failed).
  std::optional<std::string> last_error;
  // "host:port" players connect to (public_address.h); nullopt when no address is configured or detected.
  std::optional<std::string> connect;
  std::optional<MountedBuild> build;  // nullopt when not mounted, or mounted before builds had ids
  // Players::kInclude asked for the players; player_list is nullopt when the server did not answer that query.
  Players players_asked = Players::kOmit;
  std::optional<std::vector<LivePlayer>> player_list;
  // The health monitor's record (runtime/<name>/health.json); nullopt when it never looked at the instance.
  std::optional<HealthRecord> health;
};

// What a start that fails (the server does not come up with its map in time, or stops while starting) does
// with the server it started: stop it (the default), or leave it running for an admin to look at.
enum class OnStartFailure { kStop, kKeepRunning };

// A2S_INFO of 127.0.0.1:port, nullopt if nothing answers within the timeout.
std::optional<LiveData> query_live(std::uint16_t port, std::chrono::milliseconds timeout);
// How Instances asks a server what it plays (start --wait, status): query_live, or a test's stand-in. list
// calls it from several threads at once.
using LiveQuery = std::function<std::optional<LiveData>(std::uint16_t port, std::chrono::milliseconds timeout)>;
// A2S_PLAYER of 127.0.0.1:port (with the challenge step), an Error if it does not answer in time or lies.
Result<std::vector<LivePlayer>> query_live_players(std::uint16_t port, std::chrono::milliseconds timeout);
// list calls it from several threads at once, as LiveQuery.
using PlayersQuery =
    std::function<Result<std::vector<LivePlayer>>(std::uint16_t port, std::chrono::milliseconds timeout)>;

// One instance of `list`: its status, or why it could not be read.
struct ListedInstance {
  std::string name;
  Result<InstanceStatus> status;
};

// The status as the stable JSON object documented in docs/cli.md. kFailed naming the instance if it cannot be
// written as JSON (a string that is not UTF-8: strings from the network are made valid where they are
// decoded, so only a bug gets here).
Result<std::string> status_json(const InstanceStatus& status);
// `list --json`: a JSON array of each instance's object, or {"name": ..., "error": ...} for an instance whose
// status could not be read or written. One broken instance never hides the others.
std::string status_list_json(const std::vector<ListedInstance>& instances);

class Instances {
 public:
  Instances(HostConfig config, std::unique_ptr<Supervisor> supervisor, std::unique_ptr<Mounter> mounter,
            LiveQuery live = query_live, PlayersQuery players = query_live_players);

  const HostConfig& config() const { return config_; }
  Supervisor& supervisor() { return *supervisor_; }

  // Validates spec_path and writes the instance atomically (whole instance directory swapped).
  // Invalid spec: kInvalidArgument listing every error; nothing on disk changes.
  Status initialize(const model::InstanceName& name, const std::string& spec_path);
  // Starts; with wait_timeout, also waits until A2S answers with the expected map. A start of a stopped
  // instance that fails records why (status' last_error) and, with OnStartFailure::kStop, stops the server
  // again, so no failed start leaves a server running; the error then says so. A successful start forgets
  // the recorded failure. An instance that was running already is left as it is either way.
  Status start(const model::InstanceName& name, std::optional<std::chrono::seconds> wait_timeout,
               OnStartFailure on_failure = OnStartFailure::kStop);
  Status stop(const model::InstanceName& name, std::chrono::seconds timeout);
  // Stops, unmounts, removes the instance and runtime directories. Missing: success.
  Status remove(const model::InstanceName& name);
  // With Players::kInclude, a server that answered A2S_INFO is also asked for its players, unless it said it
  // has none (its list is then empty).
  Result<InstanceStatus> status(const model::InstanceName& name, Players players = Players::kOmit);
  // Every initialized instance, sorted by name, each with its status or the error that status() gave. The
  // instances are read, and their servers asked, at the same time (up to kListThreads at once): the
  // supervisor's info, the mounter's is_mounted and the live queries are called from several threads. A
  // server the health monitor's live snapshot (live_snapshot.h) has a fresh answer of, from the same game
  // process, is not asked again (without Players::kInclude): list then shows what it answered at most two
  // monitor intervals ago. Likewise a running server's mount verdict and writable layer's size, with or without
  // players: the monitor's measure of the same run, at most two intervals old (status always measures).
  Result<std::vector<ListedInstance>> list(Players players = Players::kOmit);
  // `list --json`: what status_list_json(list(players)) prints, but an instance the health monitor's list
  // snapshot (list_snapshot.h) has a fresh entry of, read while its two directories stood as they stand now, is
  // printed from that entry rather than read again: at most two monitor intervals old, for the same installation
  // build and public address (with Players::kInclude, only a server that had no players). The others are read
  // as list reads them.
  std::string list_json(Players players = Players::kOmit);
  // For the health monitor: the list entries of `names` (servers `live` has a fresh answer of), each read as
  // list reads it, with its directories' stamps taken before the read and checked again after it. An instance
  // whose directories changed less than kSettleNs before the stamps or during the read, whose status cannot be
  // read, or that shows no live answer, is left out (list then reads it itself).
  ListSnapshot list_snapshot_for(const std::vector<model::InstanceName>& names, const LiveSnapshot& live);
  static constexpr size_t kListThreads = 16;
  Result<std::string> rcon(const model::InstanceName& name, const std::string& command);
  bool exists(const model::InstanceName& name) const;

 private:
  // What list reads once for all instances rather than once for each: the monitor's live snapshot, LEFT4ME_ROOT
  // resolved, the current build, and each build's version (an installed build's files do not change).
  struct ListShared {
    std::optional<LiveSnapshot> snapshot;
    std::optional<model::Layout> resolved;
    std::optional<std::string> current_build;
    std::mutex versions_mutex;
    std::map<std::string, std::string> versions;  // by build id, filled as instances name them
  };
  // Every initialized instance's name, sorted.
  std::vector<std::string> instance_names() const;
  // Fills each entry's status, up to kListThreads at once.
  void read_listed(std::vector<ListedInstance>& listed, Players players);
  // status(), taking what `shared` holds instead of reading it (nullptr: read everything for this instance).
  Result<InstanceStatus> read_status(const model::InstanceName& name, Players players, ListShared* shared);
  // status' mounted and upper_bytes, asked of the mounter and the file system.
  void measure_layer(const model::InstanceName& name, ListShared* shared, InstanceStatus& status);
  std::optional<MountedBuild> mounted_build(const model::InstanceName& name, ListShared* shared);
  Result<std::string> rcon_password(const model::InstanceName& name) const;
  // The supervisor's start, then (with wait_timeout) the wait for the server's map.
  Status start_and_wait(const model::InstanceName& name, const LaunchPlan& plan,
                        std::optional<std::chrono::seconds> wait_timeout);
  // LEFT4ME_PUBLIC_ADDRESS, else detected once (list asks for every instance).
  const std::optional<std::string>& public_host();
  HostConfig config_;
  std::unique_ptr<Supervisor> supervisor_;
  std::unique_ptr<Mounter> mounter_;
  LiveQuery live_;
  PlayersQuery players_;
  std::optional<std::optional<std::string>> public_host_;
};

}  // namespace left4me::host
