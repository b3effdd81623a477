// Rendered files: what `initialize` rendered (instances/<name>/rendered/**, e.g. server.cfg) is
// copied into the instance's writable layer before each start, so changes apply on the next start
// under either supervisor. No shared state; callers serialize per instance.
#pragma once

#include "base/result.h"
#include "model/instance_name.h"
#include "model/layout.h"

namespace left4me::host {

// Copies every regular file of layout.rendered_dir(name) to the same relative path under
// layout.upper(name), owned like upper/ itself. Only while upper/ is not mounted (changing an
// overlayfs layer under a live mount is undefined). No rendered directory: nothing to do.
Status place_rendered_files(const model::Layout& layout, const model::InstanceName& name);

}  // namespace left4me::host
