#include <malloc.h>

#include "base/log.h"
#include "web/app.h"
#include "web/commands.h"
#include "web/http.h"

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
  // Request bodies of up to a chunk of an upload (8 MiB) are allocated and freed once per request on any HTTP
  // thread. glibc's dynamic mmap threshold would move such buffers into the threads' heap arenas after the first
  // free, where they stay: a 1 GiB upload then peaked at 111 MiB RSS. A fixed threshold keeps them mmapped and
  // returns them at once (docs/benchmarks.md, "Overlay uploads").
  ::mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  // Every connection and live stream is a socket: take all the open files the hard limit allows.
  if (Result<std::uint64_t> files = raise_open_file_limit(); !files) log::warning("{}", files.error().message());
  return serve(*config);
}

}  // namespace left4me::web
