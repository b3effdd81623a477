// web_ssh_probe (tests and benchmarks only, never installed): the panel's transport to a host as the web app
// uses it (web/ssh.h, Ctl over ssh), one call per run, for tests/integration/hosts/ and bench/hosts_roundtrip.sh.
//   web_ssh_probe key DIR              ensure_panel_key; prints the public line
//   web_ssh_probe pin                  scan_host_keys and pin_host_key of the first (ed25519) key; prints
//                                      "<type> <fingerprint>", what an admin confirms
//   web_ssh_probe argv                 ssh_argv, one word a line
//   web_ssh_probe run ARGS...          Ctl::run_streaming of `l4d2ctl ARGS...`: its output, then its exit code
//   web_ssh_probe initialize NAME      Ctl::initialize with the spec from standard input
//   web_ssh_probe list                 Ctl::list: one instance name a line
//   web_ssh_probe follow NAME LINES [UNTIL]   Ctl::follow_logs: its lines as they come, until it ends (or
//                                      a line holds UNTIL: then it ends the follower, exit 0)
// The host and the panel's side come from the environment: PROBE_ADDRESS, PROBE_PORT, PROBE_USER,
// PROBE_KNOWN_HOSTS, PROBE_KEY, PROBE_CONTROL_DIR, PROBE_CONNECT_TIMEOUT (seconds). When ssh cannot reach the
// host, the line "transport: <transport_error's message>" goes to stderr and the exit code is 255.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "base/strings.h"
#include "web/ctl.h"
#include "web/ssh.h"

namespace {

using namespace left4me;
using namespace left4me::web;

constexpr int kExitUsage = 2;
constexpr int kExitTransport = 255;

std::string env_or(const char* key, const std::string& fallback) {
  const char* value = std::getenv(key);
  return value != nullptr ? value : fallback;
}

SshTarget target() {
  SshTarget target;
  target.address = env_or("PROBE_ADDRESS", "");
  target.port = static_cast<int>(parse_int(env_or("PROBE_PORT", "22"), 1, 65535).value_or(22));
  target.user = env_or("PROBE_USER", "left4me");
  target.known_hosts_file = env_or("PROBE_KNOWN_HOSTS", "");
  return target;
}

SshSettings settings() {
  SshSettings settings;
  settings.key_file = env_or("PROBE_KEY", "");
  settings.control_dir = env_or("PROBE_CONTROL_DIR", "");
  settings.connect_timeout = std::chrono::seconds(parse_int(env_or("PROBE_CONNECT_TIMEOUT", "5"), 1, 60).value_or(5));
  return settings;
}

std::unique_ptr<Ctl> ctl() { return Ctl::over_ssh(settings(), target(), {"PATH=/usr/bin:/bin"}); }

int failed(const Error& error) {
  std::cerr << "web_ssh_probe: " << error.message() << "\n";
  return 1;
}

// Prints each line as it comes (the tests wait for lines), keeping them for transport_error.
int print_streamed(const Ctl& ctl, const Result<ExitStatus>& status, const std::string& output) {
  if (!status) return failed(status.error());
  if (std::optional<Error> transport = transport_error(ctl, *status, output)) {
    std::cerr << "transport: " << transport->message() << "\n";
    return kExitTransport;
  }
  return status->shell_code();
}

int run_command(const std::vector<std::string>& args, bool initialize) {
  std::unique_ptr<Ctl> host = ctl();
  std::string output;
  auto on_line = [&](std::string_view line) {
    std::cout << line << std::endl;
    (output += line) += "\n";
  };
  if (!initialize) return print_streamed(*host, host->run_streaming(args, on_line), output);
  std::string spec(std::istreambuf_iterator<char>(std::cin), {});
  char scratch[] = "/tmp/web_ssh_probe.XXXXXX";
  if (::mkdtemp(scratch) == nullptr) return failed(Error::from_errno("mkdtemp", errno));
  int code = print_streamed(*host, host->initialize(args.at(0), spec, scratch, on_line), output);
  ::rmdir(scratch);
  return code;
}

int list() {
  Result<StatusMap> listed = ctl()->list();
  if (!listed) {
    ErrorCode code = listed.error().code();
    bool transport = code == ErrorCode::kUnavailable || code == ErrorCode::kPermissionDenied;
    std::cerr << (transport ? "transport: " : "web_ssh_probe: ") << listed.error().message() << "\n";
    return transport ? kExitTransport : 1;
  }
  for (const auto& [name, status] : *listed) std::cout << name << "\n";
  return 0;
}

int follow(const std::string& name, const std::string& lines, const std::string& until) {
  Result<Subprocess> child = ctl()->follow_logs(name, static_cast<int>(parse_int(lines, 0, 100000).value_or(0)));
  if (!child) return failed(child.error());
  std::string pending;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = ::read(child->stdout_fd(), buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR)) {
    pending.append(buffer, static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
    for (std::size_t end = pending.find('\n'); end != std::string::npos; end = pending.find('\n')) {
      std::string line = pending.substr(0, end);
      pending.erase(0, end + 1);
      std::cout << line << std::endl;
      if (!until.empty() && line.find(until) != std::string::npos) return 0;  // child's end ends the follower
    }
  }
  Result<std::optional<ExitStatus>> status = child->wait(std::nullopt);
  if (!status) return failed(status.error());
  return (*status)->shell_code();
}

int pin() {
  SshTarget host = target();
  Result<std::vector<ScannedKey>> keys = scan_host_keys(host.address, host.port);
  if (!keys) return failed(keys.error());
  if (Status pinned = pin_host_key(host, keys->front()); !pinned) return failed(pinned.error());
  std::cout << keys->front().type << " " << keys->front().fingerprint << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string command = args.empty() ? "" : args[0];
  std::vector<std::string> rest(args.begin() + (args.empty() ? 0 : 1), args.end());
  if (command == "key" && rest.size() == 1) {
    Result<PanelKey> key = ensure_panel_key(rest[0]);
    if (!key) return failed(key.error());
    std::cout << key->public_key_line << "\n";
    return 0;
  }
  if (command == "pin" && rest.empty()) return pin();
  if (command == "argv" && rest.empty()) {
    for (const std::string& word : ssh_argv(settings(), target())) std::cout << word << "\n";
    return 0;
  }
  if (command == "run" && !rest.empty()) return run_command(rest, false);
  if (command == "initialize" && rest.size() == 1) return run_command(rest, true);
  if (command == "list" && rest.empty()) return list();
  if (command == "follow" && (rest.size() == 2 || rest.size() == 3)) {
    return follow(rest[0], rest[1], rest.size() == 3 ? rest[2] : "");
  }
  std::cerr << "usage: web_ssh_probe key DIR | pin | argv | run ARGS... | initialize NAME | list | follow NAME "
               "LINES [UNTIL] (the host in PROBE_* variables)\n";
  return kExitUsage;
}
