#include "curators/process_runner.hpp"

#include <dirent.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <future>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace ramify {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Lines = std::vector<std::string>;
using End = ProcessResult::End;

struct Outcome {
  ProcessResult result;
  Lines out;
  Lines err;
  Clock::duration took{};
};

Outcome run(ProcessOptions options, const std::function<void(const std::string&)>& on_stdout = {}) {
  Outcome outcome;
  const auto start = Clock::now();
  outcome.result = run_process(options, [&](bool is_stderr, std::string_view line) {
    (is_stderr ? outcome.err : outcome.out).emplace_back(line);
    if (!is_stderr && on_stdout) on_stdout(std::string(line));
  });
  outcome.took = Clock::now() - start;
  return outcome;
}

Outcome run_sh(const std::string& script, std::chrono::milliseconds timeout = 3s) {
  ProcessOptions options;
  options.argv = {"sh", "-c", script};
  options.timeout = timeout;
  return run(options);
}

// True while some non-zombie process is in process group pgid (per /proc).
bool group_alive(pid_t pgid) {
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return ::kill(-pgid, 0) == 0;
  bool alive = false;
  while (const dirent* entry = ::readdir(proc)) {
    std::ifstream file(std::string("/proc/") + entry->d_name + "/stat");
    std::string stat;
    if (!file || !std::getline(file, stat)) continue;
    const auto paren = stat.rfind(')');
    if (paren == std::string::npos) continue;
    std::istringstream fields(stat.substr(paren + 1));
    char state = '?';
    long parent = 0;
    long group = 0;
    fields >> state >> parent >> group;
    if (group == pgid && state != 'Z' && state != 'X') alive = true;
  }
  ::closedir(proc);
  return alive;
}

// Waits (bounded) for every process of the group to die.
bool group_dies_within(pid_t pgid, Clock::duration limit) {
  const auto deadline = Clock::now() + limit;
  while (group_alive(pgid)) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);  // polling with a deadline, not synchronisation
  }
  return true;
}

bool process_alive(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!file || !std::getline(file, stat)) return false;
  const auto paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
}

TEST(ProcessRunner, CapturesStdoutAndStderrSeparatelyInOrder) {
  const Outcome r = run_sh("echo one; echo two >&2; echo three; echo four >&2; echo five");
  EXPECT_EQ(r.result.end, End::exited);
  EXPECT_EQ(r.result.exit_code, 0);
  EXPECT_EQ(r.out, (Lines{"one", "three", "five"}));
  EXPECT_EQ(r.err, (Lines{"two", "four"}));
}

TEST(ProcessRunner, ReportsExitCode) {
  const Outcome r = run_sh("exit 3");
  EXPECT_EQ(r.result.end, End::exited);
  EXPECT_EQ(r.result.exit_code, 3);
  EXPECT_EQ(r.result.describe(), "exit code 3");
}

TEST(ProcessRunner, ReportsSignal) {
  const Outcome r = run_sh("kill -SEGV $$");
  EXPECT_EQ(r.result.end, End::signaled);
  EXPECT_EQ(r.result.signal, SIGSEGV);
  EXPECT_EQ(r.result.describe(), "killed by signal SIGSEGV");
}

TEST(ProcessRunner, TimeoutKillsWholeGroupWithinDeadline) {
  // Prints the group id ($$ leads the group) and the background sleep's pid.
  const Outcome r = run_sh("echo $$; sleep 30 & echo $!; sleep 30", 300ms);
  EXPECT_EQ(r.result.end, End::timed_out);
  EXPECT_EQ(r.result.describe(), "timed out after 0.3 s");
  EXPECT_GE(r.took, 300ms);
  EXPECT_LT(r.took, 1500ms);
  ASSERT_EQ(r.out.size(), 2u);
  const pid_t group = std::stoi(r.out[0]);
  const pid_t background = std::stoi(r.out[1]);
  EXPECT_TRUE(group_dies_within(group, 2s));
  EXPECT_FALSE(process_alive(background));
}

