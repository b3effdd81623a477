#include "base/subprocess.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "testing/test_support.h"

namespace left4me {
namespace {

using std::chrono::milliseconds;

int live_members_of_group(pid_t group) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // Fields after the ")" that ends the command name: state ppid pgrp ...
    std::istringstream fields(line.substr(line.rfind(')') + 2));
    char state;
    pid_t parent, process_group;
    if (fields >> state >> parent >> process_group && process_group == group && state != 'Z' && state != 'X') {
      ++count;
    }
  }
  return count;
}

TEST(SubprocessTest, RunCapturesBothStreamsAndExitCode) {
  auto result = run({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"});
  ASSERT_OK(result);
  EXPECT_EQ(result->out, "out\n");
  EXPECT_EQ(result->err, "err\n");
  EXPECT_EQ(result->status.code, 3);
  EXPECT_FALSE(result->status.success());
  EXPECT_EQ(result->status.describe(), "exit code 3");
}

TEST(SubprocessTest, RunFeedsStdin) {
  auto result = run({"cat"}, {.stdin_data = "hello"});
  ASSERT_OK(result);
  EXPECT_EQ(result->out, "hello");
}

TEST(SubprocessTest, ExecFailureIsAnErrorWithErrno) {
  auto result = run({"/nonexistent/binary"});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(result.error().message().find("exec /nonexistent/binary"), std::string::npos);
}

TEST(SubprocessTest, RunTimeoutKillsTheWholeGroup) {
  auto start = std::chrono::steady_clock::now();
  // The grandchild would keep the pipe open forever if the group were not killed.
  auto result = run({"/bin/sh", "-c", "sleep 30 & sleep 30"}, {.timeout = milliseconds(300)});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kTimeout);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(SubprocessTest, WaitWithTimeoutThenSignal) {
  auto process = Subprocess::spawn({.argv = {"sleep", "30"}});
  ASSERT_OK(process);
  auto waited = process->wait(milliseconds(50));
  ASSERT_OK(waited);
  EXPECT_FALSE(waited->has_value());
  ASSERT_OK(process->signal(SIGTERM));
  waited = process->wait(std::nullopt);
  ASSERT_OK(waited);
  ASSERT_TRUE(waited->has_value());
  EXPECT_TRUE((*waited)->signalled);
  EXPECT_EQ((*waited)->signal, SIGTERM);
  EXPECT_EQ((*waited)->shell_code(), 143);
}

TEST(SubprocessTest, TerminateEscalatesToKillForAGroupIgnoringSigint) {
  auto process = Subprocess::spawn({.argv = {"/bin/sh", "-c", "trap '' INT; sleep 30 & wait"}});
  ASSERT_OK(process);
  std::this_thread::sleep_for(milliseconds(100));
  auto start = std::chrono::steady_clock::now();
  auto status = process->terminate(SIGINT, milliseconds(200));
  ASSERT_OK(status);
  EXPECT_TRUE(status->signalled);
  EXPECT_EQ(status->signal, SIGKILL);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  // Nothing of the group is left alive (a killed grandchild may stay a zombie until init reaps it). SIGKILL
  // went to the whole group, but a grandchild exits on its own time: allow it a moment on a busy machine.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (live_members_of_group(process->pid()) > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_EQ(live_members_of_group(process->pid()), 0);
}

TEST(SubprocessTest, PtyMakesChildSeeATerminal) {
  auto process =
      Subprocess::spawn({.argv = {"/bin/sh", "-c", "if [ -t 1 ]; then echo tty; else echo pipe; fi; echo err >&2"},
                         .stdout_mode = Stream::kPty});
  ASSERT_OK(process);
  std::vector<std::string> lines;
  ASSERT_OK(read_lines(process->stdout_fd(), [&](std::string_view line) { lines.emplace_back(line); }));
  auto waited = process->wait(std::nullopt);
  ASSERT_OK(waited);
  EXPECT_EQ(lines, (std::vector<std::string>{"tty", "err"}));
}

TEST(SubprocessTest, StreamLinesFromPipe) {
  auto process = Subprocess::spawn({.argv = {"/bin/sh", "-c", "printf 'a\\nb\\r\\nc'"}, .stdout_mode = Stream::kPipe});
  ASSERT_OK(process);
  std::vector<std::string> lines;
  ASSERT_OK(read_lines(process->stdout_fd(), [&](std::string_view line) { lines.emplace_back(line); }));
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "b", "c"}));
  auto waited = process->wait(std::nullopt);
  ASSERT_TRUE(waited.ok() && waited->has_value() && (*waited)->success());
}

