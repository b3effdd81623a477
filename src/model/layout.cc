#include "model/layout.h"

namespace left4me::model {

Result<Layout> Layout::create(std::string_view root) {
  std::string path(root);
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (path.empty() || path[0] != '/') {
    return Error::invalid("LEFT4ME_ROOT must be an absolute path, got '" + path + "'");
  }
  if (path == "/") return Error::invalid("LEFT4ME_ROOT must not be '/'");
  return Layout(std::move(path));
}

}  // namespace left4me::model