TEST(ProcessRunner, NormalExitKillsBackgroundGrandchild) {
  // The background sleep keeps the pipes open; the run must not wait for it.
  const Outcome r = run_sh("echo $$; sleep 30 & echo $!; exit 4");
  EXPECT_EQ(r.result.end, End::exited);
  EXPECT_EQ(r.result.exit_code, 4);
  EXPECT_LT(r.took, 1500ms);
  ASSERT_EQ(r.out.size(), 2u);
  EXPECT_TRUE(group_dies_within(std::stoi(r.out[0]), 2s));
  EXPECT_FALSE(process_alive(std::stoi(r.out[1])));
}

TEST(ProcessRunner, EscapedGrandchildHoldingPipeDoesNotHang) {
  // The escaped process prints its pid only after setsid, so it has surely left
  // the group (the group kill misses it) while it holds the stderr pipe open.
  const Outcome r = run_sh("(setsid sh -c 'echo $$; exec sleep 30' &) | head -n 1; echo done");
  EXPECT_EQ(r.result.end, End::exited);
  EXPECT_EQ(r.result.exit_code, 0);
  EXPECT_LT(r.took, 1500ms);
  ASSERT_EQ(r.out.size(), 2u);
  EXPECT_EQ(r.out[1], "done");
  const pid_t escaped = std::stoi(r.out[0]);
  EXPECT_TRUE(process_alive(escaped));
  std::ifstream comm("/proc/" + std::to_string(escaped) + "/comm");
  std::string name;
  if (comm >> name && name == "sleep") ::kill(escaped, SIGKILL);
}

TEST(ProcessRunner, CancelFdEndsRunPromptly) {
  const int cancel = ::eventfd(0, EFD_CLOEXEC);
  ASSERT_GE(cancel, 0);
  std::promise<void> started;
  std::thread canceller([&, ready = started.get_future()]() mutable {
    if (ready.wait_for(3s) != std::future_status::ready) return;
    const std::uint64_t one = 1;
    EXPECT_EQ(::write(cancel, &one, sizeof one), static_cast<ssize_t>(sizeof one));
  });

  ProcessOptions options;
  options.argv = {"sh", "-c", "echo $$; sleep 30 & sleep 30"};
  options.timeout = 4s;
  options.cancel_fd = cancel;
  bool signalled = false;
  const Outcome r = run(options, [&](const std::string&) {
    if (!std::exchange(signalled, true)) started.set_value();
  });
  canceller.join();
  ::close(cancel);

  EXPECT_EQ(r.result.end, End::cancelled);
  EXPECT_EQ(r.result.describe(), "cancelled");
  EXPECT_LT(r.took, 2s);
  ASSERT_EQ(r.out.size(), 1u);
  EXPECT_TRUE(group_dies_within(std::stoi(r.out[0]), 2s));
}

TEST(ProcessRunner, AlreadyCancelledDoesNotStart) {
  std::array<int, 2> fds{};
  ASSERT_EQ(::pipe(fds.data()), 0);
  ::close(fds[1]);  // a hung-up pipe counts as cancelled
  ProcessOptions options;
  options.argv = {"sh", "-c", "echo started"};
  options.cancel_fd = fds[0];
  const Outcome r = run(options);
  ::close(fds[0]);
  EXPECT_EQ(r.result.end, End::cancelled);
  EXPECT_TRUE(r.out.empty());
}

TEST(ProcessRunner, PassesExtraEnvironment) {
  ProcessOptions options;
  options.argv = {"sh", "-c", "echo \"$RAMIFY_TEST_VALUE\"; echo \"$HOME\"; test -n \"$PATH\""};
  options.extra_env = {"RAMIFY_TEST_VALUE=a b=c", "HOME=/ramify-home"};
  const Outcome r = run(options);
  EXPECT_EQ(r.result.end, End::exited);
  EXPECT_EQ(r.result.exit_code, 0);  // PATH is still inherited
  EXPECT_EQ(r.out, (Lines{"a b=c", "/ramify-home"}));
}

