// Symlinks inside a lower layer (an overlay, a Workshop or global overlay cache directory): the one rule
// for which may stay. The script sandbox's finish pass removes the others; the mount helper refuses a layer
// that holds one (docs/design.md, "Overlay model"). Pure except refuse_links_out; thread-safe.
//
// A layer is mounted as the root of the instance's game tree (runtime/<name>/merged), so a link is read
// there, by the game server (and by root tools such as `l4d2ctl maps` reading through merged). It stays in
// the game tree when its target is relative, non-empty, and its '..' components all come first and are no
// more than the link's directory depth. '..' after a named component is refused even where it looks
// harmless ("a/../b"): if "a" is itself a symlink (in this layer or one stacked above), the kernel climbs
// from a's target, not from here, and "x -> ." with "y -> x/x/x/../../../etc" escapes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace left4me::host {

// Why a symlink at `relative` (its path below the layer, e.g. "left4dead2/cfg/x") with `target` could
// resolve outside the game tree ("absolute", "climbs above the layer", ...); nullopt when it cannot.
std::optional<std::string> symlink_leads_out(std::string_view relative, std::string_view target);

// Walks the layer below `layer_fd` (openat O_NOFOLLOW, d_type first, never following a link) and fails at
// the first symlink that leads out: "symlink 'left4dead2/x' -> '/etc' leads out of the game tree (absolute)".
Status refuse_links_out(int layer_fd);

}  // namespace left4me::host
