// web_sse_bench: N viewers follow one server's console over server-sent events while a writer appends
// lines at a fixed rate to the log the follower tails; reports delivery (every line to every viewer),
// latency percentiles, and the web app's peak RSS. With a rate of 0 the viewers only hold their streams
// for the given seconds (heartbeats only) and it reports how many are open and got a heartbeat, and the app's
// RSS then. Raises its own soft RLIMIT_NOFILE to the hard limit (one socket per viewer). Usage:
//   web_sse_bench <port> <path> <cookie> <log-file> <viewers> <lines-per-second> <seconds> <server-pid>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

long long now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Viewer {
  int fd = -1;
  std::string pending;
  long long received = 0;
};

// A field of /proc/<pid>/status in kB: "VmHWM:" (peak RSS) or "VmRSS:".
long long status_kb(int pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field, 0) == 0) return std::atoll(line.c_str() + field.size());
  }
  return -1;
}

// Idle streams: every viewer holds its stream for `seconds`; counts those still open that got at
// least one heartbeat.
int hold(std::vector<Viewer>& all, int epoll, int seconds, int server_pid) {
  std::vector<long long> heartbeats(all.size(), 0);
  std::vector<bool> closed(all.size(), false);
  std::vector<epoll_event> events(1024);
  char buffer[65536];
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    int ready = epoll_wait(epoll, events.data(), static_cast<int>(events.size()), 200);
    for (int e = 0; e < ready; ++e) {
      std::uint32_t index = events[static_cast<size_t>(e)].data.u32;
      Viewer& viewer = all[index];
      for (;;) {
        ssize_t n = read(viewer.fd, buffer, sizeof buffer);
        if (n == 0) {
          closed[index] = true;
          epoll_ctl(epoll, EPOLL_CTL_DEL, viewer.fd, nullptr);
        }
        if (n <= 0) break;
        viewer.pending.append(buffer, static_cast<size_t>(n));
      }
      for (size_t at = viewer.pending.find(": heartbeat"); at != std::string::npos;
           at = viewer.pending.find(": heartbeat", at + 1)) {
        ++heartbeats[index];
      }
      viewer.pending.erase(0, viewer.pending.rfind('\n') == std::string::npos ? 0 : viewer.pending.rfind('\n') + 1);
    }
  }
  long long open = 0, beating = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    if (!closed[i]) ++open;
    if (!closed[i] && heartbeats[i] > 0) ++beating;
  }
  std::printf("idle viewers=%zu seconds=%d open=%lld with_heartbeat=%lld server_rss_mb=%.1f server_peak_rss_mb=%.1f\n",
              all.size(), seconds, open, beating, static_cast<double>(status_kb(server_pid, "VmRSS:")) / 1024.0,
              static_cast<double>(status_kb(server_pid, "VmHWM:")) / 1024.0);
  return beating == static_cast<long long>(all.size()) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 9) {
    std::fprintf(stderr, "usage: web_sse_bench port path cookie log viewers rate seconds server-pid\n");
    return 2;
  }
  int port = std::atoi(argv[1]);
  std::string path = argv[2], cookie = argv[3], log_file = argv[4];
  int viewers = std::atoi(argv[5]), rate = std::atoi(argv[6]), seconds = std::atoi(argv[7]);
  int server_pid = std::atoi(argv[8]);
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  setrlimit(RLIMIT_NOFILE, &files);
  if (static_cast<rlim_t>(viewers) + 16 > files.rlim_cur) {
    std::fprintf(stderr, "web_sse_bench: %d viewers need more than the %llu open files allowed (ulimit -n)\n", viewers,
                 static_cast<unsigned long long>(files.rlim_cur));
    return 2;
  }
  int epoll = epoll_create1(0);
  std::vector<Viewer> all(static_cast<size_t>(viewers));
  std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + cookie + "\r\n\r\n";
  for (int i = 0; i < viewers; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      std::perror("connect");
      return 1;
    }
    if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) return 1;
    fcntl(fd, F_SETFL, O_NONBLOCK);
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u32 = static_cast<uint32_t>(i);
    epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
    all[static_cast<size_t>(i)].fd = fd;
  }
  if (rate == 0) return hold(all, epoll, seconds, server_pid);
  std::vector<long long> latencies;
  latencies.reserve(static_cast<size_t>(viewers) * static_cast<size_t>(rate) * static_cast<size_t>(seconds));
  std::atomic<bool> writing{true};
  long long total_lines = static_cast<long long>(rate) * seconds;
  std::this_thread::sleep_for(std::chrono::seconds(1));  // let every viewer get its backlog first
  std::thread writer([&] {
    std::FILE* log = std::fopen(log_file.c_str(), "a");
    auto start = std::chrono::steady_clock::now();
    for (long long i = 0; i < total_lines; ++i) {
      std::this_thread::sleep_until(start + std::chrono::microseconds(1000000 / rate) * i);
      std::fprintf(log, "bench %lld %lld\n", now_ns(), i);
      std::fflush(log);
    }
    std::fclose(log);
    writing = false;
  });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds + 10);
  std::vector<epoll_event> events(1024);
  char buffer[65536];
  long long delivered = 0, expected = total_lines * viewers;
  while (delivered < expected && std::chrono::steady_clock::now() < deadline) {
    int ready = epoll_wait(epoll, events.data(), static_cast<int>(events.size()), 200);
    for (int e = 0; e < ready; ++e) {
      Viewer& viewer = all[events[static_cast<size_t>(e)].data.u32];
      for (;;) {
        ssize_t n = read(viewer.fd, buffer, sizeof buffer);
        if (n <= 0) break;
        viewer.pending.append(buffer, static_cast<size_t>(n));
      }
      long long arrived = now_ns();
      size_t start = 0;
      for (;;) {
        size_t found = viewer.pending.find("data: bench ", start);
        if (found == std::string::npos) break;
        size_t end = viewer.pending.find('\n', found);
        if (end == std::string::npos) break;
        long long sent = std::atoll(viewer.pending.c_str() + found + 12);
        latencies.push_back(arrived - sent);
        ++viewer.received;
        ++delivered;
        start = end + 1;
      }
      viewer.pending.erase(0, viewer.pending.rfind('\n') == std::string::npos ? 0 : viewer.pending.rfind('\n') + 1);
    }
  }
  writer.join();
  std::sort(latencies.begin(), latencies.end());
  auto percentile = [&](double p) {
    if (latencies.empty()) return 0.0;
    return static_cast<double>(latencies[static_cast<size_t>(p * static_cast<double>(latencies.size() - 1))]) / 1e6;
  };
  long long complete =
      std::count_if(all.begin(), all.end(), [&](const Viewer& v) { return v.received == total_lines; });
  std::printf(
      "viewers=%d rate=%d/s seconds=%d delivered=%lld/%lld complete_viewers=%lld "
      "p50_ms=%.2f p99_ms=%.2f max_ms=%.2f server_peak_rss_mb=%.1f\n",
      viewers, rate, seconds, delivered, expected, complete, percentile(0.5), percentile(0.99), percentile(1.0),
      static_cast<double>(status_kb(server_pid, "VmHWM:")) / 1024.0);
  return delivered == expected ? 0 : 1;
}
