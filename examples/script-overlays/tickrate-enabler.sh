#!/bin/bash
# left4me-name: Tickrate 100
# left4me-description: Rates and interpolation settings for 100 tick servers (left4dead2/cfg/tickrate.cfg,
# left4me-description: exec it from the blueprint's config). The Tickrate Enabler plugin is fetched only when
# left4me-description: PLUGIN_URL below names its release archive.
set -euo pipefail

# The plugin's release archive (a .zip or .tar.gz holding left4dead2/addons/...), with its SHA-256. Empty:
# only the settings are written, and the server keeps the default 30 tick.
PLUGIN_URL=""
PLUGIN_SHA256=""

mkdir -p left4dead2/cfg
cat >left4dead2/cfg/tickrate.cfg <<'CFG'
// written by the tickrate-enabler script overlay
sv_minrate 100000
sv_maxrate 100000
sv_minupdaterate 100
sv_maxupdaterate 100
sv_mincmdrate 100
sv_maxcmdrate 100
sv_client_min_interp_ratio -1
sv_client_max_interp_ratio 0
nb_update_frequency 0.014
net_splitpacket_maxrate 50000
fps_max 0
CFG
echo "wrote left4dead2/cfg/tickrate.cfg"

if [ -z "$PLUGIN_URL" ]; then
  echo "PLUGIN_URL is empty: the plugin is not installed (set it and rebuild to run at 100 tick)"
  exit 0
fi
archive=$(mktemp)
curl --fail --silent --show-error --location --max-time 300 -o "$archive" "$PLUGIN_URL"
echo "$PLUGIN_SHA256  $archive" | sha256sum --check --quiet
case "$PLUGIN_URL" in
  *.zip) unzip -o -q "$archive" -d . ;;
  *) tar -xzf "$archive" --no-same-owner ;;
esac
echo "installed the plugin from $PLUGIN_URL"
