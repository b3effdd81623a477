#include "content/steamcmd_download.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>

#include "base/file.h"
#include "base/subprocess.h"

extern char** environ;

namespace left4me::content {
namespace {

std::vector<std::string> environment(const SteamcmdDownloadOptions& options) {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string_view text = *entry;
    if (text.rfind("HOME=", 0) != 0) env.emplace_back(text);
  }
  env.push_back("HOME=" + options.steam_dir);
  for (const auto& extra : options.extra_env) env.push_back(extra);
  return env;
}

Result<std::string> first_vpk(const std::string& dir, const std::string& id) {
  std::vector<std::string> vpks;
  if (DIR* listing = ::opendir(dir.c_str())) {
    while (struct dirent* entry = ::readdir(listing)) {
      std::string name = entry->d_name;
      if (name.size() > 4 && name.compare(name.size() - 4, 4, ".vpk") == 0) vpks.push_back(name);
    }
    ::closedir(listing);
  }
  if (vpks.empty()) {
    // steamcmd skips items its bookkeeping lists as installed, even when their files are gone.
    return Error::failed("steamcmd reported workshop item " + id + " downloaded, but " + dir +
                         " holds no .vpk (a stale entry in steamapps/workshop/appworkshop_550.acf?)");
  }
  std::sort(vpks.begin(), vpks.end());
  return dir + "/" + vpks.front();
}

}  // namespace

SteamcmdItemOutput parse_steamcmd_item_output(std::string_view output, std::string_view item_id) {
  SteamcmdItemOutput result;
  const std::string id(item_id);
  const std::string success = "Success. Downloaded item " + id + " to \"";
  const std::string failed = "ERROR! Download item " + id + " failed";
  const std::string timeout = "Timeout downloading item " + id;
  size_t start = 0;
  while (start < output.size()) {
    size_t end = output.find_first_of("\r\n", start);
    if (end == std::string_view::npos) end = output.size();
    std::string_view line = output.substr(start, end - start);
    start = end + 1;
    if (result.failure.empty() &&
        (line.find(failed) != std::string_view::npos || line.find(timeout) != std::string_view::npos)) {
      result.failure =
          std::string(line.substr(line.find(line.find(failed) != std::string_view::npos ? failed : timeout)));
    }
    if (size_t at = line.find(success); at != std::string_view::npos) {
      size_t from = at + success.size();
      size_t quote = line.find('"', from);
      if (quote != std::string_view::npos) result.directory = std::string(line.substr(from, quote - from));
    }
  }
  return result;
}

SteamcmdDownload steamcmd_download(SteamcmdDownloadOptions options) {
  return [options = std::move(options)](const std::string& id) -> Result<std::string> {
    if (options.steamcmd.empty() || ::access(options.steamcmd.c_str(), X_OK) != 0) {
      return Error::unavailable("steamcmd '" + options.steamcmd + "' is not an executable");
    }
    if (auto made = make_directories(options.steam_dir); !made.ok()) return made.error();
    RunOptions run_options{.env = environment(options), .timeout = options.timeout, .merge_stderr = true};
    auto ran = run({options.steamcmd, "+force_install_dir", options.steam_dir, "+login", "anonymous",
                    "+workshop_download_item", "550", id, "+quit"},
                   run_options);
    if (!ran.ok()) return ran.error().with_context("steamcmd");
    SteamcmdItemOutput output = parse_steamcmd_item_output(ran->out, id);
    if (!output.failure.empty()) return Error::failed("steamcmd: " + output.failure);
    if (!output.directory) {
      return Error::failed("steamcmd printed no result for workshop item " + id + " (" + ran->status.describe() + ")");
    }
    return first_vpk(*output.directory, id);
  };
}

}  // namespace left4me::content
