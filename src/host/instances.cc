#include "host/instances.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "base/file.h"
#include "base/log.h"
#include "base/unique_fd.h"
#include "host/a2s_client.h"
#include "host/game_builds.h"
#include "host/instance_identity.h"
#include "host/launch.h"
#include "host/overlay_mount.h"
#include "host/public_address.h"
#include "host/monitor_loop.h"
#include "host/rcon_client.h"
#include "host/socket_owner.h"
#include "host/start_failure.h"
#include "host/steam_client.h"
#include "model/render.h"
#include "model/spec.h"

namespace left4me::host {
namespace {

using nlohmann::json;

std::string rfc3339(std::int64_t unix_seconds) {
  std::time_t time = static_cast<std::time_t>(unix_seconds);
  std::tm utc{};
  ::gmtime_r(&time, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

// `live.player_list` (docs/cli.md): null when the server did not answer A2S_PLAYER.
json player_list_json(const InstanceStatus& status) {
  if (!status.player_list) return nullptr;
  json list = json::array();
  for (const LivePlayer& player : *status.player_list) {
    list.push_back({{"name", player.name}, {"score", player.score}, {"seconds", player.seconds}});
  }
  return list;
}

json to_json(const InstanceStatus& status) {
  json object = {
      {"name", status.name},
      {"state", std::string(to_string(status.process.state))},
      {"pid", status.process.pid ? json(*status.process.pid) : json(nullptr)},
      {"since", status.process.since_unix ? json(rfc3339(*status.process.since_unix)) : json(nullptr)},
      {"port", status.port},
      {"mounted", status.mounted},
      {"restarts", status.process.restarts},
      {"upper_bytes", status.upper_bytes},
      {"supervisor", status.supervisor},
      {"last_error", status.last_error ? json(*status.last_error) : json(nullptr)},
      {"connect", status.connect ? json(*status.connect) : json(nullptr)},
  };
  if (status.process.last_exit) {
    const ExitStatus& exit = *status.process.last_exit;
    std::string signal_name;
    if (exit.signalled) {
      const char* abbreviation = sigabbrev_np(exit.signal);
      signal_name = std::string("SIG") + (abbreviation != nullptr ? abbreviation : std::to_string(exit.signal));
    }
    object["last_exit"] = {{"code", exit.signalled ? json(nullptr) : json(exit.code)},
                           {"signal", exit.signalled ? json(signal_name) : json(nullptr)},
                           {"description", exit.describe()}};
  } else {
    object["last_exit"] = nullptr;
  }
  object["build"] =
      status.build
          ? json{{"id", status.build->id}, {"version", status.build->version}, {"current", status.build->current}}
          : json(nullptr);
  if (status.live) {
    object["live"] = {{"hostname", status.live->hostname},
                      {"map", status.live->map},
                      {"players", status.live->players},
                      {"max_players", status.live->max_players},
                      {"query_ms", std::round(status.live->query_ms * 1000.0) / 1000.0}};
    if (status.players_asked == Players::kInclude) object["live"]["player_list"] = player_list_json(status);
  } else {
    object["live"] = nullptr;
  }
  if (status.health) {
    const HealthRecord& health = *status.health;
    bool runs = status.process.state == RunState::kRunning || status.process.state == RunState::kStarting;
    object["health"] = {
        {"state", runs ? json(std::string(to_string(health.state))) : json(nullptr)},
        {"since", runs ? json(rfc3339(health.since_unix)) : json(nullptr)},
        {"last_restart_reason", health.last_restart_reason.empty() ? json(nullptr) : json(health.last_restart_reason)},
        {"last_restart", health.last_restart_unix ? json(rfc3339(*health.last_restart_unix)) : json(nullptr)}};
  } else {
    object["health"] = nullptr;
  }
  return object;
}

std::string rendered_server_cfg(const model::Layout& layout, const model::InstanceName& name) {
  return layout.rendered_dir(name) + "/" + std::string(model::kServerCfgGamePath);
}

// The RCON password goes only to the instance's own server, never to whatever took its port: the
// process that accepted our connection must be the instance's (its process tree holds the socket), or,
// where those descriptors cannot be read (the server runs as its own uid under systemd, behind
// ProtectProc), the socket must belong to the instance's own uid.
Status check_server_peer(int fd, pid_t server_pid, std::optional<uid_t> instance_uid, std::uint16_t port) {
  auto peer = connection_peer(fd, std::chrono::milliseconds(2000));
  if (!peer.ok()) return peer.error();
  const std::string refusal = "port " + std::to_string(port) +
                              " is answered by a process that is not this instance's server; the password was not sent";
  if (peer->inode == 0)
    return Error::failed("port " + std::to_string(port) + ": the server did not accept the connection");
  auto held = process_tree_holds_socket(server_pid, peer->inode);
  if (held.ok()) return *held ? ok_status() : Error(ErrorCode::kPermissionDenied, refusal);
  if (held.error().code() != ErrorCode::kPermissionDenied) return held.error();
  if (instance_uid && peer->uid == *instance_uid && peer->uid != 0 && peer->uid != ::geteuid()) return ok_status();
  return Error(ErrorCode::kPermissionDenied, refusal);
}

// How long the stop after a failed start waits before killing (the default of `l4d2ctl stop`).
constexpr std::chrono::seconds kStopAfterFailedStart{15};
std::int64_t now_unix_ms() {
  struct timespec now {};
  ::clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
}

std::string random_suffix() {
  std::random_device random;
  return std::to_string(random()) + std::to_string(random());
}

// One element of `list --json`: the status object, or {"name", "error"}.
std::string listed_json(const ListedInstance& instance) {
  Result<std::string> object = instance.status.ok() ? status_json(*instance.status) : instance.status.error();
  if (object.ok()) return *object;
  // An error message may quote anything; replacing what is not UTF-8 keeps this one from failing too.
  json entry = {{"name", instance.name}, {"error", object.error().message()}};
  return entry.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::int64_t now_unix_ns() {
  struct timespec now {};
  ::clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

UniqueFd open_directory(const std::string& path) {
  return UniqueFd(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
}

}  // namespace

Result<std::string> status_json(const InstanceStatus& status) {
  try {
    return to_json(status).dump();
  } catch (const json::exception& error) {
    return Error::failed(fmt::format("{}: the status cannot be written as JSON: {}", status.name, error.what()));
  }
}

std::string status_list_json(const std::vector<ListedInstance>& instances) {
  std::string out = "[";
  for (const ListedInstance& instance : instances) {
    if (out.size() > 1) out += ',';
    out += listed_json(instance);
  }
  out += ']';
  return out;
}

std::optional<LiveData> query_live(std::uint16_t port, std::chrono::milliseconds timeout) {
  auto asked = std::chrono::steady_clock::now();
  auto info = query_info("127.0.0.1", port, timeout);
  if (!info.ok()) return std::nullopt;
  std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - asked;
  return LiveData{info->name, info->map, info->players, info->max_players, took.count()};
}

Result<std::vector<LivePlayer>> query_live_players(std::uint16_t port, std::chrono::milliseconds timeout) {
  auto players = query_players("127.0.0.1", port, timeout);
  if (!players.ok()) return players.error();
  std::vector<LivePlayer> shown;
  shown.reserve(players->size());
  for (const A2sPlayer& player : *players) shown.push_back(to_live_player(player));
  return shown;
}

Instances::Instances(HostConfig config, std::unique_ptr<Supervisor> supervisor, std::unique_ptr<Mounter> mounter,
                     LiveQuery live, PlayersQuery players)
    : config_(std::move(config)),
      supervisor_(std::move(supervisor)),
      mounter_(std::move(mounter)),
      live_(std::move(live)),
      players_(std::move(players)) {}

bool Instances::exists(const model::InstanceName& name) const { return path_exists(config_.layout.instance_env(name)); }

Status Instances::initialize(const model::InstanceName& name, const std::string& spec_path) {
  const model::Layout& layout = config_.layout;
  auto content = read_file(spec_path);
  if (!content.ok()) {
    return Error::invalid("cannot read the spec: " + content.error().message());
  }
  auto parsed = model::parse_instance_spec(*content, spec_path);
  if (!parsed.ok()) return parsed.error();
  model::Spec spec = std::move(parsed).value();

  std::vector<std::string> overlay_dirs;
  for (const auto& ref : spec.overlays) {
    std::string dir = layout.overlay(ref);
    if (!is_directory(dir)) {
      return Error::invalid(spec_path + ": overlays: overlay '" + ref + "' does not exist (" + dir + ")");
    }
    overlay_dirs.push_back(dir);
  }
  // A generated RCON password is kept across re-initializations.
  if (!spec.rcon_password) {
    auto previous = read_file(rendered_server_cfg(layout, name));
    if (previous.ok()) spec.rcon_password = model::find_rcon_password(*previous);
    if (!spec.rcon_password) {
      auto generated = model::generate_rcon_password();
      if (!generated.ok()) return generated.error();
      spec.rcon_password = *generated;
    }
  }
  auto files = model::render_instance(spec, name, layout, overlay_dirs, *spec.rcon_password);
  if (!files.ok()) return files.error();

  // Stage the whole instance directory, then swap it in with one rename.
  for (const std::string& dir : {layout.instances(), layout.tmp(), layout.runtimes()}) {
    if (auto made = make_directories(dir); !made.ok()) return made;
  }
  std::string staging = layout.instance_staging(name, random_suffix());
  // Paths inside the staging directory mirror those the layout gives inside the instance directory.
  std::string instance_dir = layout.instance_dir(name);
  auto staged = [&](const std::string& path) { return staging + path.substr(instance_dir.size()); };
  auto stage = [&]() -> Status {
    std::string cfg = staged(rendered_server_cfg(layout, name));
    if (auto made = make_directories(cfg.substr(0, cfg.rfind('/')), 0750); !made.ok()) return made;
    if (auto w = write_file_atomic(staged(layout.instance_env(name)), files->instance_env, 0644); !w.ok()) return w;
    if (auto w = write_file_atomic(staged(layout.instance_spec(name)), model::format_spec_yaml(spec), 0600); !w.ok()) {
      return w;
    }
    if (auto w = write_file_atomic(cfg, files->server_cfg, 0640); !w.ok()) return w;
    // The instance's recorded identity (written by the overlay helper) stays with it.
    auto uid = read_file(layout.instance_uid(name));
    if (uid.ok()) return write_file_atomic(staged(layout.instance_uid(name)), *uid, 0644);
    return ok_status();
  };
  if (auto status = stage(); !status.ok()) {
    (void)remove_tree(staging);
    return status;
  }
  const std::string& target = instance_dir;
  if (path_exists(target)) {
    if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) != 0) {
      int saved = errno;
      (void)remove_tree(staging);
      return Error::from_errno("replace " + target, saved);
    }
    (void)remove_tree(staging);  // now holds the old version
  } else if (::rename(staging.c_str(), target.c_str()) != 0) {
    int saved = errno;
    (void)remove_tree(staging);
    return Error::from_errno("create " + target, saved);
  }
  for (const std::string& dir : {layout.upper(name), layout.work(name), layout.merged(name)}) {
    if (auto made = make_directories(dir); !made.ok()) return made;
  }
  // The server (its own uid: "other" on these directories) reaches its game tree through runtime/<name>,
  // whatever the umask of whoever initialized it (the web unit's is 0027).
  const std::string runtime = layout.runtime_dir(name);
  if (::chmod(runtime.c_str(), 0755) != 0) return Error::from_errno("chmod " + runtime, errno);
  return ok_status();
}

Status Instances::start(const model::InstanceName& name, std::optional<std::chrono::seconds> wait_timeout,
                        OnStartFailure on_failure) {
  auto plan = read_launch_plan(config_.layout, name);
  if (!plan.ok()) return plan.error();
  // A server that runs already is not this start's to record or stop, whatever the wait finds.
  auto before = supervisor_->info(name);
  const bool was_active = before.ok() && (before->state == RunState::kRunning || before->state == RunState::kStarting);
  if (!was_active) {
    // Without the Steam client library srcds runs in LAN mode only: refuse before anything runs.
    if (auto library = check_steam_client(config_.layout); !library.ok()) {
      if (auto recorded = record_start_failure(config_.layout, name, library.error().message()); !recorded.ok()) {
        log::warning("start '{}': cannot record why it failed: {}", name.str(), recorded.error().message());
      }
      return library;
    }
  }
  Status started = start_and_wait(name, *plan, wait_timeout);
  if (was_active) return started;
  if (started.ok()) {
    if (auto cleared = clear_start_failure(config_.layout, name); !cleared.ok()) {
      log::warning("start '{}': {}", name.str(), cleared.error().message());
    }
    return started;
  }
  const Error& failure = started.error();
  if (auto recorded = record_start_failure(config_.layout, name, failure.message()); !recorded.ok()) {
    log::warning("start '{}': cannot record why it failed: {}", name.str(), recorded.error().message());
  }
  if (on_failure == OnStartFailure::kKeepRunning) return started;
  if (auto stopped = supervisor_->stop(name, kStopAfterFailedStart); !stopped.ok()) {
    return Error(failure.code(), failure.message() + "; stopping it failed too: " + stopped.error().message());
  }
  return Error(failure.code(), failure.message() + "; it was stopped (--keep-on-failure leaves it running)");
}

Status Instances::start_and_wait(const model::InstanceName& name, const LaunchPlan& plan,
                                 std::optional<std::chrono::seconds> wait_timeout) {
  if (auto started = supervisor_->start(name); !started.ok()) return started;
  if (!wait_timeout) return ok_status();
  auto deadline = std::chrono::steady_clock::now() + *wait_timeout;
  std::string seen = "nothing answered";
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto live = live_(plan.port, std::chrono::milliseconds(250))) {
      if (plan.map.empty() || live->map == plan.map) return ok_status();
      seen = "it answered with map '" + live->map + "'";
    }
    auto info = supervisor_->info(name);
    if (info.ok() && (info->state == RunState::kFailed || info->state == RunState::kStopped)) {
      return Error::failed("the server stopped while starting (" + std::string(to_string(info->state)) +
                           "); see l4d2ctl logs " + name.str());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Error::timeout("the server did not answer with map '" + plan.map + "' within " +
                        std::to_string(wait_timeout->count()) + " s (" + seen + ")");
}

Status Instances::stop(const model::InstanceName& name, std::chrono::seconds timeout) {
  if (!exists(name) && !path_exists(config_.layout.runtime_dir(name))) {
    return Error::not_found("no such instance '" + name.str() + "'");
  }
  return supervisor_->stop(name, timeout);
}

Status Instances::remove(const model::InstanceName& name) {
  const model::Layout& layout = config_.layout;
  if (!path_exists(layout.instance_dir(name)) && !path_exists(layout.runtime_dir(name))) return ok_status();
  if (auto stopped = supervisor_->stop(name, std::chrono::seconds(15)); !stopped.ok()) return stopped;
  if (auto released = mounter_->unmount(name); !released.ok()) return released;
  // Never walk into a live mount: rm -rf through an overlay or a bind would reach shared files.
  auto mounts = mounter_->mounts_below(name);
  if (!mounts.ok()) return mounts.error();
  if (!mounts->empty()) {
    return Error::failed("refusing to remove " + layout.runtime_dir(name) + ": still mounted at " + mounts->front());
  }
  if (auto removed = remove_tree(layout.runtime_dir(name)); !removed.ok()) return removed;
  return remove_tree(layout.instance_dir(name));
}

Result<InstanceStatus> Instances::status(const model::InstanceName& name, Players players) {
  return read_status(name, players, nullptr);
}

Result<InstanceStatus> Instances::read_status(const model::InstanceName& name, Players players, ListShared* shared) {
  auto plan = read_launch_plan(config_.layout, name);
  if (!plan.ok()) return plan.error();
  auto info = supervisor_->info(name);
  if (!info.ok()) return info.error();
  InstanceStatus status;
  status.name = name.str();
  status.process = *info;
  status.port = plan->port;
  status.supervisor = std::string(supervisor_->name());
  if (const std::optional<std::string>& host = public_host()) status.connect = connect_address(*host, status.port);
  const bool active = status.process.state == RunState::kRunning || status.process.state == RunState::kStarting;
  std::optional<LayerFacts> layer;
  if (shared && shared->snapshot && active && status.process.pid) {
    layer = fresh_layer(*shared->snapshot, name.str(), *status.process.pid, now_unix_ms());
  }
  if (layer) {
    status.mounted = layer->mounted;
    status.upper_bytes = layer->upper_bytes;
  } else {
    measure_layer(name, shared, status);
  }
  if (auto failure = read_start_failure(config_.layout, name); failure.ok()) {
    status.last_error = *failure;
  } else {
    status.last_error = "cannot read why the last start failed: " + failure.error().message();
  }
  if (status.mounted) status.build = mounted_build(name, shared);
  if (active) {
    std::optional<LiveAnswer> answer;
    if (shared && shared->snapshot && status.process.pid && players == Players::kOmit) {
      answer = fresh_answer(*shared->snapshot, name.str(), *status.process.pid, now_unix_ms());
    }
    status.live = answer ? std::optional<LiveData>(LiveData{answer->hostname, answer->map, answer->players,
                                                            answer->max_players, answer->query_ms})
                         : live_(status.port, std::chrono::milliseconds(300));
    // The supervisor probes every 250 ms; a server that answers us is running already.
    if (status.live && status.process.state == RunState::kStarting) status.process.state = RunState::kRunning;
  }
  if (auto content = read_file(config_.layout.health(name)); content.ok()) {
    if (auto health = parse_health_record(*content, config_.layout.health(name)); health.ok()) status.health = *health;
  }
  status.players_asked = players;
  if (status.live && players == Players::kInclude) {
    // A server that says it has no players has an empty list: not asked (most servers, most of the time).
    if (status.live->players == 0) {
      status.player_list.emplace();
    } else if (auto list = players_(status.port, std::chrono::milliseconds(300)); list.ok()) {
      status.player_list = std::move(*list);
    }
  }
  return status;
}

void Instances::measure_layer(const model::InstanceName& name, ListShared* shared, InstanceStatus& status) {
  const model::Layout* resolved = shared && shared->resolved ? &*shared->resolved : nullptr;
  auto mounted = resolved ? mounter_->is_mounted_resolved(*resolved, name) : mounter_->is_mounted(name);
  status.mounted = mounted.ok() && *mounted;
  auto usage =
      resolved ? writable_layer_usage(*resolved, name, RootResolved::kYes) : writable_layer_usage(config_.layout, name);
  if (usage.ok()) status.upper_bytes = usage->allocated_bytes;
}

std::optional<MountedBuild> Instances::mounted_build(const model::InstanceName& name, ListShared* shared) {
  const model::Layout& layout = config_.layout;
  std::optional<std::string> id = mounted_build_id(layout, name);
  if (!id) return std::nullopt;
  if (!shared)
    return MountedBuild{*id, read_patch_version(layout.installation_build(*id)), current_build_id(layout) == *id};
  std::lock_guard lock(shared->versions_mutex);
  auto known = shared->versions.find(*id);
  if (known == shared->versions.end()) {
    known = shared->versions.emplace(*id, read_patch_version(layout.installation_build(*id))).first;
  }
  return MountedBuild{*id, known->second, shared->current_build == *id};
}

const std::optional<std::string>& Instances::public_host() {
  if (!public_host_) {
    public_host_ = config_.public_address.empty() ? detect_public_address() : config_.public_address;
  }
  return *public_host_;
}

std::vector<std::string> Instances::instance_names() const {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(config_.layout.instances(), error)) {
    std::string candidate = entry.path().filename().string();
    if (model::InstanceName::is_valid(candidate) && path_exists(entry.path().string() + "/instance.env")) {
      names.push_back(candidate);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

void Instances::read_listed(std::vector<ListedInstance>& listed, Players players) {
  if (listed.empty()) return;
  // One after another, 100 running servers cost 100 round trips through the scheduler (list took 7.5x one
  // status); the servers are asked at the same time instead. Each thread takes the next instance until none is
  // left; the public address is detected once, before they share it.
  (void)public_host();
  // The health monitor's answers of its last round: read once, used where fresh (live_snapshot.h). The root
  // resolved once too: per instance it was eight readlinks (docs/benchmarks.md, issue 15).
  ListShared shared;
  if (auto content = read_file(config_.layout.monitor_live()); content.ok()) {
    if (auto parsed = parse_live_snapshot(*content, config_.layout.monitor_live()); parsed.ok()) {
      shared.snapshot = *parsed;
    }
  }
  if (auto resolved = resolved_layout(config_.layout); resolved.ok()) shared.resolved = *resolved;
  shared.current_build = current_build_id(config_.layout);
  std::atomic<size_t> next{0};
  auto read_next = [&] {
    for (size_t i = next++; i < listed.size(); i = next++) {
      listed[i].status = read_status(*model::InstanceName::create(listed[i].name), players, &shared);
    }
  };
  std::vector<std::thread> readers;
  for (size_t i = 1; i < std::min(kListThreads, listed.size()); ++i) readers.emplace_back(read_next);
  read_next();
  for (std::thread& reader : readers) reader.join();
}

Result<std::vector<ListedInstance>> Instances::list(Players players) {
  std::vector<ListedInstance> listed;
  for (const auto& name : instance_names()) listed.push_back({name, Error::failed("not read yet")});
  read_listed(listed, players);
  return listed;
}

std::string Instances::list_json(Players players) {
  const model::Layout& layout = config_.layout;
  std::vector<std::string> names = instance_names();
  // The monitor's entries, where they still hold (list_snapshot.h): two stats per instance instead of reading
  // its five files and two /proc entries (docs/benchmarks.md, issue 15).
  std::vector<const std::string*> printed(names.size(), nullptr);
  std::optional<ListSnapshot> snapshot;
  if (auto content = read_file(layout.monitor_list()); content.ok()) {
    if (auto parsed = parse_list_snapshot(*content, layout.monitor_list()); parsed.ok()) snapshot = std::move(*parsed);
  }
  if (snapshot && snapshot->current_build == current_build_id(layout) && snapshot->public_host == public_host()) {
    UniqueFd instances_dir = open_directory(layout.instances());
    UniqueFd runtimes_dir = open_directory(layout.runtimes());
    std::int64_t now_ms = now_unix_ms();
    for (size_t i = 0; i < names.size() && instances_dir.valid() && runtimes_dir.valid(); ++i) {
      auto instance = dir_stamp(instances_dir.get(), names[i]);
      auto runtime = instance ? dir_stamp(runtimes_dir.get(), names[i]) : std::nullopt;
      if (runtime) {
        printed[i] = fresh_entry(*snapshot, names[i], *instance, *runtime, now_ms, players == Players::kInclude);
      }
    }
  }
  std::vector<ListedInstance> listed;
  std::vector<size_t> read_at;  // listed[k] is names[read_at[k]]
  for (size_t i = 0; i < names.size(); ++i) {
    if (printed[i]) continue;
    listed.push_back({names[i], Error::failed("not read yet")});
    read_at.push_back(i);
  }
  read_listed(listed, players);
  std::vector<std::string> read_json(names.size());
  for (size_t k = 0; k < listed.size(); ++k) read_json[read_at[k]] = listed_json(listed[k]);
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) {
    if (out.size() > 1) out += ',';
    out += printed[i] ? *printed[i] : read_json[i];
  }
  out += ']';
  return out;
}

ListSnapshot Instances::list_snapshot_for(const std::vector<model::InstanceName>& names, const LiveSnapshot& live) {
  const model::Layout& layout = config_.layout;
  ListShared shared;
  shared.snapshot = live;
  if (auto resolved = resolved_layout(layout); resolved.ok()) shared.resolved = *resolved;
  shared.current_build = current_build_id(layout);
  ListSnapshot snapshot{now_unix_ms(), live.interval_ms, shared.current_build, public_host(), {}};
  UniqueFd instances_dir = open_directory(layout.instances());
  UniqueFd runtimes_dir = open_directory(layout.runtimes());
  if (!instances_dir.valid() || !runtimes_dir.valid()) return snapshot;
  auto stamps = [&](const model::InstanceName& name) -> std::optional<std::pair<DirStamp, DirStamp>> {
    auto instance = dir_stamp(instances_dir.get(), name.str());
    auto runtime = dir_stamp(runtimes_dir.get(), name.str());
    if (!instance || !runtime) return std::nullopt;
    return std::pair{*instance, *runtime};
  };
  for (const model::InstanceName& name : names) {
    std::int64_t read_ms = now_unix_ms();
    std::int64_t now_ns = now_unix_ns();
    auto before = stamps(name);
    if (!before || !settled(before->first, now_ns) || !settled(before->second, now_ns)) continue;
    auto status = read_status(name, Players::kOmit, &shared);
    if (!status.ok() || !status->live) continue;
    auto text = status_json(*status);
    if (!text.ok()) continue;
    ListEntry entry{before->first, before->second, read_ms, std::move(*text), std::nullopt};
    if (status->live->players == 0) {  // what --players shows of it: an empty list, as read_status gives one
      status->players_asked = Players::kInclude;
      status->player_list.emplace();
      auto with_players = status_json(*status);
      if (!with_players.ok()) continue;
      entry.players_json = std::move(*with_players);
    }
    if (stamps(name) != before) continue;
    snapshot.entries.emplace(name.str(), std::move(entry));
  }
  return snapshot;
}

Result<std::string> Instances::rcon_password(const model::InstanceName& name) const {
  std::string path = rendered_server_cfg(config_.layout, name);
  auto content = read_file(path);
  if (!content.ok()) {
    if (content.error().code() == ErrorCode::kNotFound)
      return Error::not_found("no such instance '" + name.str() + "'");
    return content.error();
  }
  auto password = model::find_rcon_password(*content);
  if (!password) return Error::failed(path + ": sets no valid rcon_password");
  return *password;
}

Result<std::string> Instances::rcon(const model::InstanceName& name, const std::string& command) {
  auto plan = read_launch_plan(config_.layout, name);
  if (!plan.ok()) return plan.error();
  auto password = rcon_password(name);
  if (!password.ok()) return password.error();
  auto info = supervisor_->info(name);
  if (!info.ok()) return info.error();
  if ((info->state != RunState::kRunning && info->state != RunState::kStarting) || !info->pid) {
    return Error::failed("the server is not running (" + std::string(to_string(info->state)) + ")");
  }
  auto recorded_uid = read_instance_uid(config_.layout, name);
  std::optional<uid_t> instance_uid = recorded_uid.ok() ? *recorded_uid : std::nullopt;
  auto verify = [&](int fd) { return check_server_peer(fd, *info->pid, instance_uid, plan->port); };
  // Before sending: the health monitor must see the map change before the server goes quiet. Best effort (the
  // caller may not be allowed to write the runtime directory); the console line records it too.
  if (is_map_change_command(command)) (void)record_map_change(config_.layout, name);
  return rcon_command("127.0.0.1", plan->port, *password, command, std::chrono::milliseconds(5000), verify);
}

}  // namespace left4me::host
