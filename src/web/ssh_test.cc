// ssh's argv for a host, the targets it takes, the panel's key and pinning, and Ctl over ssh with a stand-in
// ssh (testdata/fake_ssh.sh) that shows its argv and standard input: every l4d2ctl call is one quoted word
// that l4d2ctl-remote splits back to the same arguments, and a spec travels on standard input (the stand-in
// refuses sessions unless told otherwise, so these calls are single calls, as to a host without sessions).
// CtlSessionTest: the short calls through one session, answered by the real l4d2ctl-remote. The real ssh and
// sshd run in tests/integration/hosts/.
#include "web/ssh.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "base/file.h"
#include "base/strings.h"
#include "remote/remote_command.h"
#include "remote/session.h"
#include "testing/test_support.h"
#include "web/ctl.h"

namespace left4me::web {
namespace {

SshSettings settings_in(const std::string& dir) {
  SshSettings settings;
  settings.program = LEFT4ME_WEB_FAKE_SSH;
  settings.key_file = dir + "/ssh/id_ed25519";
  settings.control_dir = "/run/l4m";
  return settings;
}

SshTarget target_in(const std::string& dir) {
  return SshTarget{"10.231.1.2", 2222, "left4me", dir + "/ssh/known_hosts.d/1"};
}

mode_t mode_of(const std::string& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

// The fake's "arg: " lines.
std::vector<std::string> args_of(const std::string& output) {
  std::vector<std::string> args;
  for (const std::string& line : split(output, '\n')) {
    if (line.rfind("arg: ", 0) == 0) args.push_back(line.substr(5));
  }
  return args;
}

TEST(SshArgv, PinsTheHostKeyUsesThePanelKeyAndMultiplexes) {
  SshSettings settings;
  settings.key_file = "/var/lib/left4me-web/ssh/id_ed25519";
  settings.control_dir = "/run/left4me-web/ssh";
  settings.connect_timeout = std::chrono::seconds(4);
  settings.control_persist = std::chrono::seconds(90);
  SshTarget target{"host-b.example", 2222, "left4me", "/var/lib/left4me-web/ssh/known_hosts.d/7"};
  std::vector<std::string> expected = {"ssh",  "-F",
                                       "none", "-T",
                                       "-o",   "BatchMode=yes",
                                       "-o",   "StrictHostKeyChecking=yes",
                                       "-o",   "UserKnownHostsFile=/var/lib/left4me-web/ssh/known_hosts.d/7",
                                       "-o",   "GlobalKnownHostsFile=/dev/null",
                                       "-o",   "IdentitiesOnly=yes",
                                       "-i",   "/var/lib/left4me-web/ssh/id_ed25519",
                                       "-o",   "ControlMaster=auto",
                                       "-o",   "ControlPath=/run/left4me-web/ssh/%C",
                                       "-o",   "ControlPersist=90",
                                       "-o",   "ConnectTimeout=4",
                                       "-o",   "ServerAliveInterval=1",
                                       "-o",   "ServerAliveCountMax=4",
                                       "-p",   "2222",
                                       "--",   "left4me@host-b.example"};
  EXPECT_EQ(ssh_argv(settings, target), expected);
}

TEST(SshTargetCheck, TakesHostNamesAndAddresses) {
  for (const char* address : {"host-b.example", "10.231.1.2", "fd00::2", "localhost"}) {
    EXPECT_OK(check_target(SshTarget{address, 22, "left4me", ""})) << address;
  }
  EXPECT_OK(check_target(SshTarget{"h", 65535, "_svc-1", ""}));
}

TEST(SshTargetCheck, RefusesWhatSshWouldTakeAsAnOptionOrAShell) {
  for (const std::string& address :
       {std::string("-oProxyCommand=touch /tmp/x"), std::string("host b"), std::string("host;rm"), std::string("$(id)"),
        std::string(""), std::string("user@host"), std::string("h\nx"), std::string(254, 'a')}) {
    Status checked = check_address(address);
    ASSERT_FALSE(checked.ok()) << address;
    EXPECT_EQ(checked.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(checked.error().message().find("host address"), std::string::npos) << checked.error().message();
  }
  for (int port : {0, -1, 65536}) {
    Status checked = check_target(SshTarget{"h", port, "left4me", ""});
    ASSERT_FALSE(checked.ok()) << port;
    EXPECT_NE(checked.error().message().find("outside 1..65535"), std::string::npos);
  }
  for (const char* user : {"", "-oX", "Root", "a b", "1abc", "me@host"}) {
    EXPECT_FALSE(check_target(SshTarget{"h", 22, user, ""}).ok()) << user;
  }
}

TEST(SshKnownHosts, PatternIsHowSshLooksTheTargetUp) {
  EXPECT_EQ(known_hosts_pattern("10.231.1.2", 22), "10.231.1.2");
  EXPECT_EQ(known_hosts_pattern("10.231.1.2", 2222), "[10.231.1.2]:2222");
}

class SshFilesTest : public test::TempDirTest {};

TEST_F(SshFilesTest, PanelKeyIsMadeOncePrivateAndKept) {
  Result<PanelKey> made = ensure_panel_key(dir() + "/ssh");
  ASSERT_OK(made);
  EXPECT_EQ(made->private_key_file, dir() + "/ssh/id_ed25519");
  EXPECT_EQ(made->public_key_line.rfind("ssh-ed25519 AAAA", 0), 0u) << made->public_key_line;
  EXPECT_EQ(mode_of(made->private_key_file), 0600u);
  EXPECT_EQ(mode_of(dir() + "/ssh"), 0700u);
  Result<PanelKey> again = ensure_panel_key(dir() + "/ssh");
  ASSERT_OK(again);
  EXPECT_EQ(again->public_key_line, made->public_key_line);
}

TEST_F(SshFilesTest, PinWritesOneLinePrivatelyAndReplacesTheOldOne) {
  SshTarget target = target_in(dir());
  ASSERT_OK(make_directories(dir() + "/ssh/known_hosts.d", 0700));
  ScannedKey first{"[10.231.1.2]:2222 ssh-ed25519 AAAAfirst", "SHA256:first", "ssh-ed25519"};
  ScannedKey second{"[10.231.1.2]:2222 ssh-ed25519 AAAAsecond", "SHA256:second", "ssh-ed25519"};
  ASSERT_OK(pin_host_key(target, first));
  ASSERT_OK(pin_host_key(target, second));
  Result<std::string> pinned = read_file(target.known_hosts_file);
  ASSERT_OK(pinned);
  EXPECT_EQ(*pinned, second.known_hosts_line + "\n");
  EXPECT_EQ(mode_of(target.known_hosts_file), 0600u);
}

TEST_F(SshFilesTest, PinRefusesAnotherHostsKeyAndKeepsThePinnedOne) {
  SshTarget target = target_in(dir());
  ASSERT_OK(make_directories(dir() + "/ssh/known_hosts.d", 0700));
  ASSERT_OK(pin_host_key(target, ScannedKey{"[10.231.1.2]:2222 ssh-ed25519 AAAAok", "SHA256:ok", "ssh-ed25519"}));
  for (const ScannedKey& key : {ScannedKey{"10.231.1.2 ssh-ed25519 AAAAx", "SHA256:x", "ssh-ed25519"},
                                ScannedKey{"[10.231.1.3]:2222 ssh-ed25519 AAAAx", "SHA256:x", "ssh-ed25519"},
                                ScannedKey{"[10.231.1.2]:2222 ssh-ed25519 AAAAx\n* ssh-rsa AAAAy", "", "ssh-ed25519"},
                                ScannedKey{"[10.231.1.2]:2222 ssh-rsa AAAAx", "SHA256:x", "ssh-ed25519"}}) {
    Status pinned = pin_host_key(target, key);
    ASSERT_FALSE(pinned.ok()) << key.known_hosts_line;
    EXPECT_EQ(pinned.error().code(), ErrorCode::kInvalidArgument);
  }
  EXPECT_EQ(*read_file(target.known_hosts_file), "[10.231.1.2]:2222 ssh-ed25519 AAAAok\n");
}

TEST(SshScan, RefusesABadAddressBeforeRunningAnything) {
  Result<std::vector<ScannedKey>> scanned = scan_host_keys("-oProxyCommand=id", 22);
  ASSERT_FALSE(scanned.ok());
  EXPECT_EQ(scanned.error().code(), ErrorCode::kInvalidArgument);
}

TEST(SshScan, NothingListeningIsUnavailable) {
  // Port 1 on loopback: refused at once.
  Result<std::vector<ScannedKey>> scanned = scan_host_keys("127.0.0.1", 1);
  ASSERT_FALSE(scanned.ok());
  EXPECT_EQ(scanned.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(scanned.error().message().find("no host key from 127.0.0.1 port 1"), std::string::npos)
      << scanned.error().message();
}

class CtlOverSshTest : public test::TempDirTest {
 protected:
  std::unique_ptr<Ctl> ctl(std::vector<std::string> env = {}) const {
    env.push_back("PATH=/usr/bin:/bin");
    return Ctl::over_ssh(settings_in(dir()), target_in(dir()), env);
  }
  // The remote command word of the fake's argv: the last argument after ssh_argv's.
  static std::string remote_word(const std::string& output) {
    std::vector<std::string> args = args_of(output);
    return args.empty() ? "" : args.back();
  }
};

TEST_F(CtlOverSshTest, DescribesTheHost) {
  EXPECT_TRUE(ctl()->remote());
  EXPECT_EQ(ctl()->describe(), "left4me@10.231.1.2:2222");
  Ctl local("/opt/left4me/bin/l4d2ctl", {});
  EXPECT_FALSE(local.remote());
  EXPECT_EQ(local.describe(), "local");
}

TEST_F(CtlOverSshTest, EveryCallIsSshsArgvAndOneWordThatSplitsBackToTheArguments) {
  std::vector<std::string> args = {"rcon", "alpha", "say", "it's $(id) `id` ; rm -rf / & | > \"x\"", "--json", "-f"};
  Result<RunResult> ran = ctl()->run(args, std::chrono::seconds(10));
  ASSERT_OK(ran);
  std::vector<std::string> argv = ssh_argv(settings_in(dir()), target_in(dir()));
  std::vector<std::string> seen = args_of(ran->out);
  ASSERT_EQ(seen.size(), argv.size());  // the fake's argv lacks its own name: ssh_argv's words, then one
  EXPECT_TRUE(std::equal(argv.begin() + 1, argv.end(), seen.begin()));
  Result<std::vector<std::string>> split_back = remote::split_command(seen.back());
  ASSERT_OK(split_back);
  EXPECT_EQ(*split_back, args);
  EXPECT_NE(ran->out.find("stdin: 0 bytes"), std::string::npos) << ran->out;
}

TEST_F(CtlOverSshTest, StreamingAndFollowingLogsGoThroughSshToo) {
  std::string output;
  Result<ExitStatus> streamed =
      ctl()->run_streaming({"start", "alpha", "--wait"}, [&](std::string_view line) { (output += line) += "\n"; });
  ASSERT_OK(streamed);
  EXPECT_EQ(remote_word(output), "start alpha --wait");
  Result<Subprocess> follow = ctl()->follow_logs("alpha", 200);
  ASSERT_OK(follow);
  std::string logs;
  ASSERT_OK(read_lines(follow->stdout_fd(), [&](std::string_view line) { (logs += line) += "\n"; }));
  EXPECT_EQ(remote_word(logs), "logs alpha --lines 200 --follow");
}

TEST_F(CtlOverSshTest, AnArgumentSshCannotCarryIsRefusedBeforeRunning) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"rcon", "alpha", "say\nquit"}, std::vector<std::string>{"status", ""}}) {
    Result<RunResult> ran = ctl()->run(args, std::chrono::seconds(10));
    ASSERT_FALSE(ran.ok());
    EXPECT_EQ(ran.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(ran.error().message().find("left4me@10.231.1.2:2222"), std::string::npos) << ran.error().message();
  }
}

TEST_F(CtlOverSshTest, InitializeSendsTheSpecOnStandardInput) {
  std::string spec(200 * 1024, '#');  // more than a pipe holds: written while ssh's output is read
  std::string output;
  Result<ExitStatus> status =
      ctl()->initialize("alpha", spec, dir(), [&](std::string_view line) { (output += line) += "\n"; });
  ASSERT_OK(status);
  EXPECT_TRUE(status->success());
  EXPECT_EQ(remote_word(output), "initialize alpha -f -");
  EXPECT_NE(output.find("stdin: 204800 bytes"), std::string::npos) << output;
}

TEST_F(CtlOverSshTest, InitializeSurvivesSshEndingWithoutReadingTheSpec) {
  std::string spec(1024 * 1024, '#');
  std::string output;
  Result<ExitStatus> status =
      ctl({"FAKE_SSH_NO_STDIN=1", "FAKE_SSH_EXIT=255"})->initialize("alpha", spec, dir(), [&](std::string_view line) {
        (output += line) += "\n";
      });
  ASSERT_OK(status);
  EXPECT_EQ(status->code, 255);
}

TEST_F(CtlOverSshTest, LocalInitializeUsesAPrivateFileAndRemovesIt) {
  Ctl local(LEFT4ME_WEB_FAKE_SSH, {"PATH=/usr/bin:/bin"});
  std::string output;
  Result<ExitStatus> status =
      local.initialize("alpha", "port: 27015\n", dir(), [&](std::string_view line) { (output += line) += "\n"; });
  ASSERT_OK(status);
  std::vector<std::string> args = args_of(output);
  ASSERT_EQ(args.size(), 4u) << output;
  EXPECT_EQ(args[2], "-f");
  EXPECT_EQ(args[3].rfind(dir() + "/initialize-alpha-", 0), 0u) << args[3];
  EXPECT_NE(output.find("file: 600 12\n"), std::string::npos) << output;
  EXPECT_FALSE(path_exists(args[3]));
}

TEST_F(CtlOverSshTest, TransportErrorIsSshsExit255Only) {
  Ctl local("/opt/left4me/bin/l4d2ctl", {});
  EXPECT_FALSE(transport_error(local, ExitStatus{255}, "ssh: connect to host"));
  EXPECT_FALSE(transport_error(*ctl(), ExitStatus{3}, "l4d2ctl: status 'alpha': no such instance"));
  EXPECT_FALSE(transport_error(*ctl(), ExitStatus{0, 9, true}, ""));
  std::optional<Error> refused =
      transport_error(*ctl(), ExitStatus{255}, "ssh: connect to host 10.231.1.2 port 2222: Connection refused\r\n");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code(), ErrorCode::kUnavailable);
  EXPECT_EQ(refused->message(),
            "cannot reach left4me@10.231.1.2:2222 over ssh: ssh: connect to host 10.231.1.2 port 2222: Connection "
            "refused");
}

TEST_F(CtlOverSshTest, AChangedHostKeySaysSoAndNamesTheNewKey) {
  // As OpenSSH 9.2 words it (sshconnect.c), when the pinned key is not the one the host offers.
  std::string output =
      "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
      "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n"
      "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
      "IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\n"
      "Someone could be eavesdropping on you right now (man-in-the-middle attack)!\n"
      "It is also possible that a host key has just been changed.\n"
      "The fingerprint for the ED25519 key sent by the remote host is\n"
      "SHA256:n0XJGHKm3bZ2m5nO1t3V3gNqjvYt2b8mVZbq0bq0bq0.\n"
      "Please contact your system administrator.\n"
      "Add correct host key in /d/ssh/known_hosts.d/1 to get rid of this message.\n"
      "Offending ED25519 key in /d/ssh/known_hosts.d/1:1\n"
      "Host key for [10.231.1.2]:2222 has changed and you have requested strict checking.\n"
      "Host key verification failed.\n";
  std::optional<Error> changed = transport_error(*ctl(), ExitStatus{255}, output);
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(changed->message().rfind("the host key of left4me@10.231.1.2:2222 changed: it now offers "
                                     "ED25519 SHA256:n0XJGHKm3bZ2m5nO1t3V3gNqjvYt2b8mVZbq0bq0bq0,",
                                     0),
            0u)
      << changed->message();
  EXPECT_NE(changed->message().find("nothing was run; confirm the new key on the hosts page"), std::string::npos);
}

TEST_F(CtlOverSshTest, AnUnconfirmedHostKeySaysSo) {
  std::optional<Error> unknown = transport_error(*ctl(), ExitStatus{255},
                                                 "No ED25519 host key is known for [10.231.1.2]:2222 and you have "
                                                 "requested strict checking.\r\nHost key verification failed.\r\n");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->message(),
            "the host key of left4me@10.231.1.2:2222 is not confirmed (Host key verification failed.); nothing was "
            "run; confirm the key on the hosts page");
}

