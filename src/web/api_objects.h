// The objects of the JSON API as docs/api.md defines them (user, blueprint, server, share, job, server event,
// webhook): the one place each is turned into JSON. Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <vector>

#include "web/accounts.h"
#include "web/blueprints.h"
#include "web/jobs.h"
#include "web/limits.h"
#include "web/overlay_actions.h"
#include "web/restart_schedules.h"
#include "web/server_events.h"
#include "web/hosts.h"
#include "web/server_view.h"
#include "web/shares.h"
#include "web/status_cache.h"
#include "web/webhooks.h"

namespace left4me::web {

// The user with their own limits (null: the default) and the limits that apply (null: none, an administrator).
nlohmann::json user_json(const User& user, const DefaultLimits& defaults);
// With `servers` (the ones that follow it) when linked is given.
nlohmann::json blueprint_json(const Blueprint& blueprint, const std::vector<LinkedServer>* linked = nullptr);
nlohmann::json linked_servers_json(const std::vector<LinkedServer>& linked);
// The server as its view says: the record's fields, the decided state, and the host's live parts (live, pid,
// since, restarts, last_exit) when the host reported the server's instance.
// shared_role is the role of the user the record was read for when the server is shared with them, else null.
nlohmann::json server_json(const ServerView& view);
nlohmann::json share_json(const Share& share);
nlohmann::json job_json(const Job& job);
// A server's daily restart, with the time zone of its time, when the next one is due (at now) and the last one was.
nlohmann::json restart_schedule_json(const StoredRestartSchedule& stored, std::int64_t now);
nlohmann::json server_event_json(const ServerEvent& event);
// An overlay: id, name, kind, global, owner (a name, null when global), directory, size_bytes, used_by (the
// blueprints stacking it that the viewer may see), may_change.
nlohmann::json overlay_json(const OverlayDescription& described);
// Everything but what a receiver answered (never kept): the outcome of the last delivery only.
nlohmann::json webhook_json(const Webhook& webhook);
// A host with its number of servers, how many of them run, and its last poll (absent: never polled).
nlohmann::json host_json(const Host& host, int servers, int running, const std::map<std::int64_t, HostPoll>& polls);

}  // namespace left4me::web
