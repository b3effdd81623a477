#include "web/overlay_directories.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/file.h"
#include "base/log.h"
#include "model/layout.h"

namespace left4me::web {
namespace {

// A directory name that stays inside overlays/ (the store's directories are ids or adopted spec refs).
bool plain_name(const std::string& directory) {
  return !directory.empty() && directory != "." && directory != ".." && directory.find('/') == std::string::npos;
}

Result<std::string> overlay_path(const std::string& root, const std::string& directory) {
  if (!plain_name(directory)) return Error::invalid("overlay directory '" + directory + "' is not a plain name");
  Result<model::Layout> layout = model::Layout::create(root);
  if (!layout) return layout.error();
  return layout->overlay(directory);
}

// Inside an overlay (a game tree): the file the rendered server.cfg hides. The web app's only look into a tree.
constexpr std::string_view kOwnServerCfg = "left4dead2/cfg/server.cfg";

}  // namespace

std::string host_root(const WebConfig& config) { return config.host_root; }

Status make_overlay_directory(const WebConfig& config, const Overlay& overlay) {
  Result<std::string> path = overlay_path(host_root(config), overlay.directory);
  if (!path) return path.error();
  if (Status made = make_directories(*path, 0755); !made) return made;
  // make_directories leaves an existing directory as it is; a new one gets exactly 0755 whatever the umask.
  if (::chmod(path->c_str(), 0755) != 0) return Error::from_errno("chmod " + *path, errno);
  return ok_status();
}

bool has_own_server_cfg(const std::string& root, const std::string& directory) {
  Result<std::string> path = overlay_path(root, directory);
  return path && path_exists(*path + "/" + std::string(kOwnServerCfg));
}

void remove_overlay_directory(const std::string& root, const std::string& directory) {
  Result<std::string> path = overlay_path(root, directory);
  if (!path) {
    log::error("overlay directory not removed: {}", path.error().message());
    return;
  }
  if (Status removed = remove_tree(*path); !removed) {
    log::error("overlay directory not removed: {}", removed.error().message());
  }
  // A script overlay's build script (scripts/<directory>.sh) goes with it.
  std::string script = model::Layout::create(root)->overlay_script(directory);
  if (::unlink(script.c_str()) != 0 && errno != ENOENT) {
    log::error("build script {} not removed: {}", script, std::strerror(errno));
  }
}

}  // namespace left4me::web
