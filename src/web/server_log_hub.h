// ServerLogHub: one `l4d2ctl logs <name> --follow` process per watched server, shared by all its
// viewers (fan-out), with a backlog of recent lines for new viewers. The follower stops when the last
// viewer has gone (noticed on the next write or heartbeat). Each viewer is known by their user, so a revoked share
// ends theirs (end_streams). Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/subprocess.h"
#include "web/ctl.h"
#include "web/http.h"
#include "web/servers.h"

namespace left4me::web {

class ServerLogHub {
 public:
  // The Ctl of a host (HostCtls::get): where a console's follower runs.
  using HostCtl = std::function<Result<std::shared_ptr<const Ctl>>(std::int64_t host_id)>;
  ServerLogHub(HostCtl host_ctl, std::size_t backlog_lines)
      : host_ctl_(std::move(host_ctl)), backlog_lines_(backlog_lines) {}
  ~ServerLogHub();

  // Sends the backlog, then every new console line of the instance on the host as a server-sent event, to the
  // user's sink (instance names are unique across hosts).
  void subscribe(const std::string& name, std::int64_t host_id, std::int64_t user_id,
                 const std::shared_ptr<EventSink>& sink);
  // Ends the user's streams of the instance's console (`event: end` saying why); the others go on. Returns how
  // many ended.
  std::size_t end_streams(const std::string& name, std::int64_t user_id, std::string_view why);
  // Pings every viewer, drops gone ones, stops followers nobody watches.
  void heartbeat();
  // How many follower processes run (for tests and /health).
  std::size_t follower_count();
  // Shutdown: ends every viewer's stream and stops the followers; later subscribers are turned away.
  void stop_all();
  // How long the reader gathers lines after the first of a batch, for a console with this many viewers: 20 ms up
  // to 1,000 viewers, 10 ms more for each further 1,000 (or part), at most 60 ms (docs/design.md, "Live logs").
  static std::chrono::milliseconds batch_window(std::size_t viewers);

 private:
  struct Viewer {
    std::int64_t user_id = 0;
    std::shared_ptr<EventSink> sink;
  };
  struct Follower {
    std::mutex mutex;
    std::deque<std::string> backlog;  // ready-made events
    std::vector<Viewer> viewers;
    std::unique_ptr<Subprocess> process;
    std::thread reader;
    bool ended = false;
  };
  void read_loop(Follower* follower);
  // Turns the complete lines of pending into events (kept in the backlog) and sends them as one batch.
  void publish(Follower* follower, std::string& pending);
  void retire(std::shared_ptr<Follower> follower);

  HostCtl host_ctl_;
  std::size_t backlog_lines_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Follower>> followers_;
  bool stopped_ = false;
};

// Follows the server's console when the panel manages its host instance. Otherwise sends one line saying the
// server has not been started yet and ends the stream (`event: end`): the console of a host instance the panel
// does not manage (one of that name made with the CLI) is never shown.
void subscribe_console(ServerLogHub& hub, const Server& server, std::int64_t user_id,
                       const std::shared_ptr<EventSink>& sink);

}  // namespace left4me::web
