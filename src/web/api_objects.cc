#include "web/api_objects.h"

#include "json/parse_json.h"
#include "web/blueprint_spec.h"

namespace left4me::web {
namespace {

template <typename Number>
nlohmann::json optional_json(const std::optional<Number>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

// The parts of the host's status object the API passes on as the host wrote them.
constexpr const char* kHostFields[] = {"live",      "pid",        "since",   "restarts",
                                       "last_exit", "last_error", "connect", "build"};

}  // namespace

nlohmann::json user_json(const User& user, const DefaultLimits& defaults) {
  return {{"id", user.id},
          {"name", user.name},
          {"admin", user.is_admin},
          {"disabled", user.disabled},
          {"deleting", user.deleting},
          {"two_factor", user.two_factor},
          {"created_at", user.created_at},
          {"max_servers", optional_json(user.max_servers)},
          {"max_blueprints", optional_json(user.max_blueprints)},
          {"limits",
           {{"servers", optional_json(effective_limit(user.is_admin, user.max_servers, defaults.servers))},
            {"blueprints", optional_json(effective_limit(user.is_admin, user.max_blueprints, defaults.blueprints))}}}};
}

nlohmann::json linked_servers_json(const std::vector<LinkedServer>& linked) {
  nlohmann::json servers = nlohmann::json::array();
  for (const LinkedServer& server : linked) servers.push_back({{"id", server.id}, {"name", server.name}});
  return servers;
}

nlohmann::json blueprint_json(const Blueprint& blueprint, const std::vector<LinkedServer>* linked) {
  nlohmann::json out = {{"id", blueprint.id},
                        {"owner_id", blueprint.owner_id},
                        {"name", blueprint.name},
                        {"version", blueprint.version},
                        {"spec", blueprint_spec_to_json(blueprint.spec_yaml)},
                        {"spec_yaml", blueprint_spec_yaml_for_display(blueprint.spec_yaml)},
                        {"created_at", blueprint.created_at},
                        {"updated_at", blueprint.updated_at}};
  if (linked != nullptr) out["servers"] = linked_servers_json(*linked);
  return out;
}

nlohmann::json server_json(const ServerView& view) {
  const Server& server = *view.record;
  nlohmann::json out = {
      {"id", server.id},
      {"name", server.name},
      {"instance", server.instance},
      {"owner_id", server.owner_id},
      {"owner", server.owner_name},
      {"blueprint_id", server.blueprint_id},
      {"blueprint_name", server.blueprint_name},
      {"blueprint_version", server.blueprint_version},
      {"applied_version", optional_json(server.applied_version)},
      {"outdated", server.outdated()},
      {"host_id", server.host_id},
      {"host", server.host_name},
      {"port", server.port},
      {"state", to_string(view.state)},
      {"shared_role", server.viewer_share ? nlohmann::json(to_string(*server.viewer_share)) : nlohmann::json(nullptr)},
      {"live", nullptr}};
  if (view.host != nullptr) {
    for (const char* key : kHostFields) {
      auto it = view.host->find(key);
      if (it != view.host->end()) out[key] = *it;
    }
  }
  return out;
}

nlohmann::json host_json(const Host& host, int servers, int running, const std::map<std::int64_t, HostPoll>& polls) {
  nlohmann::json out = {{"id", host.id},
                        {"name", host.name},
                        {"local", host.local()},
                        {"address", host.local() ? nlohmann::json(nullptr) : nlohmann::json(host.address)},
                        {"ssh_port", host.ssh_port},
                        {"ssh_user", host.ssh_user},
                        {"port_min", host.ports.start},
                        {"port_max", host.ports.end},
                        {"max_servers", host.max_servers},
                        {"cpus", host.cpus},
                        {"servers", servers},
                        {"running", running},
                        {"key", nullptr},
                        {"reachable", nullptr},
                        {"round_trip_ms", nullptr},
                        {"error", nullptr},
                        {"checked_at", nullptr}};
  if (!host.local()) {
    out["key"] = {{"fingerprint", host.key.fingerprint},
                  {"known_hosts_line", host.key.known_hosts_line},
                  {"confirmed", host.key_confirmed}};
  }
  if (auto poll = polls.find(host.id); poll != polls.end()) {
    out["reachable"] = poll->second.answered;
    out["round_trip_ms"] = poll->second.round_trip.count();
    out["checked_at"] = poll->second.at;
    if (!poll->second.answered) out["error"] = poll->second.error;
  }
  return out;
}

nlohmann::json share_json(const Share& share) {
  return {{"user_id", share.user_id},
          {"user", share.user_name},
          {"role", to_string(share.role)},
          {"granted_by_id", optional_json(share.granted_by)},
          {"granted_by", share.granted_by ? nlohmann::json(share.granted_by_name) : nlohmann::json(nullptr)},
          {"granted_at", share.granted_at}};
}

nlohmann::json job_json(const Job& job) {
  nlohmann::json out = {{"id", job.id},
                        {"type", to_string(job.type)},
                        {"target", job.target},
                        {"server_id", optional_json(job.server_id)},
                        {"host_id", optional_json(job.host_id)},
                        {"owner_id", optional_json(job.owner_id)},
                        {"state", to_string(job.state)},
                        {"created_at", job.created_at},
                        {"started_at", optional_json(job.started_at)},
                        {"finished_at", optional_json(job.finished_at)},
                        {"exit_code", optional_json(job.exit_code)},
                        {"reason", job.reason.empty() ? nlohmann::json(nullptr) : nlohmann::json(job.reason)},
                        {"progress", nullptr}};
  if (!job.progress.empty()) {
    Result<nlohmann::json> progress = parse_json_limited(job.progress);
    if (progress) out["progress"] = std::move(*progress);
  }
  return out;
}

nlohmann::json restart_schedule_json(const StoredRestartSchedule& stored, std::int64_t now) {
  const RestartSchedule& schedule = stored.schedule;
  return {{"server_id", stored.server_id},
          {"enabled", schedule.enabled},
          {"time", format_time_of_day(schedule.minute_of_day)},
          {"time_zone", "UTC"},
          {"max_wait_minutes", schedule.max_wait_minutes},
          {"message", schedule.message},
          {"next_at", optional_json(next_restart_time(schedule, stored.last_due_at, now))},
          {"last_at", optional_json(stored.last_due_at)}};
}

nlohmann::json server_event_json(const ServerEvent& event) {
  return {{"id", event.id},         {"server_id", event.server_id},
          {"at", event.at},         {"kind", to_string(event.kind)},
          {"reason", event.reason}, {"job_id", optional_json(event.job_id)}};
}

nlohmann::json webhook_json(const Webhook& webhook) {
  nlohmann::json events = nlohmann::json::array();
  for (AlertEvent event : webhook.spec.events) events.push_back(to_string(event));
  return {{"id", webhook.id},
          {"url", webhook.spec.url},
          {"kind", to_string(webhook.spec.kind)},
          {"events", events},
          {"created_at", webhook.created_at},
          {"last_attempt_at", optional_json(webhook.last_attempt_at)},
          {"last_status", optional_json(webhook.last_status)},
          {"last_error", webhook.last_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(webhook.last_error)},
          {"delivered", webhook.delivered},
          {"failed", webhook.failed}};
}

nlohmann::json overlay_json(const OverlayDescription& described) {
  const Overlay& overlay = described.overlay;
  nlohmann::json used_by = nlohmann::json::array();
  for (const OverlayUser& user : described.used_by) {
    used_by.push_back({{"id", user.blueprint_id}, {"name", user.blueprint_name}});
  }
  return {{"id", overlay.id},
          {"name", overlay.name},
          {"kind", overlay_kind_name(overlay.kind)},
          {"global", overlay.global()},
          {"owner", described.owner ? nlohmann::json(*described.owner) : nlohmann::json(nullptr)},
          {"directory", overlay.directory},
          {"size_bytes", overlay.size_bytes},
          {"used_by", used_by},
          {"may_change", described.may_change},
          {"created_at", overlay.created_at},
          {"updated_at", overlay.updated_at}};
}

}  // namespace left4me::web
