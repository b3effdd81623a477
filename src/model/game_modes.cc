#include "model/game_modes.h"

namespace left4me::model {
namespace {

constexpr GameMode kGameModes[] = {
    {"coop", "Campaign", GameModeKind::kBase},
    {"realism", "Realism", GameModeKind::kBase},
    {"versus", "Versus", GameModeKind::kBase},
    {"survival", "Survival", GameModeKind::kBase},
    {"scavenge", "Scavenge", GameModeKind::kBase},
    {"teamversus", "Team Versus", GameModeKind::kTeam},
    {"teamscavenge", "Team Scavenge", GameModeKind::kTeam},
    {"mutation1", "Last Man on Earth", GameModeKind::kMutation},
    {"mutation2", "Headshot!", GameModeKind::kMutation},
    {"mutation3", "Bleed Out", GameModeKind::kMutation},
    {"mutation4", "Hard Eight", GameModeKind::kMutation},
    {"mutation5", "Four Swordsmen", GameModeKind::kMutation},
    {"mutation7", "Chainsaw Massacre", GameModeKind::kMutation},
    {"mutation8", "Ironman", GameModeKind::kMutation},
    {"mutation9", "Last Gnome on Earth", GameModeKind::kMutation},
    {"mutation10", "Room for One", GameModeKind::kMutation},
    {"mutation11", "Healthpackalypse!", GameModeKind::kMutation},
    {"mutation12", "Realism Versus", GameModeKind::kMutation},
    {"mutation13", "Follow the Liter", GameModeKind::kMutation},
    {"mutation14", "Gib Fest", GameModeKind::kMutation},
    {"mutation15", "Versus Survival", GameModeKind::kMutation},
    {"mutation16", "Hunting Party", GameModeKind::kMutation},
    {"mutation17", "Lone Gunman", GameModeKind::kMutation},
    {"mutation18", "Bleed Out Versus", GameModeKind::kMutation},
    {"mutation19", "Taaannnkk!", GameModeKind::kMutation},
    {"mutation20", "Healing Gnome", GameModeKind::kMutation},
    {"community1", "Special Delivery", GameModeKind::kMutation},
    {"community2", "Flu Season", GameModeKind::kMutation},
    {"community3", "Riding My Survivor", GameModeKind::kMutation},
    {"community4", "Nightmare", GameModeKind::kMutation},
    {"community5", "Death's Door", GameModeKind::kMutation},
};

}  // namespace

std::span<const GameMode> game_modes() { return kGameModes; }

const GameMode* find_game_mode(std::string_view name) {
  for (const GameMode& mode : kGameModes) {
    if (mode.name == name) return &mode;
  }
  return nullptr;
}

}  // namespace left4me::model
