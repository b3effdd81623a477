// Reading instances/<name>/instance.env as privileged code must. The file belongs to the service
// user, so every reader (the overlay helper, left4me-systemctl, l4d2ctl's supervisors) opens it
// without following symlinks, takes only a regular file of bounded size, and parses it with the strict
// model::parse_instance_env (L4D2_PORT, L4D2_LOWERDIRS and L4D2_ARGS, each validated; any other key is
// an error). Thread-safe.
#pragma once

#include <cstddef>

#include "base/result.h"
#include "model/instance_name.h"
#include "model/layout.h"
#include "model/render.h"

namespace left4me::host {

// 500 lowerdirs of a few hundred bytes each fit easily; anything larger is not ours.
inline constexpr std::size_t kMaxInstanceEnvBytes = 256 * 1024;

// The parsed instance.env of `name`. Errors: kNotFound if it does not exist ("no such instance"),
// kInvalidArgument naming the file (and line) if it is a symlink, not a regular file, too large or
// malformed.
Result<model::InstanceEnv> read_instance_env(const model::Layout& layout, const model::InstanceName& name);

}  // namespace left4me::host
