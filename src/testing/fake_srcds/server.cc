#include "testing/fake_srcds/server.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "base/file.h"
#include "base/strings.h"
#include "testing/fake_srcds/a2s_server.h"
#include "testing/fake_srcds/game.h"
#include "testing/fake_srcds/rcon_server.h"

namespace left4me::fake_srcds {
namespace {

constexpr std::string_view kDefaultMap = "c1m1_hotel";
// How long a quit waits for queued RCON replies to go out.
constexpr std::chrono::milliseconds kQuitFlushLimit(1000);

struct Sockets {
  UniqueFd udp;
  UniqueFd tcp;
};

// Binds UDP and TCP on ip:port like NET_OpenSocket; on failure returns the errno.
std::optional<int> bind_sockets(const Options& options, Sockets& sockets) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(options.port);
  if (::inet_pton(AF_INET, options.ip.c_str(), &address.sin_addr) != 1) return EADDRNOTAVAIL;
  sockets.udp.reset(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  sockets.tcp.reset(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!sockets.udp.valid() || !sockets.tcp.valid()) return errno;
  int one = 1;
  ::setsockopt(sockets.tcp.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const auto* raw = reinterpret_cast<const sockaddr*>(&address);
  if (::bind(sockets.udp.get(), raw, sizeof address) != 0) return errno;
  if (::bind(sockets.tcp.get(), raw, sizeof address) != 0) return errno;
  if (::listen(sockets.tcp.get(), 16) != 0) return errno;
  return std::nullopt;
}

void print_bind_failure(Console& console, int error) {
  console.print(fmt::format("WARNING: NNET_OpenSocket: bind: {}", std::strerror(error)));
  console.print("Couldn't allocate any server IP port");
}

[[noreturn]] void crash(int signal_number) {
  if (signal_number == SIGABRT) std::abort();
  std::signal(signal_number, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, signal_number);
  ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
  ::raise(signal_number);
  std::abort();  // not reached
}

// The event loop's state and steps.
class Server {
 public:
  Server(const Options& options, Console& console, Clock::time_point started, UniqueFd signals)
      : options_(options),
        console_(console),
        started_(started),
        signals_(std::move(signals)),
        game_(options, console, started) {}

  int run();

 private:
  void print_lines(std::string_view text);
  void print_steam_client_failure();
  void answer_a2s();
  void apply_game_requests();
  // Runs the game's tick if it is due: the configured work, measured against the schedule.
  void run_tick();
  // The time poll() may sleep until, nullopt: until something happens.
  std::optional<Clock::time_point> next_deadline() const;
  int shut_down(std::string_view reason);

  const Options& options_;
  Console& console_;
  Clock::time_point started_;
  UniqueFd signals_;
  Game game_;
  Sockets sockets_;
  std::optional<A2sServer> a2s_;
  std::optional<RconServer> rcon_;
  bool loaded_ = false;
  bool hung_ = false;
  std::optional<MapChange> pending_change_;
  Clock::time_point quiet_until_;
  std::optional<Clock::time_point> quit_deadline_;
};

// What srcds prints when it cannot load ~/.steam/sdk32/steamclient.so (protocols.md §3.1, §3.4); it then
// runs in LAN mode only: no Steam logon, whatever sv_lan says.
void Server::print_steam_client_failure() {
  console_.print("dlopen failed trying to load:");
  console_.print(options_.steam_client);
  console_.print("with error:");
  console_.print(options_.steam_client + ": cannot open shared object file: No such file or directory");
  console_.print("[S_API FAIL] SteamAPI_Init() failed; SteamAPI_IsSteamRunning() failed.");
  console_.print("**********************************************");
  console_.print("*  Unable to load Steam support library.     *");
  console_.print("*  This server will operate in LAN mode only.*");
  console_.print("**********************************************");
}

void Server::print_lines(std::string_view text) {
  for (const std::string& line : split(text, '\n')) {
    if (!line.empty()) console_.print(line);
  }
}

int Server::run() {
  console_.print("#Console initialized.");
  console_.print("#Using breakpad minidump system");
  console_.print("#Game_srv.so loaded for \"Left 4 Dead 2\"");
  console_.print("Server is hibernating");
  if (!options_.steam_client_found) print_steam_client_failure();
  for (const StartupCommand& command : options_.commands) print_lines(game_.execute(command.line));
  console_.print("Game supporting (2) split screen players");
  console_.print(fmt::format("maxplayers set to {}", options_.maxplayers.value_or(18)));

  if (options_.faults.bind_fail) {
    print_bind_failure(console_, EADDRNOTAVAIL);
    return 1;
  }
  if (auto error = bind_sockets(options_, sockets_)) {
    print_bind_failure(console_, *error);
    return 1;
  }
  console_.print(
      fmt::format("Network: IP {}, mode MP, dedicated Yes, ports {} SV / 27005 CL", options_.ip, options_.port));
  a2s_.emplace(game_, options_.faults.no_challenge ? InfoChallenge::kOff : InfoChallenge::kRequired);
  rcon_.emplace(game_, console_, std::move(sockets_.tcp));

  std::vector<pollfd> fds;
  while (true) {
    auto now = Clock::now();
    if (options_.faults.crash_after && now >= started_ + *options_.faults.crash_after) {
      crash(options_.faults.crash_signal);
    }
    if (!hung_ && options_.faults.hang_after && now >= started_ + *options_.faults.hang_after) hung_ = true;
    if (!loaded_ && now >= started_ + options_.faults.start_delay) {
      loaded_ = true;
      MapChange first{.map = options_.map.empty() ? std::string(kDefaultMap) : options_.map, .mode = options_.mode};
      if (game_.map_exists(first.map)) {
        game_.load_map(first, true);
      } else {
        console_.print(fmt::format("map load failed: {} not found or invalid", first.map));
      }
    }
    if (!hung_) run_tick();
    // Map changes and quit asked for by RCON, a cfg or the command line.
    apply_game_requests();
    if (pending_change_ && now >= quiet_until_) game_.load_map(*std::exchange(pending_change_, std::nullopt), false);
    if (quit_deadline_ && (!rcon_->has_pending_output() || now >= *quit_deadline_)) return shut_down("quit");

    // A hung server polls nothing but its (ignored) signals; a loading one drains A2S without answering.
    fds.clear();
    fds.push_back({.fd = signals_.get(), .events = POLLIN, .revents = 0});
    fds.push_back({.fd = hung_ ? -1 : sockets_.udp.get(), .events = POLLIN, .revents = 0});
    size_t rcon_first = fds.size();
    if (!hung_) rcon_->add_poll_fds(fds, loaded_ && !quit_deadline_);

    // ppoll, not poll: a tick at 100 tick is due every 10 ms, and poll's millisecond timeout alone would
    // make it up to a millisecond late.
    timespec wait_for{.tv_sec = 60, .tv_nsec = 0};
    if (auto deadline = next_deadline()) {
      auto wait =
          std::clamp<Clock::duration>(*deadline - Clock::now(), Clock::duration::zero(), std::chrono::seconds(60));
      auto seconds = std::chrono::duration_cast<std::chrono::seconds>(wait);
      wait_for = {.tv_sec = seconds.count(), .tv_nsec = std::chrono::nanoseconds(wait - seconds).count()};
    }
    int ready = ::ppoll(fds.data(), fds.size(), &wait_for, nullptr);
    if (ready < 0 && errno != EINTR) {
      console_.print(fmt::format("poll: {}", std::strerror(errno)));
      return 1;
    }
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info{};
      if (::read(signals_.get(), &info, sizeof info) == sizeof info && !hung_) {
        return shut_down(info.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
      }
    }
    if (fds[1].revents & POLLIN) answer_a2s();
    if (!hung_) rcon_->handle_events(fds, rcon_first);
  }
}

void Server::answer_a2s() {
  bool answering = loaded_ && !pending_change_ && !quit_deadline_ && game_.has_map();
  char buffer[2048];
  while (true) {
    sockaddr_in from{};
    socklen_t length = sizeof from;
    ssize_t n = ::recvfrom(sockets_.udp.get(), buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from), &length);
    if (n < 0) return;
    if (!answering) continue;
    uint64_t client = (uint64_t{from.sin_addr.s_addr} << 16) | from.sin_port;
    for (const std::string& reply : a2s_->handle(std::string_view(buffer, static_cast<size_t>(n)), client)) {
      ::sendto(sockets_.udp.get(), reply.data(), reply.size(), 0, reinterpret_cast<const sockaddr*>(&from), length);
    }
  }
}

void Server::run_tick() {
  TickMeter& ticks = game_.ticks();
  auto now = Clock::now();
  if (now < ticks.next_tick()) return;
  ticks.tick(now);
  // The simulated game's work: CPU time, as a busy wait (a sleep would not compete for the core).
  auto busy_until = now + options_.faults.tick_work;
  while (Clock::now() < busy_until) {
  }
}

void Server::apply_game_requests() {
  if (auto change = game_.take_map_change()) {
    if (options_.faults.mapchange_quiet.count() > 0) {
      pending_change_ = *change;
      quiet_until_ = Clock::now() + options_.faults.mapchange_quiet;
    } else {
      game_.load_map(*change, false);
    }
  }
  if (game_.quit_requested() && !quit_deadline_) quit_deadline_ = Clock::now() + kQuitFlushLimit;
}

std::optional<Clock::time_point> Server::next_deadline() const {
  std::optional<Clock::time_point> next;
  auto consider = [&next](Clock::time_point when) {
    if (!next || when < *next) next = when;
  };
  if (options_.faults.crash_after) consider(started_ + *options_.faults.crash_after);
  if (!hung_ && options_.faults.hang_after) consider(started_ + *options_.faults.hang_after);
  if (!loaded_) consider(started_ + options_.faults.start_delay);
  if (pending_change_) consider(quiet_until_);
  if (quit_deadline_) consider(*quit_deadline_);
  if (!hung_) consider(game_.ticks().next_tick());
  if (!hung_) {
    if (auto due = rcon_->next_due()) consider(*due);
  }
  return next;
}

int Server::shut_down(std::string_view reason) {
  console_.print(fmt::format("Server shutting down ({})", reason));
  if (!options_.pidfile.empty()) ::unlink(options_.pidfile.c_str());
  return 0;
}

}  // namespace

int run_server(const Options& options) {
  Clock::time_point started = Clock::now();
  // SIGINT/SIGTERM arrive through a signalfd so the loop handles them between steps (and a hung server,
  // which never reads them, ignores them). SIGPIPE is not wanted: every send uses MSG_NOSIGNAL anyway.
  std::signal(SIGPIPE, SIG_IGN);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  ::sigprocmask(SIG_BLOCK, &set, nullptr);
  UniqueFd signals(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));

  if (!is_directory(options.game)) {
    std::printf("ERROR: Invalid game type '%s' sepecified.\n", options.game.c_str());  // sic, as srcds_run
    return 1;
  }
  Console console(options.condebug ? options.game + "/console.log" : "");
  if (options.map.empty()) console.print("WARNING: No map specified! Defaulting to c1m1_hotel");
  if (!options.pidfile.empty()) {
    if (auto status = write_file_atomic(options.pidfile, fmt::format("{}\n", ::getpid())); !status.ok()) {
      console.print(fmt::format("pidfile: {}", status.error().message()));
    }
  }
  Server server(options, console, started, std::move(signals));
  return server.run();
}

}  // namespace left4me::fake_srcds
