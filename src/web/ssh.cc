#include "web/ssh.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/file.h"
#include "base/strings.h"
#include "base/subprocess.h"

namespace left4me::web {

namespace {

constexpr std::size_t kMaxAddressLength = 253;
constexpr std::size_t kMaxUserLength = 32;

bool is_address_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':';
}

bool is_user_character(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'; }

// ed25519 first, then ecdsa, then the rest (rsa) as ssh-keyscan listed them.
int preference(const std::string& type) {
  if (type == "ssh-ed25519") return 0;
  if (type.rfind("ecdsa-", 0) == 0) return 1;
  return 2;
}

std::string last_line(std::string_view text) {
  std::vector<std::string> lines = split(text, '\n');
  for (auto line = lines.rbegin(); line != lines.rend(); ++line) {
    std::string_view trimmed = trim(*line);
    if (!trimmed.empty()) return std::string(trimmed);
  }
  return {};
}

// "256 SHA256:abc... [10.0.0.2]:2222 (ED25519)" -> "SHA256:abc...".
Result<std::string> fingerprint_of(const std::string& known_hosts_line) {
  RunOptions options;
  options.stdin_data = known_hosts_line + "\n";
  options.timeout = std::chrono::seconds(10);
  Result<RunResult> result = run({"ssh-keygen", "-l", "-E", "sha256", "-f", "-"}, options);
  if (!result) return result.error().with_context("ssh-keygen -lf");
  std::vector<std::string> words = split(trim(result->out), ' ');
  if (!result->status.success() || words.size() < 2 || words[1].rfind("SHA256:", 0) != 0) {
    return Error::failed(
        fmt::format("ssh-keygen -lf: cannot fingerprint the scanned key: {}", last_line(result->err + result->out)));
  }
  return words[1];
}

}  // namespace

std::vector<std::string> ssh_argv(const SshSettings& settings, const SshTarget& target) {
  long long timeout = std::max<long long>(1, settings.connect_timeout.count());
  return {settings.program,
          "-F",
          "none",
          "-T",
          "-o",
          "BatchMode=yes",
          "-o",
          "StrictHostKeyChecking=yes",
          "-o",
          "UserKnownHostsFile=" + target.known_hosts_file,
          "-o",
          "GlobalKnownHostsFile=/dev/null",
          "-o",
          "IdentitiesOnly=yes",
          "-i",
          settings.key_file,
          "-o",
          "ControlMaster=auto",
          "-o",
          "ControlPath=" + settings.control_dir + "/%C",
          "-o",
          fmt::format("ControlPersist={}", settings.control_persist.count()),
          "-o",
          fmt::format("ConnectTimeout={}", timeout),
          "-o",
          "ServerAliveInterval=1",
          "-o",
          fmt::format("ServerAliveCountMax={}", timeout),
          "-p",
          std::to_string(target.port),
          "--",
          target.user + "@" + target.address};
}

Status check_address(const std::string& address) {
  if (address.empty()) return Error::invalid("host address: empty");
  if (address.size() > kMaxAddressLength) {
    return Error::invalid(fmt::format("host address: longer than {} bytes", kMaxAddressLength));
  }
  if (address.front() == '-' || !std::all_of(address.begin(), address.end(), is_address_character)) {
    return Error::invalid(fmt::format("host address '{}': write a host name or an IP address", shell_quote(address)));
  }
  return {};
}

Status check_target(const SshTarget& target) {
  if (Status address = check_address(target.address); !address) return address;
  if (target.port < 1 || target.port > 65535) {
    return Error::invalid(fmt::format("ssh port: {} is outside 1..65535", target.port));
  }
  const std::string& user = target.user;
  if (user.empty() || user.size() > kMaxUserLength || user.front() == '-' ||
      (user.front() >= '0' && user.front() <= '9') || !std::all_of(user.begin(), user.end(), is_user_character)) {
    return Error::invalid(fmt::format("ssh user '{}': write a user name ([a-z_][a-z0-9_-]*, at most {} bytes)",
                                      shell_quote(user), kMaxUserLength));
  }
  return {};
}

Result<PanelKey> ensure_panel_key(const std::string& dir) {
  if (Status made = make_directories(dir, 0700); !made) return made.error();
  PanelKey key{dir + "/id_ed25519", ""};
  if (!path_exists(key.private_key_file)) {
    RunOptions options;
    options.timeout = std::chrono::seconds(30);
    Result<RunResult> made = run(
        {"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "left4me-panel", "-f", key.private_key_file}, options);
    if (!made) return made.error().with_context("ssh-keygen");
    if (!made->status.success()) {
      return Error::failed(fmt::format("ssh-keygen -f {}: {}", key.private_key_file, last_line(made->err)));
    }
  }
  // The public line from the private key itself, so that a stale or missing .pub cannot mislead.
  RunOptions options;
  options.timeout = std::chrono::seconds(10);
  Result<RunResult> shown = run({"ssh-keygen", "-y", "-f", key.private_key_file}, options);
  if (!shown) return shown.error().with_context("ssh-keygen -y");
  if (!shown->status.success()) {
    return Error::failed(fmt::format("ssh-keygen -y -f {}: {}", key.private_key_file, last_line(shown->err)));
  }
  key.public_key_line = std::string(trim(shown->out));
  return key;
}

std::string known_hosts_pattern(const std::string& address, int port) {
  if (port == 22) return address;
  return fmt::format("[{}]:{}", address, port);
}

Result<std::vector<ScannedKey>> scan_host_keys(const std::string& address, int port) {
  if (Status valid = check_target(SshTarget{address, port}); !valid) return valid.error();
  RunOptions options;
  options.timeout = std::chrono::seconds(20);
  Result<RunResult> scanned =
      run({"ssh-keyscan", "-T", "5", "-t", "ed25519,ecdsa,rsa", "-p", std::to_string(port), "--", address}, options);
  if (!scanned) return scanned.error().with_context("ssh-keyscan");
  std::vector<ScannedKey> keys;
  std::string pattern = known_hosts_pattern(address, port);
  for (const std::string& line : split(scanned->out, '\n')) {
    std::vector<std::string> words = split(trim(line), ' ');
    if (words.size() != 3 || words[0] != pattern) continue;  // comments and anything unexpected
    ScannedKey key{fmt::format("{} {} {}", pattern, words[1], words[2]), "", words[1]};
    Result<std::string> fingerprint = fingerprint_of(key.known_hosts_line);
    if (!fingerprint) return fingerprint.error();
    key.fingerprint = *fingerprint;
    keys.push_back(std::move(key));
  }
  if (keys.empty()) {
    std::string why = last_line(scanned->err);
    return Error::unavailable(fmt::format("no host key from {} port {}: {}", address, port,
                                          why.empty() ? "nothing answered (is sshd running there?)" : why));
  }
  std::stable_sort(keys.begin(), keys.end(),
                   [](const ScannedKey& a, const ScannedKey& b) { return preference(a.type) < preference(b.type); });
  return keys;
}

Status pin_host_key(const SshTarget& target, const ScannedKey& key) {
  std::vector<std::string> words = split(key.known_hosts_line, ' ');
  if (words.size() != 3 || words[0] != known_hosts_pattern(target.address, target.port) || words[1] != key.type) {
    return Error::invalid(
        fmt::format("the key to pin is not one of {} port {}: {}", target.address, target.port, key.known_hosts_line));
  }
  return write_file_atomic(target.known_hosts_file, key.known_hosts_line + "\n", 0600);
}

}  // namespace left4me::web
