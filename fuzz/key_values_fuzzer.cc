// Valve's KeyValues text (src/host/key_values.h) as l4d2ctl reads it from appmanifest_222860.acf (a file the
// service user and steamcmd write) and from steamcmd's app_info_print output. Invariants: a parsed tree is a
// block nested at most kMaxKeyValuesDepth levels; a block has no value, a value has no children; a text the
// file mode accepts is accepted when trailing output is ignored, with the same tree.
#include <cstdint>

#include "fuzz/fuzz_check.h"
#include "host/key_values.h"

namespace left4me::fuzz {
namespace {

int depth_of(const host::KeyValue& entry) {
  int deepest = 0;
  for (const host::KeyValue& child : entry.children) {
    require(child.block || child.children.empty(), "a value has no children");
    require(!child.block || child.value.empty(), "a block has no value");
    if (child.block) {
      int depth = depth_of(child);
      if (depth > deepest) deepest = depth;
    }
  }
  return deepest + 1;
}

bool same_tree(const host::KeyValue& a, const host::KeyValue& b) {
  if (a.key != b.key || a.value != b.value || a.block != b.block || a.children.size() != b.children.size()) {
    return false;
  }
  for (size_t i = 0; i < a.children.size(); ++i) {
    if (!same_tree(a.children[i], b.children[i])) return false;
  }
  return true;
}

}  // namespace
}  // namespace left4me::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace left4me;
  std::string_view text = fuzz::as_text(data, size);
  auto file = host::parse_key_values(text, "fuzz.acf", host::Trailing::kRefuse);
  auto cut = host::parse_key_values(text, "fuzz.acf", host::Trailing::kIgnore);
  if (file.ok()) {
    fuzz::require(file->block, "the top level is a block");
    fuzz::require(static_cast<std::size_t>(fuzz::depth_of(*file)) <= host::kMaxKeyValuesDepth,
                  "nesting within the limit");
    fuzz::require(cut.ok() && fuzz::same_tree(*file, *cut), "a whole file also parses as a cut-out block");
    (void)file->find_path({"buildid"});
  }
  if (cut.ok())
    fuzz::require(static_cast<std::size_t>(fuzz::depth_of(*cut)) <= host::kMaxKeyValuesDepth,
                  "nesting within the limit");
  return 0;
}
