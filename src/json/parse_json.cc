#include "json/parse_json.h"

#include <fmt/format.h>

#include <cassert>

namespace left4me {

namespace {

// The SAX handler of is_object_naming: follows the depth, and the values of the top-level `key`.
class ObjectNamingCheck {
 public:
  using json = nlohmann::json;
  ObjectNamingCheck(std::string_view key, std::string_view value, int max_depth)
      : key_(key), value_(value), max_depth_(max_depth) {}
  bool holds() const { return object_ && named_ && !misnamed_; }

  bool null() { return scalar(); }
  bool boolean(bool) { return scalar(); }
  bool number_integer(json::number_integer_t) { return scalar(); }
  bool number_unsigned(json::number_unsigned_t) { return scalar(); }
  bool number_float(json::number_float_t, const json::string_t&) { return scalar(); }
  bool binary(json::binary_t&) { return scalar(); }
  bool string(json::string_t& text) {
    if (key_next_) (text == value_ ? named_ : misnamed_) = true;
    key_next_ = false;
    return depth_ > 0;
  }
  bool start_object(std::size_t) {
    if (depth_ == 0) object_ = true;
    return open();
  }
  bool start_array(std::size_t) { return depth_ > 0 && open(); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(json::string_t& text) {
    key_next_ = depth_ == 1 && text == key_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }

 private:
  // A value that is not a string: at the top it is not an object; as the key's value it is not the one wanted.
  bool scalar() {
    if (key_next_) misnamed_ = true;
    key_next_ = false;
    return depth_ > 0;
  }
  bool open() {
    if (key_next_) misnamed_ = true;
    key_next_ = false;
    return ++depth_ <= max_depth_;
  }
  bool close() {
    --depth_;
    return true;
  }

  std::string_view key_;
  std::string_view value_;
  int max_depth_;
  int depth_ = 0;
  bool object_ = false;
  bool key_next_ = false;  // the next value is the top-level key's
  bool named_ = false;
  bool misnamed_ = false;  // a top-level key whose value is another one (all of them must be `value`)
};

}  // namespace

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

bool is_object_naming(std::string_view text, std::string_view key, std::string_view value, int max_depth) {
  assert(max_depth >= 1);
  ObjectNamingCheck check(key, value, max_depth);
  try {
    return nlohmann::json::sax_parse(text, &check) && check.holds();
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

}  // namespace left4me
