// ServerHistory: where what happens to servers goes. What the status cache notices on the host (a crash, an
// automatic restart after a hang, a server ending failed) and what users' jobs do (start, stop, restart) is
// recorded in the server's history; an event that comes while a job runs on the server is also written into that
// job's log; crashes, automatic restarts, failed servers and failed jobs are sent to the webhooks that want them.
// Never waits for the network (the sender's thread does). Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "web/host_events.h"
#include "web/job_log_hub.h"
#include "web/jobs.h"
#include "web/server_events.h"
#include "web/servers.h"
#include "web/webhook_sender.h"

namespace left4me::web {

class ServerHistory {
 public:
  // The job running on a server now (JobRunner::running_job), or nullopt.
  using RunningJob = std::function<std::optional<std::int64_t>(std::int64_t server_id)>;

  ServerHistory(ServerEvents& events, Servers& servers, JobLogHub& job_logs, WebhookSender& sender,
                RunningJob running_job)
      : events_(events),
        servers_(servers),
        job_logs_(job_logs),
        sender_(sender),
        running_job_(std::move(running_job)) {}

  // The status cache's listener. Events of host instances no server manages are ignored.
  void on_host_events(const std::vector<HostEvent>& events);
  // The job runner's, once a job's final state is stored.
  void on_job_finished(const Job& job, JobState state, const std::string& reason);

 private:
  void record(const Server& server, ServerEventKind kind, const std::string& reason, std::optional<std::int64_t> job);

  ServerEvents& events_;
  Servers& servers_;
  JobLogHub& job_logs_;
  WebhookSender& sender_;
  RunningJob running_job_;
};

}  // namespace left4me::web
