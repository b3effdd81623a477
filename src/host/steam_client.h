// The Steam client library every game server needs: srcds loads ~/.steam/sdk32/steamclient.so (64-bit
// programs sdk64/) of the user it runs as, and without it runs in LAN mode only (never listed, no Steam
// logon). The servers' HOME is the data root's steam-home/, which holds copies of steamcmd's own
// linux32/ and linux64/steamclient.so (docs/design.md, "Steam client library"). Thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "model/layout.h"

namespace left4me::host {

// Where srcds looks (below HOME/.steam) and where steamcmd keeps the library (beside steamcmd.sh).
struct SteamClientSdk {
  std::string_view sdk;           // "sdk32": ~/.steam/sdk32/steamclient.so
  std::string_view steamcmd_dir;  // "linux32": <steamcmd's directory>/linux32/steamclient.so
};
inline constexpr SteamClientSdk kSdk32{"sdk32", "linux32"};  // srcds_linux is 32-bit: the one it loads
inline constexpr SteamClientSdk kSdk64{"sdk64", "linux64"};

// steamcmd's copy of the library: <directory of steamcmd>/<linux32|linux64>/steamclient.so. `steamcmd` is
// LEFT4ME_STEAMCMD (steamcmd.sh, which runs from its own directory).
std::string steamcmd_steam_client(const std::string& steamcmd, const SteamClientSdk& sdk);

// Copies steamcmd's linux32/steamclient.so (required) and linux64/steamclient.so (when steamcmd has one)
// to the servers' HOME (Layout::steam_client_library), each written beside and renamed over the old copy,
// so a running server keeps the file it loaded. Fails with kNotFound naming steamcmd's missing
// linux32/steamclient.so (and copies nothing then).
Status install_steam_client(const model::Layout& layout, const std::string& steamcmd);

// Succeeds when the servers' HOME holds .steam/sdk32/steamclient.so as a regular file (a symlink is not
// followed: the servers could not follow it out of their view). Fails with kFailed naming the file.
Status check_steam_client(const model::Layout& layout);

// The environment of a game server: `inherited` ("KEY=VALUE" entries) without its HOME, then
// HOME=Layout::steam_home().
std::vector<std::string> server_environment(const model::Layout& layout, const std::vector<std::string>& inherited);
// The same over this process's environment.
std::vector<std::string> server_environment(const model::Layout& layout);

}  // namespace left4me::host
