// Layout: the one home of every on-disk path under LEFT4ME_ROOT (see docs/on-disk-layout.md).
// Nothing else concatenates paths. Immutable value; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "model/instance_name.h"

namespace left4me::model {

class Layout {
 public:
  static constexpr std::string_view kDefaultRoot = "/var/lib/left4me";
  // Inside a game tree (the installation, an overlay), relative to its root: loose maps and addon VPKs.
  static constexpr std::string_view kGameMapsDir = "left4dead2/maps";
  static constexpr std::string_view kGameAddonsDir = "left4dead2/addons";

  // root must be absolute; a trailing '/' is dropped.
  static Result<Layout> create(std::string_view root);

  const std::string& root() const { return root_; }

  // Shared content.
  // The current game build: a symlink to installations/<buildid> (a plain directory on hosts installed
  // before builds lived side by side, until the next `l4d2ctl install` moves it there).
  std::string installation() const { return root_ + "/installation"; }
  // Every installed build, one directory each, named by its build id (docs/design.md, "Game builds").
  std::string installations() const { return root_ + "/installations"; }
  std::string installation_build(std::string_view build_id) const {
    return installations() + "/" + std::string(build_id);
  }
  // Where an update prepares the next build; removed when the update fails (or at the next install).
  std::string installation_staging() const { return installations() + "/.staging"; }
  // Held (flock) by `l4d2ctl install` while it changes builds: one install at a time.
  std::string installations_lock() const { return installations() + "/.lock"; }
  // What the last `l4d2ctl install --check` found (JSON), for `install --list` and the panel.
  std::string installations_last_check() const { return installations() + "/.last-check.json"; }
  std::string overlays() const { return root_ + "/overlays"; }
  std::string overlay(std::string_view id) const { return overlays() + "/" + std::string(id); }
  std::string workshop_cache() const { return root_ + "/workshop_cache"; }
  // One Workshop item in the cache: its file and what the Steam Web API said about it when it was fetched.
  std::string workshop_item(std::string_view id) const { return workshop_cache() + "/" + std::string(id) + ".vpk"; }
  std::string workshop_record(std::string_view id) const { return workshop_cache() + "/" + std::string(id) + ".json"; }
  std::string global_overlay_cache() const { return root_ + "/global_overlay_cache"; }
  // Build scripts of script overlays, one per overlay, named by its id: written by the service user
  // (`l4d2ctl build-overlay`), run only in the script sandbox (docs/design.md, "Script overlays").
  std::string scripts() const { return root_ + "/scripts"; }
  std::string overlay_script(std::string_view id) const { return scripts() + "/" + std::string(id) + ".sh"; }
  std::string tmp() const { return root_ + "/tmp"; }
  std::string steam() const { return root_ + "/steam"; }  // steamcmd's own Steam client directory
  // The HOME every game server runs with (both supervisors): read-only to the servers, holding only
  // .steam/sdk32/steamclient.so and .steam/sdk64/steamclient.so, copies of steamcmd's own
  // linux32/ and linux64/steamclient.so made by `l4d2ctl install` (docs/design.md, "Steam client library").
  std::string steam_home() const { return root_ + "/steam-home"; }
  // Where srcds looks for the Steam client library: ~/.steam/<sdk>/steamclient.so, sdk "sdk32" or "sdk64".
  std::string steam_client_library(std::string_view sdk) const {
    return steam_home() + "/.steam/" + std::string(sdk) + "/steamclient.so";
  }

  // Per instance: written by `initialize`, read by start and the helpers.
  std::string instances() const { return root_ + "/instances"; }
  std::string instance_dir(const InstanceName& name) const { return instances() + "/" + name.str(); }
  std::string instance_env(const InstanceName& name) const { return instance_dir(name) + "/instance.env"; }
  std::string instance_spec(const InstanceName& name) const { return instance_dir(name) + "/spec.yaml"; }
  // Where `initialize` builds a new version of the instance directory before swapping it in.
  std::string instance_staging(const InstanceName& name, std::string_view suffix) const {
    return instances() + "/." + name.str() + ".new-" + std::string(suffix);
  }
  // The instance's own uid (and gid), allocated by the overlay helper (docs/design.md, "uid scheme").
  std::string instance_uid(const InstanceName& name) const { return instance_dir(name) + "/uid"; }
  // Rendered files, placed into the game tree at start (path relative to the game root).
  std::string rendered_dir(const InstanceName& name) const { return instance_dir(name) + "/rendered"; }

  // Per instance: runtime state (mounts, supervisor, console log).
  std::string runtimes() const { return root_ + "/runtime"; }
  std::string runtime_dir(const InstanceName& name) const { return runtimes() + "/" + name.str(); }
  std::string upper(const InstanceName& name) const { return runtime_dir(name) + "/upper"; }
  std::string work(const InstanceName& name) const { return runtime_dir(name) + "/work"; }
  std::string merged(const InstanceName& name) const { return runtime_dir(name) + "/merged"; }
  std::string idmap_dir(const InstanceName& name) const { return runtime_dir(name) + "/idmap"; }
  std::string idmap(const InstanceName& name, std::string_view basename) const {
    return idmap_dir(name) + "/" + std::string(basename);
  }
  std::string supervisor_lock(const InstanceName& name) const { return runtime_dir(name) + "/supervisor.lock"; }
  std::string supervisor_state(const InstanceName& name) const { return runtime_dir(name) + "/state.json"; }
  std::string console_log(const InstanceName& name) const { return runtime_dir(name) + "/console.log"; }
  // Why the last start failed (l4d2ctl start writes it, a successful start removes it; both supervisors).
  std::string last_start_error(const InstanceName& name) const { return runtime_dir(name) + "/last_start_error"; }
  // The health monitor's last word on the instance (health_monitor.h), read by `status`.
  std::string health(const InstanceName& name) const { return runtime_dir(name) + "/health.json"; }
  // When the last map change began (unix milliseconds): written by the supervisor when the console says so
  // and by `l4d2ctl rcon` before it sends changelevel or map; the monitor gives the server a grace window.
  std::string map_change(const InstanceName& name) const { return runtime_dir(name) + "/map_change"; }
  // Held (flock) by the built-in supervisor's one health monitor (`l4d2ctl __monitor`) while it runs.
  std::string monitor_lock() const { return runtimes() + "/.monitor.lock"; }
  // The built-in supervisor's health monitor's answers of its last round (host/live_snapshot.h), read by `list`.
  std::string monitor_live() const { return runtimes() + "/.monitor-live.json"; }
  // Its list snapshot: each watched server's whole `list --json` entry (host/list_snapshot.h).
  std::string monitor_list() const { return runtimes() + "/.monitor-list"; }
  // The build id the instance's game tree was mounted from, written by the mount (absent when unmounted).
  std::string mounted_build(const InstanceName& name) const { return runtime_dir(name) + "/build"; }

 private:
  explicit Layout(std::string root) : root_(std::move(root)) {}
  std::string root_;
};

}  // namespace left4me::model
