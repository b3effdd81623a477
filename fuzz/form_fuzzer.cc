// application/x-www-form-urlencoded bodies and queries: parse_form and url_decode (src/web/http.h), and a
// form body through parse_body; then the fields as the blueprint page builds a spec from them. Invariants:
// url_encode's output decodes back to its input; every pair of the form comes out of parse_body's object.
#include <nlohmann/json.hpp>

#include <string>

#include "fuzz/fuzz_check.h"
#include "web/blueprint_spec.h"
#include "web/http.h"
#include "web/responses.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace left4me;
  std::string_view text = fuzz::as_text(data, size);
  for (bool form : {false, true}) {
    std::optional<std::string> decoded = web::url_decode(text, form);
    if (!decoded) continue;
    std::optional<std::string> again = web::url_decode(web::url_encode(*decoded), form);
    fuzz::require(again && *again == *decoded, "url_decode(url_encode(x)) == x");
  }
  auto pairs = web::parse_form(text);

  web::Request request;
  request.method = "POST";
  request.headers = {{"content-type", "application/x-www-form-urlencoded"}};
  request.body = std::string(text);
  Result<nlohmann::json> body = web::parse_body(request);
  if (!body || text.empty() || text.front() == '{') return 0;  // '{': taken for JSON whatever the type says
  for (const auto& [key, value] : pairs) fuzz::require(body->contains(key), "every form field is in the body");

  // The blueprint page's form: every field a string, checked as a spec.
  nlohmann::json spec = nlohmann::json::object();
  for (const auto& [key, value] : pairs) spec[key] = value;
  web::SpecCheck check = web::check_blueprint_json(spec);
  fuzz::require(check.yaml.has_value() || !check.errors.empty(), "a refused spec names at least one error");
  return 0;
}
