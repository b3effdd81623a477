// The reason the last `l4d2ctl start` of an instance failed, kept in runtime/<name>/last_start_error so
// that `status` can show it under either supervisor until a start succeeds. The file lies in the service
// user's directory and may be read by root: it is opened without following symlinks, must be a regular
// file, and is read up to a bound. Thread-safe (no shared state; writes are atomic renames).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "model/instance_name.h"
#include "model/layout.h"

namespace left4me::host {

// A reason longer than this is cut (at a character boundary) when it is recorded.
inline constexpr std::size_t kMaxStartFailureBytes = 4096;

// Records why a start failed: one line (line breaks become spaces), valid UTF-8, at most
// kMaxStartFailureBytes. Fails if the runtime directory is missing or not writable.
Status record_start_failure(const model::Layout& layout, const model::InstanceName& name, std::string_view reason);
// Forgets the recorded reason (after a successful start). Nothing recorded: success.
Status clear_start_failure(const model::Layout& layout, const model::InstanceName& name);
// The recorded reason, nullopt if none. Errors name the file: a symlink, something that is not a regular
// file, or a file larger than the bound (which nothing of ours writes).
Result<std::optional<std::string>> read_start_failure(const model::Layout& layout, const model::InstanceName& name);

}  // namespace left4me::host
