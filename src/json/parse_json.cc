#include "json/parse_json.h"

#include <fmt/format.h>

#include <cassert>

namespace left4me {

Result<nlohmann::json> parse_json_limited(std::string_view text, int max_depth) {
  assert(max_depth >= 1);
  bool too_deep = false;
  // nlohmann calls this as each value is parsed, with the depth of its parent (0 for the top level). A false
  // answer to an opening bracket discards that array or object: the parser reads on through its contents
  // without building them.
  auto limit = [&too_deep, max_depth](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
    bool opens =
        event == nlohmann::json::parse_event_t::object_start || event == nlohmann::json::parse_event_t::array_start;
    if (opens && depth >= max_depth) {
      too_deep = true;
      return false;
    }
    return true;
  };
  nlohmann::json value;
  try {
    value = nlohmann::json::parse(text.begin(), text.end(), limit);
  } catch (const nlohmann::json::parse_error& error) {
    if (!too_deep) return Error::invalid(fmt::format("not valid JSON at byte {}", error.byte));
  } catch (const nlohmann::json::exception&) {
    // out_of_range.406: a number no double holds (1e400); nothing else is thrown while parsing.
    if (!too_deep) return Error::invalid("not valid JSON: a number is out of range");
  }
  if (too_deep) return Error::invalid(fmt::format("JSON nested deeper than {} levels", max_depth));
  return value;
}

}  // namespace left4me
