#include "web/server_history.h"

#include <fmt/format.h>

#include "base/log.h"
#include "web/accounts.h"

namespace left4me::web {
namespace {

std::optional<AlertEvent> alert_for(ServerEventKind kind) {
  switch (kind) {
    case ServerEventKind::kCrash:
      return AlertEvent::kCrash;
    case ServerEventKind::kAutoRestart:
      return AlertEvent::kAutoRestart;
    case ServerEventKind::kFailed:
      return AlertEvent::kFailed;
    case ServerEventKind::kStarted:
    case ServerEventKind::kStopped:
    case ServerEventKind::kRestarted:
      break;
  }
  return std::nullopt;
}

// What a job that succeeded did to its server, for the history; nullopt for a job that is no event there (a
// build switch or a daily restart may have found nothing to do; install jobs act on no server).
std::optional<ServerEventKind> event_of(JobType type) {
  switch (type) {
    case JobType::kStart:
      return ServerEventKind::kStarted;
    case JobType::kStop:
      return ServerEventKind::kStopped;
    case JobType::kRestart:
      return ServerEventKind::kRestarted;
    case JobType::kDelete:
    case JobType::kInstall:
    case JobType::kCheckUpdate:
    case JobType::kSwitchBuild:
    case JobType::kScheduledRestart:
    case JobType::kRefreshManaged:
    case JobType::kRefreshWorkshop:
    case JobType::kBuildOverlay:
      break;
  }
  return std::nullopt;
}

}  // namespace

void ServerHistory::record(const Server& server, ServerEventKind kind, const std::string& reason,
                           std::optional<std::int64_t> job) {
  Result<ServerEvent> recorded = events_.record(server.id, kind, reason, job);
  if (!recorded)
    log::warning("server '{}': {} not recorded: {}", server.name, to_string(kind), recorded.error().message());
  std::optional<AlertEvent> alert = alert_for(kind);
  if (!alert) return;
  sender_.send(Alert{*alert, recorded ? recorded->at : unix_now(), server.id, server.name, reason, job, std::nullopt});
}

void ServerHistory::on_host_events(const std::vector<HostEvent>& events) {
  Result<std::vector<Server>> all = servers_.list_all();
  if (!all) {
    log::error("server history: {}", all.error().message());
    return;
  }
  for (const HostEvent& event : events) {
    for (const Server& server : *all) {
      if (server.managed_instance() != event.instance) continue;
      log::info("server '{}': {}: {}", server.name, to_string(event.kind), event.reason);
      std::optional<std::int64_t> job = running_job_ ? running_job_(server.id) : std::nullopt;
      if (job) (void)job_logs_.publish(*job, fmt::format("server event: {}: {}", to_string(event.kind), event.reason));
      record(server, event.kind, event.reason, job);
    }
  }
}

void ServerHistory::on_job_finished(const Job& job, JobState state, const std::string& reason) {
  if (state == JobState::kFailed) {
    sender_.send(Alert{AlertEvent::kJobFailed, unix_now(), job.server_id, job.server_id ? job.target : "", reason,
                       job.id, job.type});
    return;
  }
  std::optional<ServerEventKind> kind = event_of(job.type);
  if (state != JobState::kSucceeded || !kind || !job.server_id) return;
  Result<Server> server = servers_.get(*job.server_id, Scope{0, true});
  if (!server) return;  // deleted meanwhile
  record(*server, *kind, fmt::format("by job {}", job.id), job.id);
}

}  // namespace left4me::web
