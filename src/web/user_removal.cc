#include "web/user_removal.h"

#include <fmt/format.h>

#include "web/job_runner.h"
#include "web/overlay_directories.h"

namespace left4me::web {

Result<UserRemoval> plan_user_removal(App& app, std::int64_t id) {
  Result<std::optional<User>> user = app.accounts->find_user(id);
  if (!user) return user.error();
  if (!*user) return Error::not_found(fmt::format("user {} not found", id));
  // The user's own scope: exactly what they own.
  Scope owned{id, false};
  Result<std::vector<Server>> servers = app.servers->list(owned);
  if (!servers) return servers.error();
  Result<std::vector<Blueprint>> blueprints = app.blueprints->list(owned);
  if (!blueprints) return blueprints.error();
  return UserRemoval{std::move(**user), std::move(*servers), std::move(*blueprints)};
}

Result<RemovalStarted> remove_user(App& app, std::int64_t id, std::int64_t actor_id) {
  if (Status marked = app.accounts->mark_deleting(id, actor_id); !marked) return marked.error();
  // No server can be added from here on (Servers::create and adopt refuse a user being deleted), so these are all.
  Result<std::vector<Server>> servers = app.servers->list(Scope{id, false});
  if (!servers) return servers.error();
  RemovalStarted started;
  for (const Server& server : *servers) {
    Result<Job> job = app.runner->queue(JobType::kDelete, server, actor_id);
    if (!job) return job.error();
    started.jobs.push_back(std::move(*job));
  }
  if (started.jobs.empty()) {
    Result<std::optional<RemovedUser>> removed = app.accounts->remove_if_emptied(id);
    if (!removed) return removed.error();
    started.removed = removed->has_value();
    if (*removed) {
      for (const std::string& directory : (*removed)->overlay_directories) {
        remove_overlay_directory(host_root(app.config), directory);
      }
    }
  }
  return started;
}

}  // namespace left4me::web
