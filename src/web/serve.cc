#include "base/log.h"
#include "web/app.h"
#include "web/commands.h"

namespace left4me::web {

int command_serve(const std::vector<std::string>& args) {
  log::init("l4d2web");
  if (!args.empty()) {
    log::error("usage: l4d2web serve (configure with environment keys or /etc/left4me/web.env)");
    return 2;
  }
  Result<WebConfig> config = load_config(process_environment());
  if (!config) {
    log::error("{}", config.error().message());
    return config.error().code() == ErrorCode::kInvalidArgument ? 2 : 1;
  }
  return serve(*config);
}

}  // namespace left4me::web
