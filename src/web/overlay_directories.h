// Where overlays live on disk: overlays/<directory>/ under the host root that the web app gives l4d2ctl
// (LEFT4ME_ROOT in its environment). Creating and removing them for the overlay records. Thread-safe.
#pragma once

#include <string>

#include "base/result.h"
#include "web/config.h"
#include "web/overlays.h"

namespace left4me::web {

// The host root l4d2ctl runs with: LEFT4ME_ROOT of its environment, else the host's default.
std::string host_root(const WebConfig& config);

// overlays/<directory>/ of the overlay (0755, owned by this process's user); an existing directory is kept.
Status make_overlay_directory(const WebConfig& config, const Overlay& overlay);

// Removes overlays/<directory>/ without following symlinks, and a script overlay's scripts/<directory>.sh; a failure is
// logged, never returned: the record is gone already and a leftover directory harms nothing.
void remove_overlay_directory(const std::string& host_root, const std::string& directory);

// Whether the overlay ships its own left4dead2/cfg/server.cfg, which the server's rendered server.cfg hides
// (docs/spec.md, "server.cfg"): the blueprint page says so.
bool has_own_server_cfg(const std::string& host_root, const std::string& directory);

}  // namespace left4me::web
