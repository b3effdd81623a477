// The game modes a blueprint may pick from, with the names players know them by: the base modes, their team
// variants, and the mutations whose internal names are known for certain. The spec itself accepts any
// mutationN/communityN (spec_rules.h); this table is what a form offers. Constant data; thread-safe.
#pragma once

#include <span>
#include <string_view>

namespace left4me::model {

enum class GameModeKind { kBase, kTeam, kMutation };

struct GameMode {
  std::string_view name;   // the internal name: mp_gamemode, the spec's `mode`
  std::string_view title;  // as the game's menus call it
  GameModeKind kind;
};

// In the order a form lists them: base modes first (coop, "Campaign", first), then team variants, then
// mutations.
std::span<const GameMode> game_modes();
// The row for an internal name, nullptr if the table has none (the spec may still accept it).
const GameMode* find_game_mode(std::string_view name);

}  // namespace left4me::model
