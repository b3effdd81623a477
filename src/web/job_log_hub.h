// JobLogHub: stores each job output line and streams it to viewers as server-sent events (id = line
// number), so a viewer reconnecting with Last-Event-ID misses nothing. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "web/http.h"
#include "web/jobs.h"

namespace left4me::web {

// "id: <id>\ndata: <text>\n\n" (text must not hold newlines).
std::string sse_event(std::string_view event, std::string_view id, std::string_view data);

class JobLogHub {
 public:
  explicit JobLogHub(Jobs& jobs) : jobs_(jobs) {}

  // The runner starts producing output for a job.
  void begin(std::int64_t job_id);
  // Stores a line (the next line number) and sends it to the job's viewers.
  Status publish(std::int64_t job_id, const std::string& line);
  // After the job's final state is stored: tells viewers ("event: end") and closes their streams.
  void end(std::int64_t job_id, JobState state);
  // Sends the stored lines after last_seq, then live lines until the job ends; an ended job's stream
  // closes after its lines.
  void subscribe(std::int64_t job_id, std::int64_t last_seq, const std::shared_ptr<EventSink>& sink);
  // Sends a comment to every viewer and forgets closed ones.
  void heartbeat();
  // Shutdown: ends every viewer's stream without an end event (browsers reconnect with Last-Event-ID);
  // later viewers get the stored lines only.
  void close_all();
  std::size_t viewer_count();

 private:
  struct Entry {
    std::int64_t next_seq = 1;
    bool running = false;
    std::vector<std::shared_ptr<EventSink>> sinks;
  };
  Jobs& jobs_;
  std::mutex mutex_;
  std::map<std::int64_t, Entry> entries_;
  bool closing_ = false;
};

}  // namespace left4me::web
