#include "web/server_log_hub.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <poll.h>

#include <cerrno>
#include <chrono>

#include "base/log.h"
#include "web/job_log_hub.h"

namespace left4me::web {
namespace {

constexpr std::chrono::milliseconds kBatchWindow{20};

}  // namespace

ServerLogHub::~ServerLogHub() { stop_all(); }

void ServerLogHub::subscribe(const std::string& name, std::int64_t user_id, const std::shared_ptr<EventSink>& sink) {
  std::shared_ptr<Follower> follower;
  std::shared_ptr<Follower> old;  // an ended follower, replaced
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (stopped_) {
      sink->close();
      return;
    }
    auto it = followers_.find(name);
    if (it != followers_.end()) {
      std::lock_guard<std::mutex> follower_guard(it->second->mutex);
      if (!it->second->ended) {
        std::string backlog;
        for (const std::string& event : it->second->backlog) backlog += event;
        if (!backlog.empty()) sink->send(std::move(backlog));
        it->second->viewers.push_back(Viewer{user_id, sink});
        return;
      }
    }
    follower = std::make_shared<Follower>();
    Result<Subprocess> process = ctl_.follow_logs(name, static_cast<int>(backlog_lines_));
    if (!process) {
      sink->send(sse_event("error", "", process.error().message()));
      sink->close();
      return;
    }
    follower->process = std::make_unique<Subprocess>(std::move(*process));
    follower->viewers.push_back(Viewer{user_id, sink});
    if (it != followers_.end()) {
      old = it->second;
      followers_.erase(it);
    }
    followers_[name] = follower;
    follower->reader = std::thread([this, raw = follower.get()] { read_loop(raw); });
  }
  if (old) retire(old);
}

void ServerLogHub::read_loop(Follower* follower) {
  int fd = follower->process->stdout_fd();
  std::string pending;
  char buffer[16384];
  for (;;) {
    ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    pending.append(buffer, static_cast<size_t>(got));
    // Gather what else arrives within a short window: one write per viewer per batch instead of per line
    // keeps 1,000 viewers of a chatty server cheap, for at most kBatchWindow more latency.
    auto batch_end = std::chrono::steady_clock::now() + kBatchWindow;
    bool eof = false;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(batch_end - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd poll_fd{fd, POLLIN, 0};
      if (::poll(&poll_fd, 1, static_cast<int>(left.count())) <= 0) break;
      ssize_t more = ::read(fd, buffer, sizeof buffer);
      if (more <= 0) {
        eof = more == 0 || errno != EINTR;
        break;
      }
      pending.append(buffer, static_cast<size_t>(more));
    }
    std::string events;
    size_t start = 0;
    for (;;) {
      size_t end = pending.find_first_of("\r\n", start);
      if (end == std::string::npos) break;
      if (end > start) {
        std::string event = sse_event("", "", std::string_view(pending).substr(start, end - start));
        events += event;
        std::lock_guard<std::mutex> guard(follower->mutex);
        follower->backlog.push_back(std::move(event));
        while (follower->backlog.size() > backlog_lines_) follower->backlog.pop_front();
      }
      start = end + 1;
    }
    pending.erase(0, start);
    if (events.empty()) continue;
    std::lock_guard<std::mutex> guard(follower->mutex);
    // One write per read for every viewer: batches lines that arrive together.
    for (const Viewer& viewer : follower->viewers) viewer.sink->send(events);
    if (eof) break;
  }
  std::lock_guard<std::mutex> guard(follower->mutex);
  follower->ended = true;
  for (const Viewer& viewer : follower->viewers) {
    viewer.sink->send(sse_event("end", "", "the log follower ended"));
    viewer.sink->close();
  }
  follower->viewers.clear();
}

void ServerLogHub::retire(std::shared_ptr<Follower> follower) {
  if (follower->process && !follower->process->finished()) {
    (void)follower->process->signal_group(SIGTERM);
  }
  if (follower->reader.joinable()) follower->reader.join();
  if (follower->process) (void)follower->process->terminate(SIGTERM, std::chrono::seconds(2));
}

void ServerLogHub::heartbeat() {
  std::vector<std::shared_ptr<Follower>> idle;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    for (auto it = followers_.begin(); it != followers_.end();) {
      Follower& follower = *it->second;
      bool empty;
      {
        std::lock_guard<std::mutex> follower_guard(follower.mutex);
        for (const Viewer& viewer : follower.viewers) viewer.sink->send(": heartbeat\n\n");
        std::erase_if(follower.viewers, [](const Viewer& viewer) { return viewer.sink->closed(); });
        empty = follower.viewers.empty();
      }
      if (empty) {
        idle.push_back(it->second);
        it = followers_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& follower : idle) retire(follower);
}

std::size_t ServerLogHub::end_streams(const std::string& name, std::int64_t user_id, std::string_view why) {
  std::shared_ptr<Follower> follower;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = followers_.find(name);
    if (it == followers_.end()) return 0;
    follower = it->second;
  }
  // The follower itself stays: the heartbeat stops it once nobody watches.
  std::lock_guard<std::mutex> guard(follower->mutex);
  std::size_t ended = std::erase_if(follower->viewers, [&](const Viewer& viewer) {
    if (viewer.user_id != user_id) return false;
    viewer.sink->send(sse_event("end", "", why));
    viewer.sink->close();
    return true;
  });
  return ended;
}

std::size_t ServerLogHub::follower_count() {
  std::lock_guard<std::mutex> guard(mutex_);
  return followers_.size();
}

void ServerLogHub::stop_all() {
  std::map<std::string, std::shared_ptr<Follower>> all;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    stopped_ = true;
    all.swap(followers_);
  }
  for (auto& [name, follower] : all) {
    {
      std::lock_guard<std::mutex> guard(follower->mutex);
      for (const Viewer& viewer : follower->viewers) viewer.sink->close();
    }
    retire(follower);
  }
}

void subscribe_console(ServerLogHub& hub, const Server& server, std::int64_t user_id,
                       const std::shared_ptr<EventSink>& sink) {
  if (std::optional<std::string> instance = server.managed_instance()) {
    hub.subscribe(*instance, user_id, sink);
    return;
  }
  // Ends as a follower that exits does (`event: end`), so pages reconnect after a while, not at once.
  sink->send(sse_event("", "", "this server has not been started yet") +
             sse_event("end", "", "the server has no console yet"));
  sink->close();
}

}  // namespace left4me::web
