// The health monitor's two files as `l4d2ctl list` (possibly root) reads them: runtime/.monitor-live.json
// (live_snapshot.h) and runtime/.monitor-list (list_snapshot.h), both written by whoever can write runtime/.
// Invariants: every list entry kept names a valid instance and is on one line; an entry is_list_entry_of accepts
// (what list would print) is one JSON object naming its instance by the full parser too; a parsed list snapshot
// written again parses to the same snapshot; a live snapshot's entries have valid names.
#include <cstdint>

#include <nlohmann/json.hpp>

#include "fuzz/fuzz_check.h"
#include "host/list_snapshot.h"
#include "host/live_snapshot.h"
#include "json/parse_json.h"
#include "model/instance_name.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace left4me;
  std::string_view text = fuzz::as_text(data, size);
  if (auto live = host::parse_live_snapshot(text, "x"); live.ok()) {
    for (const auto& [name, answer] : live->answers) {
      fuzz::require(model::InstanceName::is_valid(name), "a live answer names a valid instance");
    }
  }
  auto list = host::parse_list_snapshot(text, "x");
  if (!list.ok()) return 0;
  for (const auto& [name, entry] : list->entries) {
    fuzz::require(model::InstanceName::is_valid(name), "a list entry names a valid instance");
    fuzz::require(entry.json.find_first_of("\t\n") == std::string::npos, "a list entry is one line");
    // What fresh_entry would print, checked by the full parser: one object naming the instance.
    for (const std::string* entry_text : {&entry.json, entry.players_json ? &*entry.players_json : nullptr}) {
      if (!entry_text || !host::is_list_entry_of(*entry_text, name)) continue;
      auto object = parse_json_limited(*entry_text);
      fuzz::require(object.ok() && object->is_object() && object->value("name", "") == name,
                    "a list entry that may be printed is one JSON object naming its instance");
    }
  }
  auto again = host::parse_list_snapshot(host::list_snapshot_text(*list), "x");
  fuzz::require(again.ok(), "a list snapshot written again is one");
  fuzz::require(again->written_unix_ms == list->written_unix_ms && again->interval_ms == list->interval_ms &&
                    again->current_build == list->current_build && again->public_host == list->public_host,
                "a list snapshot's header writes back to itself");
  fuzz::require(again->entries.size() == list->entries.size(), "a list snapshot's entries write back to themselves");
  for (const auto& [name, entry] : list->entries) {
    const host::ListEntry& back = again->entries.at(name);
    fuzz::require(back.instance_dir == entry.instance_dir && back.runtime_dir == entry.runtime_dir &&
                      back.read_unix_ms == entry.read_unix_ms && back.json == entry.json &&
                      back.players_json == entry.players_json,
                  "a list entry writes back to itself");
  }
  return 0;
}
