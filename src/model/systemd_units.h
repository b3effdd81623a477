// The names systemd knows left4me's units and journal entries by, shared by the host (the health monitor)
// and the privileged helpers. Constants only; thread-safe.
#pragma once

#include <string_view>

namespace left4me::model {

// The prefix and suffix of a server's unit: left4me-server@<name>.service.
inline constexpr std::string_view kServerUnitPrefix = "left4me-server@";
inline constexpr std::string_view kServerUnitSuffix = ".service";
// The servers' units' cgroup (Slice=l4d2-game.slice, below l4d2.slice), readable by every user.
inline constexpr std::string_view kGameSliceCgroup = "/sys/fs/cgroup/l4d2.slice/l4d2-game.slice";
// The game servers' slice as the journal names it (_SYSTEMD_SLICE of their entries).
inline constexpr std::string_view kGameSlice = "l4d2-game.slice";
// The health monitor's unit under systemd; journald stamps its entries _SYSTEMD_UNIT=left4me-monitor.service.
inline constexpr std::string_view kMonitorUnit = "left4me-monitor.service";
// The journal field naming the instance a monitor entry is about (left4me-journalctl shows it with the
// server's own output).
inline constexpr std::string_view kMonitorInstanceField = "LEFT4ME_INSTANCE";

}  // namespace left4me::model