TEST_F(CtlOverSshTest, ListNamesTheTransportFailure) {
  Result<StatusMap> listed =
      ctl({"FAKE_SSH_EXIT=255", "FAKE_SSH_STDERR=ssh: connect to host 10.231.1.2 port 2222: No route to host"})->list();
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(listed.error().message().find("cannot reach left4me@10.231.1.2:2222 over ssh: ssh: connect to host "
                                          "10.231.1.2 port 2222: No route to host"),
            std::string::npos)
      << listed.error().message();
}

// A session over the stand-in ssh, answered by the real l4d2ctl-remote (a copy, so that the l4d2ctl beside it is
// the stand-in's wrapper: fake_l4d2ctl.sh, except `status die`, which kills the session mid-call, `status huge`,
// which writes 17 MB, and `status slow`, which marks slow.started and takes 1 s).
class CtlSessionTest : public CtlOverSshTest {
 protected:
  void SetUp() override {
    std::string bin = dir() + "/bin";
    ASSERT_EQ(::mkdir(bin.c_str(), 0755), 0);
    Result<std::string> remote = read_file(LEFT4ME_REMOTE_BIN);
    ASSERT_OK(remote);
    ASSERT_OK(write_file_atomic(remote_, *remote, 0755));
    std::string wrapper =
        "#!/bin/sh\n"
        "case \"$1 $2\" in\n"
        "  'status die') kill -9 $PPID; sleep 5 ;;\n"
        "  'status huge') head -c 17000000 /dev/zero; exit 0 ;;\n"
        "  'status slow') touch " +
        dir() +
        "/slow.started; sleep 1 ;;\n"
        "esac\n"
        "LEFT4ME_ROOT=" +
        dir() + " exec " LEFT4ME_WEB_FAKE_CTL " \"$@\"\n";
    ASSERT_OK(write_file_atomic(bin + "/l4d2ctl", wrapper, 0755));
    ASSERT_EQ(::mkdir((dir() + "/fake").c_str(), 0755), 0);
    ASSERT_OK(write_file_atomic(dir() + "/fake/alpha.spec", "port: 27015\n"));
    ASSERT_OK(write_file_atomic(dir() + "/fake/alpha.state", "running\n"));
  }
  std::unique_ptr<Ctl> session_ctl() const { return ctl({"FAKE_SSH_SESSION=" + remote_}); }
  // How many sessions the stand-in ssh started.
  std::size_t starts() const {
    Result<std::string> text = read_file(remote_ + ".starts");
    return text ? split(trim(*text), '\n').size() : 0;
  }
  // What l4d2ctl ran (the stand-in's calls.log).
  std::string calls() const {
    Result<std::string> text = read_file(dir() + "/fake/calls.log");
    return text ? *text : "";
  }

