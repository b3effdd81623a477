#include <fmt/format.h>

#include "web/commands.h"

namespace left4me::web {

int command_serve(const std::vector<std::string>&) {
  fmt::print(stderr, "l4d2web: serve is not built yet\n");
  return 1;
}

}  // namespace left4me::web
