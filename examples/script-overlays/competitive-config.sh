#!/bin/bash
# left4me-name: Competitive config
# left4me-description: A competitive versus config (left4dead2/cfg/competitive.cfg): no cheats, fixed
# left4me-description: rates, all-talk off, lobby reservation off. Exec it from the blueprint's config.
set -euo pipefail

mkdir -p left4dead2/cfg
cat >left4dead2/cfg/competitive.cfg <<'CFG'
// written by the competitive-config script overlay
sv_cheats 0
sv_consistency 1
sv_pure 2
sv_alltalk 0
sv_allow_lobby_connect_only 0
sv_force_unreserved 1
mp_gamemode versus
z_difficulty normal
sv_voiceenable 1
sv_pausable 0
sv_allow_wait_command 0
sv_minrate 30000
sv_maxrate 60000
sv_minupdaterate 30
sv_maxupdaterate 60
sv_mincmdrate 30
sv_maxcmdrate 60
CFG
echo "wrote left4dead2/cfg/competitive.cfg"
