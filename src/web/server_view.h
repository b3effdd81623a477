// ServerView: a server as the panel shows it and acts on it at one moment, decided in one place (view_server)
// from its stored record, what the host says of its instance and the job pending on it. The API, the pages,
// their render-cache key, the reconciler, adoption and the job runner all read it. Value type; a view points
// into the record and the statuses it was made from, which must outlive it.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "web/ctl.h"
#include "web/jobs.h"
#include "web/render_cache.h"
#include "web/servers.h"
#include "web/states.h"

namespace left4me::web {

// What the host said of its instances, as view_server takes it.
class HostStatuses {
 public:
  // The host answered: its instances' statuses by name (`l4d2ctl list --json`, or the one instance of a
  // `status --json`; an instance it does not name, it does not have).
  static HostStatuses answered(const StatusMap& statuses) { return HostStatuses(Answer::kAnswered, &statuses); }
  // Nothing is known yet (no `l4d2ctl list` has succeeded since the start): servers keep their recorded state.
  static HostStatuses not_known() { return HostStatuses(Answer::kNotKnown, nullptr); }
  // The host was asked and gave no answer that can be read: the servers it holds are unknown.
  static HostStatuses no_answer() { return HostStatuses(Answer::kNoAnswer, nullptr); }

  enum class Answer { kAnswered, kNotKnown, kNoAnswer };
  Answer answer() const { return answer_; }
  // The status object of an instance the host answered for, or nullptr.
  const nlohmann::json* find(const std::string& instance) const;

 private:
  HostStatuses(Answer answer, const StatusMap* statuses) : answer_(answer), statuses_(statuses) {}
  Answer answer_;
  const StatusMap* statuses_;
};

struct ServerView {
  const Server* record = nullptr;
  ServerState state = ServerState::kNew;
  // The host's status object of the server's instance (`l4d2ctl status --json`, docs/cli.md) when the host
  // reported one for an instance the panel manages; the live parts (live, pid, since, restarts, last_exit)
  // are read from it. nullptr otherwise.
  const nlohmann::json* host = nullptr;
  std::optional<PendingJob> pending;

  // What a user may ask for now: nothing while a job is pending; start a server that is not up, stop or restart
  // one that is.
  bool may_start() const { return !pending && !is_up(state); }
  bool may_stop() const { return !pending && is_up(state); }
  bool may_restart() const { return may_stop(); }
};

// The state a host's status object reports: nullopt when it reports none (the host could not read the instance),
// unknown for a state this panel does not know.
std::optional<ServerState> reported_state(const nlohmann::json& status);

// The one rule for a server's state:
// - nothing known of the host yet: the state last recorded;
// - an instance the panel does not manage (never started, not adopted), or one the host does not have: new
//   (whatever the host holds under that name is not this server's);
// - the host gave no answer: unknown;
// - otherwise the host's state wins (a state this panel does not know is unknown), except for an instance whose
//   status the host could not read (`{"name","error"}`, no state), which keeps the recorded state.
ServerView view_server(const Server& record, const HostStatuses& host, std::optional<PendingJob> pending = {});

// Adds every input of view_server to a render-cache key: every field of the record, the host's status object
// (by address: the caller pins the statuses) and the pending job. A field added to Server or ServerView is
// added here.
void add_to_key(CacheKey& key, const ServerView& view);

}  // namespace left4me::web
