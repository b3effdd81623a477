// A JSON request body as the blueprint routes take it: parse_body (the depth-limited parse), then the spec
// checks that follow (spec_yaml text, a spec object, a form's spec text). Invariants: no accepted body nests
// deeper than kMaxJsonDepth and each can be written back out; a spec the checks accept has a canonical YAML
// that is accepted again, unchanged.
#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "json/parse_json.h"
#include "web/blueprint_spec.h"
#include "web/http.h"
#include "web/responses.h"

namespace left4me::fuzz {
namespace {

// The deepest level of value, walked without recursion.
int depth_of(const nlohmann::json& value) {
  int deepest = 0;
  std::vector<std::pair<const nlohmann::json*, int>> pending{{&value, 0}};
  while (!pending.empty()) {
    auto [node, depth] = pending.back();
    pending.pop_back();
    if (!node->is_structured()) continue;
    deepest = std::max(deepest, depth + 1);
    for (const nlohmann::json& child : *node) pending.emplace_back(&child, depth + 1);
  }
  return deepest;
}

void check_spec(const web::SpecCheck& check) {
  if (!check.yaml) {
    require(!check.errors.empty(), "a refused spec names at least one error");
    return;
  }
  web::SpecCheck again = web::check_blueprint_yaml(*check.yaml);
  require(again.yaml.has_value(), "the canonical YAML of an accepted spec is accepted");
  require(*again.yaml == *check.yaml, "the canonical YAML is stable");
  (void)web::blueprint_spec_to_json(*check.yaml).dump();
  (void)web::render_instance_spec(*check.yaml, 27015, "fuzz-server", "fuzz-password-1");
}

}  // namespace
}  // namespace left4me::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace left4me;
  web::Request request;
  request.method = "POST";
  request.headers = {{"content-type", "application/json"}};
  request.body = std::string(fuzz::as_text(data, size));
  Result<nlohmann::json> body = web::parse_body(request);
  if (!body) return 0;
  fuzz::require(body->is_object(), "a body is an object");
  fuzz::require(fuzz::depth_of(*body) <= kMaxJsonDepth, "no body nests deeper than the limit");
  (void)body->dump();

  if (body->contains("spec_yaml") && (*body)["spec_yaml"].is_string()) {
    fuzz::check_spec(web::check_blueprint_yaml((*body)["spec_yaml"].get<std::string>()));
  }
  if (body->contains("spec")) {
    nlohmann::json spec = (*body)["spec"];
    if (spec.is_string()) {
      Result<nlohmann::json> parsed = parse_json_limited(spec.get<std::string>());
      if (!parsed) return 0;
      spec = std::move(*parsed);
    }
    fuzz::check_spec(web::check_blueprint_json(spec));
  }
  // The whole body as a spec, so that the fuzzer need not find the "spec" key first.
  fuzz::check_spec(web::check_blueprint_json(*body));
  return 0;
}