  std::string remote_ = dir() + "/bin/l4d2ctl-remote";
};

TEST_F(CtlSessionTest, SeveralCallsShareOneSession) {
  std::unique_ptr<Ctl> host = session_ctl();
  Result<RunResult> status = host->run({"status", "alpha", "--json"}, std::chrono::seconds(10));
  ASSERT_OK(status);
  EXPECT_EQ(status->status.code, 0) << status->err;
  EXPECT_NE(status->out.find(R"("name":"alpha","state":"running")"), std::string::npos) << status->out;
  Result<StatusMap> listed = host->list();
  ASSERT_OK(listed);
  EXPECT_EQ(listed->count("alpha"), 1u);
  Result<RunResult> missing = host->run({"status", "bravo"}, std::chrono::seconds(10));
  ASSERT_OK(missing);
  EXPECT_EQ(missing->status.code, 3);
  EXPECT_EQ(missing->err, "l4d2ctl: status 'bravo': no such instance\n");
  EXPECT_FALSE(transport_error(*host, missing->status, missing->err));
  Result<RunResult> said = host->run({"rcon", "alpha", "say", "it's $(id) `x`\ttab"}, std::chrono::seconds(10));
  ASSERT_FALSE(said.ok());  // a tab cannot be carried: refused before anything runs, as a single call
  said = host->run({"rcon", "alpha", "say", "it's $(id) `x` | y"}, std::chrono::seconds(10));
  ASSERT_OK(said);
  EXPECT_EQ(said->out, "ran: say it's $(id) `x` | y\n");
  EXPECT_EQ(starts(), 1u);
  EXPECT_EQ(split(trim(calls()), '\n').size(), 8u) << calls();  // begin and end of each of the 4 calls
}