// Regression: the web app's listening socket (asio opens it without close-on-exec) leaked through
// l4d2ctl into the server supervisor, which kept the port after the web app was killed.
TEST(SubprocessTest, ChildGetsNoInheritedDescriptorsButKeepFds) {
  int leaky[2];
  int kept[2];
  ASSERT_EQ(::pipe(leaky), 0);  // deliberately without O_CLOEXEC
  ASSERT_EQ(::pipe2(kept, O_CLOEXEC), 0);
  std::string script = "for fd in " + std::to_string(leaky[0]) + " " + std::to_string(kept[0]) +
                       "; do if [ -e /proc/self/fd/$fd ]; then echo open; else echo closed; fi; done";
  auto process =
      Subprocess::spawn({.argv = {"/bin/sh", "-c", script}, .stdout_mode = Stream::kPipe, .keep_fds = {kept[0]}});
  ASSERT_OK(process);
  std::vector<std::string> lines;
  ASSERT_OK(read_lines(process->stdout_fd(), [&](std::string_view line) { lines.emplace_back(line); }));
  EXPECT_EQ(lines, (std::vector<std::string>{"closed", "open"}));
  ASSERT_OK(process->wait(std::nullopt));
  for (int fd : {leaky[0], leaky[1], kept[0], kept[1]}) ::close(fd);
}

TEST(SubprocessTest, StdinIsNullByDefaultAndOutputCanGoToAGivenDescriptor) {
  test::TempDir dir;
  std::string path = dir.path() + "/out";
  UniqueFd file(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
  ASSERT_TRUE(file.valid());
  // Our own stdin, for the moment, is a pipe nobody writes to: a child that inherited it would wait.
  int silent[2];
  ASSERT_EQ(::pipe2(silent, O_CLOEXEC), 0);
  UniqueFd saved_stdin(::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0));
  ASSERT_EQ(::dup2(silent[0], STDIN_FILENO), STDIN_FILENO);
  auto process = Subprocess::spawn({.argv = {"/bin/sh", "-c", "cat; echo out; echo err >&2"},
                                    .stdout_mode = Stream::kFd,
                                    .stderr_mode = Stream::kToStdout,
                                    .stdout_target = file.get()});
  if (saved_stdin.valid()) ::dup2(saved_stdin.get(), STDIN_FILENO);
  ASSERT_OK(process);
  auto waited = process->wait(milliseconds(2000));
  ::close(silent[0]);
  ::close(silent[1]);
  ASSERT_OK(waited);
  ASSERT_TRUE(waited->has_value()) << "cat waited for input: stdin is not /dev/null";
  EXPECT_TRUE((*waited)->success());
  std::ifstream written(path);
  std::stringstream text;
  text << written.rdbuf();
  EXPECT_EQ(text.str(), "out\nerr\n");
}

TEST(SubprocessTest, RunsAsTheGivenUidAndGidWithoutSupplementaryGroups) {
  if (::geteuid() != 0) GTEST_SKIP() << "changing identity needs root";
  auto process = Subprocess::spawn({.argv = {"/bin/sh", "-c", "echo $(id -u) $(id -g) $(id -G)"},
                                    .stdout_mode = Stream::kPipe,
                                    .uid = 65534,
                                    .gid = 65534});
  ASSERT_OK(process);
  std::vector<std::string> lines;
  ASSERT_OK(read_lines(process->stdout_fd(), [&](std::string_view line) { lines.emplace_back(line); }));
  EXPECT_EQ(lines, (std::vector<std::string>{"65534 65534 65534"}));
  ASSERT_OK(process->wait(std::nullopt));
}

// The child shares the parent's memory until it executes (spawn's clone): its change of identity is its own, never
// the parent's or its other threads'.
TEST(SubprocessTest, ChangingTheChildsIdentityLeavesTheParentsThreadsAsTheyWere) {
  if (::geteuid() != 0) GTEST_SKIP() << "changing identity needs root";
  std::atomic<bool> done{false};
  std::thread other([&] {
    while (!done) std::this_thread::sleep_for(milliseconds(1));
  });
  for (int i = 0; i < 20; ++i) {
    auto process = Subprocess::spawn({.argv = {"/bin/true"}, .uid = 65534, .gid = 65534});
    ASSERT_OK(process);
    ASSERT_OK(process->wait(std::nullopt));
  }
  int threads = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream status(task.path() / "status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("Uid:", 0) == 0 || line.rfind("Gid:", 0) == 0) {
        EXPECT_EQ(line.substr(4).find_first_not_of("\t0"), std::string::npos) << task.path() << ": " << line;
      }
    }
    ++threads;
  }
  EXPECT_GE(threads, 2);
  done = true;
  other.join();
  EXPECT_EQ(::getuid(), 0u);
  EXPECT_EQ(::getgid(), 0u);
}

TEST(SubprocessTest, DestructorKillsAndReapsARunningChild) {
  pid_t pid;
  {
    auto process = Subprocess::spawn({.argv = {"sleep", "30"}});
    ASSERT_OK(process);
    pid = process->pid();
  }
  EXPECT_NE(::kill(pid, 0), 0);
}

}  // namespace
}  // namespace left4me
