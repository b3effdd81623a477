// The states of servers and jobs, the types of jobs and the roles of shared servers, and their one conversion to and
// from text: the JSON of the API, the templates, the SQL columns and the job logs' end events all go through
// to_string/parse_*, so nothing else in the web app writes a state or a type as a string. Pure functions; thread-safe.
//
// A new server state or job type is a value here (no explicit numbers: the values run from 0 in order) and its
// name in states.cc; the compiler then names every switch that must decide about it (the names, the job runner,
// the pages' colours).
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace left4me::web {

// What the panel says of a server (decided by view_server, server_view.h).
enum class ServerState {
  kNew,       // the panel has not started it yet: nothing on the host is its own
  kStopped,   // these four are the host's (l4d2ctl status)
  kStarting,  //
  kRunning,   //
  kFailed,    //
  kUnknown,   // the host did not say (l4d2ctl failed, or named a state this panel does not know)
};

enum class JobState { kQueued, kRunning, kSucceeded, kFailed, kCancelled, kInterrupted };

// What a job does; each but kInstall and kCheckUpdate acts on one server. kSwitchBuild restarts a server on the
// current game build once nobody plays on it (docs/design.md, "Game builds in the panel"); kScheduledRestart is a
// server's daily restart, once it is empty or at its maximum wait (docs/design.md, "Scheduled restarts").
// kRefreshWorkshop brings Workshop overlays up to date (one, or all of them: docs/design.md, "Workshop overlays").
enum class JobType {
  kStart,
  kStop,
  kRestart,
  kDelete,
  kInstall,
  kCheckUpdate,
  kSwitchBuild,
  kScheduledRestart,
  kRefreshManaged,  // a managed global overlay fetched again from its source (managed_overlays.h)
  kRefreshWorkshop,
  kBuildOverlay,  // a script overlay's script run in the sandbox by `l4d2ctl build-overlay` (script_overlays.h)
};

// Where one item of a Workshop overlay stands (workshop_lists.h): waiting for its download in the running refresh,
// downloading, in the cache and linked, or failed (with the reason; an earlier copy, if any, stays linked).
enum class WorkshopItemState { kQueued, kDownloading, kOk, kFailed };

// The role a server's owner (or an administrator, or a manager) grants another user on that one server, each
// allowing what the one before it does and more (docs/design.md, "Sharing a server"); ordered from least to most.
enum class ShareRole { kViewer, kOperator, kManager };

// What happened to a server, in its history (server_events.h): started, stopped or restarted by a user's job, or
// noticed on the host by the status cache: a crash (the supervisor restarted it), an automatic restart after a
// hang (the health monitor), the server ending failed.
enum class ServerEventKind { kStarted, kStopped, kRestarted, kCrash, kAutoRestart, kFailed };

// What a webhook may be sent for (webhooks.h): three of the server events, a failed job, and the admin page's test.
enum class AlertEvent { kCrash, kAutoRestart, kFailed, kJobFailed, kTest };

std::string_view to_string(ServerState state);
std::string_view to_string(JobState state);
std::string_view to_string(JobType type);
std::string_view to_string(ShareRole role);
std::string_view to_string(ServerEventKind kind);
std::string_view to_string(AlertEvent event);
std::string_view to_string(WorkshopItemState state);
// The value a name stands for; nullopt for any other text.
std::optional<ServerState> parse_server_state(std::string_view text);
std::optional<JobState> parse_job_state(std::string_view text);
std::optional<JobType> parse_job_type(std::string_view text);
std::optional<ShareRole> parse_share_role(std::string_view text);
std::optional<ServerEventKind> parse_server_event_kind(std::string_view text);
std::optional<AlertEvent> parse_alert_event(std::string_view text);
std::optional<WorkshopItemState> parse_workshop_item_state(std::string_view text);

// Every value, in the enum's order (the order the pages offer job states in).
std::span<const ServerState> all_server_states();
std::span<const JobState> all_job_states();
std::span<const JobType> all_job_types();
std::span<const ShareRole> all_share_roles();
std::span<const AlertEvent> all_alert_events();

// The server's process is there (starting or running): stop and restart apply, start does not.
bool is_up(ServerState state);
// The job has not ended yet (queued or running).
bool is_pending(JobState state);

}  // namespace left4me::web
