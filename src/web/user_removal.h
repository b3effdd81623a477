// Deleting a user: what it takes (their servers and blueprints, for the confirmation) and starting it. Their
// servers are stopped and removed by delete jobs, as their owner's own deletes would be; the user and their
// blueprints go with the last server (Servers::remove). Thread-safe as App is.
#pragma once

#include <cstdint>
#include <vector>

#include "base/result.h"
#include "web/accounts.h"
#include "web/app.h"
#include "web/blueprints.h"
#include "web/jobs.h"
#include "web/servers.h"

namespace left4me::web {

struct UserRemoval {
  User user;
  std::vector<Server> servers;
  std::vector<Blueprint> blueprints;
};

// The user and what deleting them removes; kNotFound for no such user.
Result<UserRemoval> plan_user_removal(App& app, std::int64_t id);

struct RemovalStarted {
  bool removed = false;   // the user owned no server and is gone already
  std::vector<Job> jobs;  // else the delete job of each of their servers
};

// Marks the user deleting (Accounts::mark_deleting: disabled, signed out; refused for actor_id itself and the last
// active administrator) and queues a delete job for each of their servers; a user with none goes at once. Asking
// again queues the deletes that failed again.
Result<RemovalStarted> remove_user(App& app, std::int64_t id, std::int64_t actor_id);

}  // namespace left4me::web
