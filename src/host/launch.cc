#include "host/launch.h"

#include "host/instance_env_file.h"
#include "model/render.h"

namespace left4me::host {

Result<LaunchPlan> read_launch_plan(const model::Layout& layout, const model::InstanceName& name) {
  // The service user writes instance.env; read it as privileged code must (the built-in supervisor may
  // run as root).
  auto env = read_instance_env(layout, name);
  if (!env.ok()) {
    // A malformed file on disk is a broken instance, not a bad argument of this call.
    if (env.error().code() == ErrorCode::kInvalidArgument) return Error::failed(env.error().message());
    return env.error();
  }

  LaunchPlan plan;
  plan.game_root = layout.merged(name);
  plan.port = static_cast<std::uint16_t>(env->port);
  plan.argv = model::server_argv(*env, plan.game_root + "/srcds_run");
  for (size_t i = 0; i + 1 < env->args.size(); ++i) {
    if (env->args[i] == "+map") plan.map = env->args[i + 1];
  }
  return plan;
}

}  // namespace left4me::host