TEST(ProcessRunner, RejectsMalformedEnvironmentEntry) {
  ProcessOptions options;
  options.argv = {"true"};
  options.extra_env = {"NOEQUALS"};
  const Outcome r = run(options);
  EXPECT_EQ(r.result.end, End::spawn_failed);
  EXPECT_NE(r.result.error.find("NOEQUALS"), std::string::npos);
}

TEST(ProcessRunner, MissingCommandIsSpawnFailed) {
  ProcessOptions options;
  options.argv = {"ramify-no-such-command-xyz", "arg"};
  const Outcome r = run(options);
  EXPECT_EQ(r.result.end, End::spawn_failed);
  EXPECT_EQ(r.result.error, "No such file or directory");
  EXPECT_EQ(r.result.describe(), "cannot start 'ramify-no-such-command-xyz': No such file or directory");
}

TEST(ProcessRunner, EmptyArgvIsSpawnFailed) {
  const Outcome r = run(ProcessOptions{});
  EXPECT_EQ(r.result.end, End::spawn_failed);
  EXPECT_EQ(r.result.error, "empty command");
}

TEST(ProcessRunner, UsesWorkingDir) {
  ProcessOptions options;
  options.argv = {"pwd"};
  options.working_dir = "/";
  EXPECT_EQ(run(options).out, (Lines{"/"}));
}

TEST(ProcessRunner, MissingWorkingDirIsSpawnFailed) {
  ProcessOptions options;
  options.argv = {"pwd"};
  options.working_dir = "/ramify-no-such-dir";
  const Outcome r = run(options);
  EXPECT_EQ(r.result.end, End::spawn_failed);
  EXPECT_EQ(r.result.error, "working directory '/ramify-no-such-dir': No such file or directory");
}

TEST(ProcessRunner, DeliversUnterminatedLastLine) {
  const Outcome r = run_sh("printf 'a\\r\\nb\\n\\nlast'; printf 'tail' >&2");
  EXPECT_EQ(r.out, (Lines{"a", "b", "", "last"}));
  EXPECT_EQ(r.err, (Lines{"tail"}));
}

TEST(ProcessRunner, SplitsOverlongLineInto64KiBPieces) {
  const Outcome r = run_sh("head -c 150000 /dev/zero | tr '\\0' x; echo; echo next");
  ASSERT_EQ(r.out.size(), 4u);
  EXPECT_EQ(r.out[0], std::string(65536, 'x'));
  EXPECT_EQ(r.out[1], std::string(65536, 'x'));
  EXPECT_EQ(r.out[2], std::string(150000 - 2 * 65536, 'x'));
  EXPECT_EQ(r.out[3], "next");
}

TEST(ProcessRunner, LineOfExactly64KiBWithCrLfIsOneLine) {
  const Outcome r = run_sh("head -c 65536 /dev/zero | tr '\\0' y; printf '\\r\\n'; echo end");
  EXPECT_EQ(r.out, (Lines{std::string(65536, 'y'), "end"}));
}

TEST(ProcessRunner, StdinIsDevNull) {
  const Outcome r = run_sh("cat; echo eof");
  EXPECT_EQ(r.out, (Lines{"eof"}));
}

TEST(ProcessRunner, PassesArgumentsVerbatim) {
  const std::vector<std::string> hostile = {"; rm -rf ~", "$(x)", "-n", "a b", std::string("\xff", 1), "'\""};
  ProcessOptions options;
  options.argv = {"printf", "[%s]\\n"};
  options.argv.insert(options.argv.end(), hostile.begin(), hostile.end());
  const Outcome r = run(options);
  ASSERT_EQ(r.out.size(), hostile.size());
  for (std::size_t i = 0; i < hostile.size(); ++i) EXPECT_EQ(r.out[i], "[" + hostile[i] + "]");
}

TEST(ProcessRunner, ChildStartsWithEmptySignalMask) {
  sigset_t term;
  sigset_t previous;
  ::sigemptyset(&term);
  ::sigaddset(&term, SIGTERM);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &term, &previous), 0);
  const Outcome r = run_sh("kill -TERM $$; exit 7");  // exits 7 only if TERM stayed blocked
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  EXPECT_EQ(r.result.end, End::signaled);
  EXPECT_EQ(r.result.signal, SIGTERM);
}

