// The command line of the panel's SSH key (SSH_ORIGINAL_COMMAND, src/remote/remote_command.h), split and
// checked as l4d2ctl-remote does. Invariants: what splits quotes back to a line that splits to the same
// words; a checked call starts with the command it was given and never carries a control character.
#include <algorithm>
#include <string>

#include "fuzz/fuzz_check.h"
#include "remote/remote_command.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace left4me;
  auto words = remote::split_command(fuzz::as_text(data, size));
  if (!words.ok()) return 0;
  auto line = remote::quote_command(*words);
  fuzz::require(line.ok(), "split words quote back");
  auto again = remote::split_command(*line);
  fuzz::require(again.ok() && *again == *words, "a quoted line splits to the same words");
  auto call = remote::check_call(*words);
  if (!call.ok()) return 0;
  fuzz::require(!call->args.empty() && call->args[0] == (*words)[0], "a call keeps its command");
  for (const std::string& arg : call->args) {
    bool control = std::any_of(arg.begin(), arg.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; });
    fuzz::require(!control, "no control character reaches l4d2ctl");
  }
  return 0;
}