TEST_F(CtlSessionTest, ASessionThatDiesMidCallIsTheTransportsErrorAndTheNextCallStartsAnother) {
  std::unique_ptr<Ctl> host = session_ctl();
  ASSERT_OK(host->run({"status", "alpha"}, std::chrono::seconds(10)));
  Result<RunResult> died = host->run({"status", "die"}, std::chrono::seconds(10));
  ASSERT_OK(died);
  EXPECT_EQ(died->status.code, 255);
  std::optional<Error> transport = transport_error(*host, died->status, died->err);
  ASSERT_TRUE(transport);
  EXPECT_EQ(transport->code(), ErrorCode::kUnavailable);
  EXPECT_NE(transport->message().find("cannot reach left4me@10.231.1.2:2222 over ssh: ssh session: it ended"),
            std::string::npos)
      << transport->message();
  Result<RunResult> again = host->run({"status", "alpha"}, std::chrono::seconds(10));
  ASSERT_OK(again);
  EXPECT_EQ(again->status.code, 0) << again->err;
  EXPECT_EQ(starts(), 2u);
}

TEST_F(CtlSessionTest, ASessionThatEndedWhileIdleIsReplacedBeforeTheNextCall) {
  std::unique_ptr<Ctl> host = session_ctl();
  ASSERT_OK(host->run({"status", "alpha"}, std::chrono::seconds(10)));
  Result<std::string> started = read_file(remote_ + ".starts");  // the stand-in ssh's pid, kept by exec
  ASSERT_OK(started);
  std::optional<long long> pid = parse_int(trim(*started), 1, 1 << 30);
  ASSERT_TRUE(pid);
  ASSERT_EQ(::kill(static_cast<pid_t>(*pid), SIGKILL), 0);  // as a link that broke between calls ends ssh
  // Dead is a zombie here: the session's owner has not reaped it yet.
  auto dead = [&] {
    Result<std::string> stat = read_file("/proc/" + std::to_string(*pid) + "/stat");
    return !stat || stat->find(") Z ") != std::string::npos;
  };
  while (!dead()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  Result<RunResult> again = host->run({"status", "alpha"}, std::chrono::seconds(10));
  ASSERT_OK(again);
  EXPECT_EQ(again->status.code, 0) << again->err;
  EXPECT_EQ(starts(), 2u);
}

TEST_F(CtlSessionTest, ATimeoutEndsTheSession) {
  std::unique_ptr<Ctl> host = session_ctl();
  ASSERT_OK(host->run({"status", "alpha"}, std::chrono::seconds(10)));
  Result<RunResult> slow = host->run({"status", "slow"}, std::chrono::milliseconds(300));
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.error().code(), ErrorCode::kTimeout);
  Result<RunResult> again = host->run({"status", "alpha"}, std::chrono::seconds(10));
  ASSERT_OK(again);
  EXPECT_EQ(again->status.code, 0) << again->err;
  EXPECT_EQ(starts(), 2u);
}

