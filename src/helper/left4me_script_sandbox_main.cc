// left4me-script-sandbox [--host-env FILE] <overlay-id> <script-path>: runs a script overlay's build script
// in a transient systemd unit (run through sudo by the service user; docs/design.md, "Script overlays").
//
// Trusts nothing it is given: the id must be a decimal overlay id naming a real directory overlays/<id> under
// LEFT4ME_ROOT (from /etc/left4me/host.env), opened without following symlinks; the script path must be that
// overlay's own scripts/<id>.sh, a regular file owned by the service user (the data root's owner). The unit
// runs `bash /script.sh` as the service user in l4d2-build.slice with the overlay as its only writable
// directory, no view of the data root, no loopback, private or own addresses, and host.env's limits
// (host/script_sandbox.h); its output passes through on stdout/stderr as it comes. Afterwards, as the
// service user, the tree is made world-readable and symlinks leading out of it are removed.
//
// Exit status: the script's (systemd-run's own non-zero status when the unit was killed); 64 usage or a bad
// id or script path; 65 no such overlay or script, or one that is not what it must be; 69 systemd-run
// missing; 1 other failures. Every failure of its own is one line "left4me-script-sandbox: ..." on stderr.
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "base/subprocess.h"
#include "helper/helper_config.h"
#include "helper/systemd_tool.h"
#include "host/instance_identity.h"
#include "host/script_sandbox.h"

namespace {

using left4me::Result;

constexpr int kExitUsage = 64;  // EX_USAGE
constexpr int kExitData = 65;   // EX_DATAERR
constexpr int kExitFailure = 1;

int fail(const std::string& message, int code) {
  std::fprintf(stderr, "left4me-script-sandbox: %s\n", message.c_str());
  return code;
}

int usage(const std::string& problem) {
  std::fprintf(stderr,
               "left4me-script-sandbox: %s\nusage: left4me-script-sandbox [--host-env FILE] <overlay-id> "
               "<script-path>\n",
               problem.c_str());
  return kExitUsage;
}

// The pass over the built tree, as the service user: what it does is then limited to what the service user
// may do anyway, whatever the tree holds by now.
int finish_as(const left4me::host::DataRootOwner& owner, int overlay_fd, std::string_view id) {
  std::fflush(stdout);
  pid_t child = ::fork();
  if (child < 0) return fail("fork: " + std::string(std::strerror(errno)), kExitFailure);
  if (child == 0) {
    if (owner.uid != 0 && (::setgroups(0, nullptr) != 0 || ::setresgid(owner.gid, owner.gid, owner.gid) != 0 ||
                           ::setresuid(owner.uid, owner.uid, owner.uid) != 0)) {
      ::_exit(fail("drop to uid " + std::to_string(owner.uid) + ": " + std::strerror(errno), kExitFailure));
    }
    auto removed = left4me::host::finish_overlay_tree(overlay_fd);
    if (!removed) ::_exit(fail("after the build, overlays/" + std::string(id) + ": " + removed.error().message(), 1));
    for (const std::string& line : *removed) std::printf("left4me: %s\n", line.c_str());
    std::fflush(stdout);
    ::_exit(0);
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : kExitFailure;
}

int run(std::vector<std::string_view> args) {
  auto host_env = left4me::helper::take_host_env_option(args);
  if (!host_env) return usage(host_env.error().message());
  if (args.size() != 2) return usage("expected 2 arguments, got " + std::to_string(args.size()));
  Result<std::string> id = left4me::host::parse_overlay_id(args[0]);
  if (!id) return usage(id.error().message());
  if (auto entered = left4me::helper::enter_host_mount_namespace(); !entered) {
    return fail(entered.error().message(), kExitFailure);
  }
  auto config = left4me::helper::load_helper_config(*host_env);
  if (!config) return fail(config.error().message(), kExitFailure);
  auto layout = left4me::host::canonical_layout(config->host.layout);
  if (!layout) return fail(layout.error().message(), kExitFailure);
  if (args[1] != config->host.layout.overlay_script(*id) && args[1] != layout->overlay_script(*id)) {
    return usage("script path '" + std::string(args[1]) + "' is not overlay " + *id + "'s script " +
                 config->host.layout.overlay_script(*id));
  }
  auto owner = left4me::host::data_root_owner(*layout);
  if (!owner) return fail(owner.error().message(), kExitFailure);
  auto overlay = left4me::host::open_overlay(*layout, *id);
  if (!overlay) return fail(overlay.error().message(), kExitData);
  auto script = left4me::host::open_overlay_script(*layout, *id, owner->uid);
  if (!script) return fail(script.error().message(), kExitData);
  auto systemd_run = left4me::helper::locate_tool({"/usr/bin/systemd-run", "/bin/systemd-run"}, std::nullopt);
  if (!systemd_run) return fail("systemd-run: " + systemd_run.error().message(), left4me::helper::kExitToolMissing);

  left4me::host::SandboxPaths paths{layout->overlay(*id), layout->overlay_script(*id), layout->root()};
  left4me::SpawnOptions spawn;
  spawn.argv = left4me::host::systemd_run_command(*systemd_run, left4me::host::script_unit_name(*id, ::getpid()), paths,
                                                  owner->uid, owner->gid, config->host.script,
                                                  left4me::host::denied_networks(left4me::host::host_addresses()));
  spawn.env = left4me::helper::tool_environment();
  spawn.stdin_mode = left4me::Stream::kNull;
  auto child = left4me::Subprocess::spawn(std::move(spawn));
  if (!child) return fail(child.error().message(), kExitFailure);
  auto ended = child->wait(std::nullopt);
  if (!ended) return fail(ended.error().message(), kExitFailure);
  const int code = (*ended)->shell_code();
  int finished = finish_as(*owner, overlay->get(), *id);
  return code != 0 ? code : finished;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  return run(args);
}
