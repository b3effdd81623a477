#include "host/steam_client.h"

#include <sys/stat.h>

#include <cerrno>
#include <string_view>

#include "base/file.h"

extern char** environ;

namespace left4me::host {

std::string steamcmd_steam_client(const std::string& steamcmd, const SteamClientSdk& sdk) {
  const size_t slash = steamcmd.rfind('/');
  const std::string directory = slash == std::string::npos ? "." : steamcmd.substr(0, slash);
  return directory + "/" + std::string(sdk.steamcmd_dir) + "/steamclient.so";
}

Status install_steam_client(const model::Layout& layout, const std::string& steamcmd) {
  for (const SteamClientSdk& sdk : {kSdk32, kSdk64}) {
    const std::string source = steamcmd_steam_client(steamcmd, sdk);
    if (!path_exists(source)) {
      if (sdk.sdk == kSdk64.sdk) continue;
      return Error::not_found(source +
                              " is missing: steamcmd brings its Steam client library on its first run (its "
                              "self-update); without it game servers run in LAN mode only");
    }
    auto library = read_file(source);
    if (!library.ok()) return library.error();
    const std::string target = layout.steam_client_library(sdk.sdk);
    if (auto made = make_directories(target.substr(0, target.rfind('/')), 0755); !made.ok()) return made;
    if (auto written = write_file_atomic(target, *library, 0644); !written.ok()) return written;
  }
  return ok_status();
}

Status check_steam_client(const model::Layout& layout) {
  const std::string library = layout.steam_client_library(kSdk32.sdk);
  struct stat st {};
  if (::lstat(library.c_str(), &st) != 0) {
    if (errno != ENOENT && errno != ENOTDIR) return Error::from_errno("lstat " + library, errno);
  } else if (S_ISREG(st.st_mode)) {
    return ok_status();
  }
  return Error::failed(library +
                       " is missing: srcds would run in LAN mode only (not listed, no Steam logon); l4d2ctl "
                       "install copies it from steamcmd's linux32/steamclient.so");
}

std::vector<std::string> server_environment(const model::Layout& layout, const std::vector<std::string>& inherited) {
  std::vector<std::string> env;
  for (const std::string& entry : inherited) {
    if (entry.rfind("HOME=", 0) != 0) env.push_back(entry);
  }
  env.push_back("HOME=" + layout.steam_home());
  return env;
}

std::vector<std::string> server_environment(const model::Layout& layout) {
  std::vector<std::string> inherited;
  for (char** entry = environ; *entry != nullptr; ++entry) inherited.emplace_back(*entry);
  return server_environment(layout, inherited);
}

}  // namespace left4me::host
