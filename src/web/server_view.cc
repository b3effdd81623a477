#include "web/server_view.h"

namespace left4me::web {

std::optional<ServerState> reported_state(const nlohmann::json& status) {
  auto it = status.find("state");
  if (it == status.end() || !it->is_string()) return std::nullopt;
  return parse_server_state(it->get_ref<const std::string&>()).value_or(ServerState::kUnknown);
}

const nlohmann::json* HostStatuses::find(const std::string& instance) const {
  if (statuses_ == nullptr) return nullptr;
  auto it = statuses_->find(instance);
  return it == statuses_->end() ? nullptr : &it->second;
}

ServerView view_server(const Server& record, const HostStatuses& host, std::optional<PendingJob> pending) {
  ServerView view{&record, record.recorded_state, nullptr, pending};
  if (host.answer() == HostStatuses::Answer::kNotKnown) return view;
  std::optional<std::string> instance = record.managed_instance();
  if (!instance) {
    view.state = ServerState::kNew;
    return view;
  }
  if (host.answer() == HostStatuses::Answer::kNoAnswer) {
    view.state = ServerState::kUnknown;
    return view;
  }
  view.host = host.find(*instance);
  if (view.host == nullptr) {
    view.state = ServerState::kNew;
  } else if (std::optional<ServerState> state = reported_state(*view.host)) {
    view.state = *state;
  }
  return view;
}

void add_to_key(CacheKey& key, const ServerView& view) {
  const Server& server = *view.record;
  key.add(server.id).add(server.name).add(server.instance).add(server.owns_instance ? 1 : 0);
  key.add(server.owner_id).add(server.owner_name);
  key.add(server.blueprint_id).add(server.blueprint_name).add(server.blueprint_version);
  key.add(server.host_id).add(server.host_name).add(server.port).add(static_cast<std::int64_t>(server.recorded_state));
  key.add(server.applied_blueprint_id).add(server.applied_version).add(server.created_at);
  key.add(server.viewer_share ? std::optional<std::int64_t>(static_cast<std::int64_t>(*server.viewer_share))
                              : std::nullopt);
  key.add(static_cast<std::int64_t>(view.state)).add_address(view.host);
  if (view.pending) {
    key.add(static_cast<std::int64_t>(view.pending->type)).add(static_cast<std::int64_t>(view.pending->state));
  } else {
    key.add(std::nullopt);
  }
}

}  // namespace left4me::web
