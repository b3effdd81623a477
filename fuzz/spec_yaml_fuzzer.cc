// Spec YAML (model::parse_instance_spec, model::parse_blueprint_spec): what `l4d2ctl initialize` reads and
// what the web app stores. Invariants: a refused spec names at least one error; an accepted one formats to
// YAML that parses back to the same Spec and renders a server.cfg.
#include <string>

#include "fuzz/fuzz_check.h"
#include "model/instance_name.h"
#include "model/render.h"
#include "model/spec.h"

namespace left4me::fuzz {
namespace {

void check(const model::SpecResult& parsed, bool instance) {
  if (!parsed) {
    require(!parsed.errors().empty(), "a refused spec names at least one error");
    (void)parsed.message();
    return;
  }
  std::string yaml = model::format_spec_yaml(*parsed);
  model::SpecResult again =
      instance ? model::parse_instance_spec(yaml, "again") : model::parse_blueprint_spec(yaml, "again");
  require(again.ok(), "the formatted YAML of an accepted spec is accepted");
  require(*again == *parsed, "the formatted YAML parses back to the same spec");
  auto name = model::InstanceName::create("fuzz");
  require(name.ok(), "'fuzz' is an instance name");
  auto rendered = model::render_server_cfg(*parsed, *name, parsed->rcon_password.value_or("fuzz-password"));
  require(rendered.ok(), "an accepted spec renders a server.cfg");
}

}  // namespace
}  // namespace left4me::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace left4me;
  std::string_view text = fuzz::as_text(data, size);
  fuzz::check(model::parse_instance_spec(text, "spec.yaml"), true);
  fuzz::check(model::parse_blueprint_spec(text, "blueprint"), false);
  return 0;
}
