#include "host/launch.h"

#include "base/file.h"
#include "model/render.h"

namespace left4me::host {

Result<LaunchPlan> read_launch_plan(const model::Layout& layout, const model::InstanceName& name) {
  std::string path = layout.instance_env(name);
  auto content = read_file(path);
  if (!content.ok()) {
    if (content.error().code() == ErrorCode::kNotFound) {
      return Error::not_found("no such instance '" + name.str() + "' (run l4d2ctl initialize first)");
    }
    return content.error();
  }
  auto env = model::parse_instance_env(*content, path);
  if (!env.ok()) return Error::failed(env.error().message());

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