TEST_F(CtlSessionTest, ACallThatFindsTheSessionBusyOrOutsideItsRulesIsASingleCall) {
  std::unique_ptr<Ctl> host = session_ctl();
  std::thread slow([&] { EXPECT_OK(host->run({"status", "slow"}, std::chrono::seconds(10))); });
  while (!path_exists(dir() + "/slow.started")) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  Result<RunResult> busy = host->run({"status", "alpha", "--json"}, std::chrono::seconds(10));
  slow.join();
  ASSERT_OK(busy);
  EXPECT_EQ(remote_word(busy->out), "status alpha --json");  // the stand-in ssh's own output: a single call
  Result<RunResult> follow = host->run({"logs", "alpha", "--follow"}, std::chrono::seconds(10));
  ASSERT_OK(follow);
  EXPECT_EQ(remote_word(follow->out), "logs alpha --follow");
  EXPECT_EQ(starts(), 1u);
}

// The host's side of a session: every request passes the checks of a single call, and a refusal is an answer
// (exit 2), after which the session goes on.
TEST_F(CtlSessionTest, TheHostRefusesInASessionWhatItRefusesInASingleCallAndGoesOn) {
  std::string canary = dir() + "/canary";
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"bash -c 'touch " + canary + "'", "is not a command this key may run"},
      {"status alpha; touch " + canary, "';' outside single quotes"},
      {"status $(touch " + canary + ")", "'$' outside single quotes"},
      {"status alpha --lock-fd 0", "no option '--lock-fd'"},
      {"__supervise alpha", "'__supervise' is not a command"},
      {"session", "'session' is not a command"},
      {"logs alpha --follow", "not in a session"},
      {"initialize alpha -f -", "spec on standard input"},
      {"initialize alpha -f /etc/passwd", "standard input"},
      {"status  alpha", "one space"},
      {std::string(remote::kMaxCommandBytes + 100, 'a'), "longer than 8192 bytes"},
      {"", "empty"},
  };
  std::string input;
  for (const auto& [line, why] : refused) input += line + "\n" + "status alpha\n";
  RunOptions options;
  options.env = std::vector<std::string>{"SSH_ORIGINAL_COMMAND=session", "PATH=/usr/bin:/bin"};
  options.stdin_data = input + "list --json";  // a last line without its newline is not a request
  options.timeout = std::chrono::seconds(30);
  Result<RunResult> session = left4me::run({remote_}, options);
  ASSERT_OK(session);
  EXPECT_EQ(session->status.code, 0) << session->err;
  std::string stream = session->out;
  for (const auto& [line, why] : refused) {
    Result<std::optional<remote::Answer>> answer = remote::take_answer(stream);
    ASSERT_OK(answer);
    ASSERT_TRUE(answer->has_value()) << line;
    EXPECT_EQ((*answer)->exit_code, 2) << line;
    EXPECT_EQ((*answer)->err.rfind("l4d2ctl-remote: ", 0), 0u) << (*answer)->err;
    EXPECT_NE((*answer)->err.find(why), std::string::npos) << line.substr(0, 40) << ": " << (*answer)->err;
    answer = remote::take_answer(stream);
    ASSERT_OK(answer);
    ASSERT_TRUE(answer->has_value()) << "after " << line;
    EXPECT_EQ((*answer)->exit_code, 0) << "after " << line << ": " << (*answer)->err;
    EXPECT_NE((*answer)->out.find(R"("name":"alpha")"), std::string::npos);
  }
  EXPECT_EQ(stream, "");
  EXPECT_FALSE(path_exists(canary));
  std::string ran = calls();
  EXPECT_EQ(ran.find(" begin logs"), std::string::npos) << ran;
  EXPECT_EQ(ran.find(" begin initialize"), std::string::npos) << ran;
  EXPECT_EQ(ran.find(" begin list"), std::string::npos) << ran;
}

TEST_F(CtlSessionTest, AnOutputOverTheLimitIsAClearErrorAndTheSessionGoesOn) {
  RunOptions options;
  options.env = std::vector<std::string>{"SSH_ORIGINAL_COMMAND=session", "PATH=/usr/bin:/bin"};
  options.stdin_data = "status huge\nstatus alpha\n";
  options.timeout = std::chrono::seconds(30);
  Result<RunResult> session = left4me::run({remote_}, options);
  ASSERT_OK(session);
  std::string stream = session->out;
  Result<std::optional<remote::Answer>> huge = remote::take_answer(stream);
  ASSERT_OK(huge);
  ASSERT_TRUE(huge->has_value());
  EXPECT_EQ((*huge)->exit_code, 1);
  EXPECT_EQ((*huge)->out, "");
  EXPECT_NE((*huge)->err.find("'status' wrote more than 16777216 bytes"), std::string::npos) << (*huge)->err;
  Result<std::optional<remote::Answer>> next = remote::take_answer(stream);
  ASSERT_OK(next);
  ASSERT_TRUE(next->has_value());
  EXPECT_EQ((*next)->exit_code, 0) << (*next)->err;
  EXPECT_EQ(stream, "");
}

}  // namespace
}  // namespace left4me::web
