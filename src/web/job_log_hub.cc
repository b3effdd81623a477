#include "web/job_log_hub.h"

#include <fmt/format.h>

#include <algorithm>

namespace left4me::web {
std::string sse_event(std::string_view event, std::string_view id, std::string_view data) {
  std::string out;
  if (!event.empty()) out += fmt::format("event: {}\n", event);
  if (!id.empty()) out += fmt::format("id: {}\n", id);
  out += "data: ";
  out += data;
  out += "\n\n";
  return out;
}

void JobLogHub::begin(std::int64_t job_id) {
  std::lock_guard<std::mutex> guard(mutex_);
  Entry& entry = entries_[job_id];
  entry.running = true;
  Result<std::vector<JobLine>> stored = jobs_.lines_after(job_id, 0);
  entry.next_seq = stored && !stored->empty() ? stored->back().seq + 1 : 1;
}

Status JobLogHub::publish(std::int64_t job_id, const std::string& line) {
  std::lock_guard<std::mutex> guard(mutex_);
  Entry& entry = entries_[job_id];
  std::int64_t seq = entry.next_seq++;
  Status stored = jobs_.append_line(job_id, seq, line);
  auto event = std::make_shared<const std::string>(sse_event("", std::to_string(seq), line));
  for (const auto& sink : entry.sinks) sink->send_shared(event);
  return stored;
}

void JobLogHub::end(std::int64_t job_id, JobState state) {
  std::vector<std::shared_ptr<EventSink>> sinks;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = entries_.find(job_id);
    if (it == entries_.end()) return;
    sinks = std::move(it->second.sinks);
    entries_.erase(it);
  }
  std::string event = sse_event("end", "", to_string(state));
  for (const auto& sink : sinks) {
    sink->send(event);
    sink->close();
  }
}

void JobLogHub::subscribe(std::int64_t job_id, std::int64_t last_seq, const std::shared_ptr<EventSink>& sink) {
  std::lock_guard<std::mutex> guard(mutex_);
  // Read the state under the hub lock: the runner stores the final state before end() takes this lock,
  // so either we see the job ended or end() sees this viewer.
  Result<Job> job = jobs_.get(job_id, Scope{0, true});
  Result<std::vector<JobLine>> lines = jobs_.lines_after(job_id, last_seq);
  if (!job || !lines) {
    sink->send(sse_event("error", "", "cannot read the job log"));
    sink->close();
    return;
  }
  std::string backlog;
  for (const JobLine& line : *lines) backlog += sse_event("", std::to_string(line.seq), line.line);
  if (!backlog.empty()) sink->send(std::move(backlog));
  if (!is_pending(job->state)) {
    sink->send(sse_event("end", "", to_string(job->state)));
    sink->close();
    return;
  }
  if (closing_) {
    sink->close();
    return;
  }
  entries_[job_id].sinks.push_back(sink);
}

void JobLogHub::close_all() {
  std::vector<std::shared_ptr<EventSink>> sinks;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    closing_ = true;
    for (auto& [id, entry] : entries_) {
      sinks.insert(sinks.end(), entry.sinks.begin(), entry.sinks.end());
      entry.sinks.clear();
    }
  }
  for (const auto& sink : sinks) sink->close();
}

void JobLogHub::heartbeat() {
  static const auto heartbeat = std::make_shared<const std::string>(": heartbeat\n\n");
  std::lock_guard<std::mutex> guard(mutex_);
  for (auto it = entries_.begin(); it != entries_.end();) {
    auto& sinks = it->second.sinks;
    std::erase_if(sinks, [](const auto& sink) { return !sink->send_shared(heartbeat); });
    if (sinks.empty() && !it->second.running) {
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
}

std::size_t JobLogHub::viewer_count() {
  std::lock_guard<std::mutex> guard(mutex_);
  std::size_t count = 0;
  for (const auto& [id, entry] : entries_) count += entry.sinks.size();
  return count;
}

}  // namespace left4me::web
