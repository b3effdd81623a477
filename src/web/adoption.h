// Adoption: host instances the panel did not make (made with the CLI, or left by a lost database) become
// servers only when an admin takes one over explicitly. Lists them and adopts one; the callers (API and admin
// page) are admin-only. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "web/app.h"

namespace left4me::web {

struct UnmanagedInstance {
  std::string name;
  ServerState state = ServerState::kUnknown;  // as l4d2ctl reports it (unknown when it reports none)
  std::optional<int> port;
};

// The host instances of the live status's last `l4d2ctl list` that no server record names, sorted by name.
// Fails as the live status does while it has never been fetched.
Result<std::vector<UnmanagedInstance>> unmanaged_instances(App& app);

// Takes over adoption.instance as a server: asks the host (`l4d2ctl status`) for it, keeps its current port when
// that is in the range and free, records the server (see Servers::adopt) with the state view_server decides from
// that status, and puts the status in the live status. The panel initializes the instance from the blueprint at its
// next start. Fails kInvalidArgument when the host has no such instance, else as Servers::adopt.
Result<Server> adopt_instance(App& app, Adoption adoption);

}  // namespace left4me::web
