// The Cookie header (Request::cookie) and the query string (Request::query_param). Invariants: a cookie's
// value never spans a ';' and comes back trimmed.
#include <string>

#include "base/strings.h"
#include "fuzz/fuzz_check.h"
#include "web/http.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace left4me;
  std::string_view text = fuzz::as_text(data, size);
  web::Request request;
  request.headers = {{"cookie", std::string(text)}, {"cookie", "l4d2_csrf=second"}};
  request.query = std::string(text);
  // The names the app reads, and one taken from the input itself.
  std::string own_name(trim(text.substr(0, text.find('='))));
  for (std::string_view name : {std::string_view("l4d2_session"), std::string_view("l4d2_csrf"),
                                std::string_view(own_name), std::string_view("")}) {
    std::optional<std::string> value = request.cookie(name);
    if (value) {
      fuzz::require(value->find(';') == std::string::npos, "a cookie value never spans a ';'");
      fuzz::require(trim(*value) == *value, "a cookie value is trimmed");
    }
    (void)request.query_param(name);
  }
  return 0;
}
