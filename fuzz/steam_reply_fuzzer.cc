// A GetPublishedFileDetails reply from the Steam Web API (or whatever answers at its URL) as the Workshop
// client reads it (parse_details_reply, src/content/steam_web_api.h), for three asked ids. Invariants: one
// result per id, in order; a usable item has a size within the limit, a .vpk basename without '/', valid
// UTF-8 in its title; every failure has a message.
#include <string>
#include <vector>

#include "base/utf8.h"
#include "content/steam_web_api.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace left4me;
  static const std::vector<std::string> ids = {"42", "730544933", "2306920249"};
  content::SteamApiOptions options;
  options.max_file_bytes = 1 << 20;
  auto files = content::parse_details_reply(fuzz::as_text(data, size), ids, options);
  fuzz::require(files.size() == ids.size(), "one result per id");
  for (size_t i = 0; i < files.size(); ++i) {
    const content::PublishedFile& file = files[i];
    fuzz::require(file.id == ids[i], "results in the order asked");
    if (!file.status.ok()) {
      fuzz::require(!file.status.error().message().empty(), "a failure says why");
      continue;
    }
    fuzz::require(file.file_size > 0 && file.file_size <= options.max_file_bytes, "a usable size");
    fuzz::require(file.filename.size() > 4 && file.filename.find('/') == std::string::npos, "a .vpk basename");
    fuzz::require(is_valid_utf8(file.title) && file.title.size() <= 256 * 4, "a valid title");
  }
  return 0;
}
