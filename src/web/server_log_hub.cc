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

// Reads what else arrives on fd within `window` after the first read (appended to pending); true at end of file.
bool gather_batch(int fd, std::string& pending, std::chrono::milliseconds window) {
  char buffer[16384];
  auto batch_end = std::chrono::steady_clock::now() + window;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(batch_end - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd poll_fd{fd, POLLIN, 0};
    if (::poll(&poll_fd, 1, static_cast<int>(left.count())) <= 0) return false;
    ssize_t more = ::read(fd, buffer, sizeof buffer);
    if (more <= 0) return more == 0 || errno != EINTR;
    pending.append(buffer, static_cast<size_t>(more));
  }
}

}  // namespace

std::chrono::milliseconds ServerLogHub::batch_window(std::size_t viewers) {
  constexpr std::size_t kBase = 20, kStep = 10, kMost = 60;  // ms; +kStep per 1,000 viewers past the first 1,000
  std::size_t extra = viewers > 1000 ? (viewers - 1000 + 999) / 1000 * kStep : 0;
  return std::chrono::milliseconds(std::min(kBase + extra, kMost));
}

ServerLogHub::~ServerLogHub() { stop_all(); }

void ServerLogHub::subscribe(const std::string& name, std::int64_t host_id, std::int64_t user_id,
                             const std::shared_ptr<EventSink>& sink) {
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
    Result<std::shared_ptr<const Ctl>> ctl = host_ctl_(host_id);
    Result<Subprocess> process =
        ctl ? (*ctl)->follow_logs(name, static_cast<int>(backlog_lines_)) : Result<Subprocess>(ctl.error());
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
    // Gather what else arrives within the batch window: one write per viewer per batch instead of per line.
    std::size_t viewers;
    {
      std::lock_guard<std::mutex> guard(follower->mutex);
      viewers = follower->viewers.size();
    }
    bool eof = gather_batch(fd, pending, batch_window(viewers));
    publish(follower, pending);
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

void ServerLogHub::publish(Follower* follower, std::string& pending) {
  std::string events;
  std::vector<std::string> lines;
  size_t start = 0;
  for (;;) {
    size_t end = pending.find_first_of("\r\n", start);
    if (end == std::string::npos) break;
    if (end > start) {
      lines.push_back(sse_event("", "", std::string_view(pending).substr(start, end - start)));
      events += lines.back();
    }
    start = end + 1;
  }
  pending.erase(0, start);
  if (lines.empty()) return;
  // One buffer for the batch, shared by every viewer's connection (no copy per viewer).
  auto batch = std::make_shared<const std::string>(std::move(events));
  std::lock_guard<std::mutex> guard(follower->mutex);
  for (std::string& line : lines) follower->backlog.push_back(std::move(line));
  while (follower->backlog.size() > backlog_lines_) follower->backlog.pop_front();
  // A viewer whose stream is gone or fell too far behind (send fails) is dropped here.
  std::erase_if(follower->viewers, [&](const Viewer& viewer) { return !viewer.sink->send_shared(batch); });
}

void ServerLogHub::retire(std::shared_ptr<Follower> follower) {
  if (follower->process && !follower->process->finished()) {
    (void)follower->process->signal_group(SIGTERM);
  }
  if (follower->reader.joinable()) follower->reader.join();
  if (follower->process) (void)follower->process->terminate(SIGTERM, std::chrono::seconds(2));
}

void ServerLogHub::heartbeat() {
  static const auto heartbeat = std::make_shared<const std::string>(": heartbeat\n\n");
  std::vector<std::shared_ptr<Follower>> idle;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    for (auto it = followers_.begin(); it != followers_.end();) {
      Follower& follower = *it->second;
      bool empty;
      {
        std::lock_guard<std::mutex> follower_guard(follower.mutex);
        std::erase_if(follower.viewers, [&](const Viewer& viewer) { return !viewer.sink->send_shared(heartbeat); });
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
    hub.subscribe(*instance, server.host_id, user_id, sink);
    return;
  }
  // Ends as a follower that exits does (`event: end`), so pages reconnect after a while, not at once.
  sink->send(sse_event("", "", "this server has not been started yet") +
             sse_event("end", "", "the server has no console yet"));
  sink->close();
}

}  // namespace left4me::web
