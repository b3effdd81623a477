// The Workshop cache's fallback for items Steam gives no file_url for: `steamcmd +force_install_dir <steam>
// +login anonymous +workshop_download_item 550 <id> +quit`, reading steamcmd's Success or ERROR line
// (protocols.md §4.4). The host library has a fuller steamcmd driver (src/host/steamcmd.h); the web app, which
// links this module, does not link host. Thread-safe (no shared state).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "content/workshop_cache.h"

namespace left4me::content {

struct SteamcmdDownloadOptions {
  std::string steamcmd;                // the steamcmd executable
  std::string steam_dir;               // its install dir and HOME (model::Layout::steam())
  std::vector<std::string> extra_env;  // KEY=VALUE added to the inherited environment (tests)
  std::chrono::milliseconds timeout = std::chrono::minutes(15);
};

// What steamcmd printed about one item: the directory of its Success line, or the failure line.
struct SteamcmdItemOutput {
  std::optional<std::string> directory;
  std::string failure;  // "ERROR! Download item <id> failed (Timeout)." or "" when none
};
SteamcmdItemOutput parse_steamcmd_item_output(std::string_view output, std::string_view item_id);

// A SteamcmdDownload running steamcmd as above and returning the .vpk in the directory its Success line
// names. Errors: kUnavailable (steamcmd missing), kTimeout, kFailed with steamcmd's own line.
SteamcmdDownload steamcmd_download(SteamcmdDownloadOptions options);

}  // namespace left4me::content