TEST(ProcessRunner, ConcurrentRunsAreIndependent) {
  constexpr int kThreads = 8;
  std::vector<std::future<Outcome>> runs;
  for (int i = 0; i < kThreads; ++i) {
    runs.push_back(std::async(std::launch::async, [i] {
      return run_sh("echo " + std::to_string(i) + "; sleep 0.1; echo err" + std::to_string(i) +
                    " >&2; exit " + std::to_string(i));
    }));
  }
  for (int i = 0; i < kThreads; ++i) {
    const Outcome r = runs[static_cast<std::size_t>(i)].get();
    EXPECT_EQ(r.result.end, End::exited);
    EXPECT_EQ(r.result.exit_code, i);
    EXPECT_EQ(r.out, (Lines{std::to_string(i)}));
    EXPECT_EQ(r.err, (Lines{"err" + std::to_string(i)}));
    EXPECT_LT(r.took, 2s);
  }
}

TEST(ProcessRunner, HandlerExceptionKillsAndPropagates) {
  ProcessOptions options;
  options.argv = {"sh", "-c", "echo $$; sleep 30"};
  pid_t group = 0;
  const auto start = Clock::now();
  EXPECT_THROW(run_process(options,
                           [&](bool, std::string_view line) {
                             group = std::stoi(std::string(line));
                             throw std::runtime_error("handler failed");
                           }),
               std::runtime_error);
  EXPECT_LT(Clock::now() - start, 2s);
  ASSERT_GT(group, 0);
  EXPECT_TRUE(group_dies_within(group, 2s));
}

TEST(ProcessRunner, EmptyHandlerDiscardsOutput) {
  ProcessOptions options;
  options.argv = {"sh", "-c", "echo ignored; exit 5"};
  const ProcessResult result = run_process(options, LineHandler{});
  EXPECT_EQ(result.end, End::exited);
  EXPECT_EQ(result.exit_code, 5);
}

TEST(ProcessRunner, NamesSignals) {
  EXPECT_EQ(signal_name(SIGSEGV), "SIGSEGV");
  EXPECT_EQ(signal_name(SIGKILL), "SIGKILL");
  EXPECT_EQ(signal_name(SIGRTMIN + 2), "SIGRTMIN+2");
  EXPECT_EQ(signal_name(1000), "signal 1000");
}

TEST(ProcessRunner, DescribesTimeoutInSeconds) {
  ProcessResult result;
  result.end = End::timed_out;
  result.timeout = 2000ms;
  EXPECT_EQ(result.describe(), "timed out after 2.0 s");
  result.timeout = 250ms;
  EXPECT_EQ(result.describe(), "timed out after 0.25 s");
  result.timeout = 61500ms;
  EXPECT_EQ(result.describe(), "timed out after 61.5 s");
}

}  // namespace
}  // namespace ramify

namespace ramify {
namespace {

// What a command used counts its descendants too: here `head` and `python3`,
// children of the shell, which waited for them.
TEST(ProcessRunner, ReportsTheCpuMemoryAndBytesTheCommandAndItsChildrenUsed) {
  const Outcome r = run_sh(
      "head -c 3000000 /dev/zero > /dev/null; "
      "/usr/bin/python3 -c 'x = bytearray(64 << 20); i = 0\nwhile i < 3000000: i += 1'");
  ASSERT_EQ(r.result.end, ProcessResult::End::exited);
  const ProcessUsage& used = r.result.usage;
  ASSERT_TRUE(used.known);
  EXPECT_GE(used.read_bytes, 3000000u);
  EXPECT_GE(used.write_bytes, 3000000u) << "head wrote what it read to /dev/null";
  EXPECT_GE(used.max_rss_bytes, 64u << 20) << "python3 held 64 MiB";
  EXPECT_GT(used.user_seconds + used.system_seconds, 0.05) << "the loop and the 64 MiB took CPU";
}

}  // namespace
}  // namespace ramify
