#include "slots/process_sweep.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace ramify {
namespace {

using namespace std::chrono_literals;

std::string block(const std::vector<std::string>& entries) {
  std::string out;
  for (const auto& entry : entries) out += entry + '\0';
  return out;
}

TEST(ProcessSweep, AnEnvironmentCarriesATokenOnlyAsAWholeEntryOrAnOuterToken) {
  const std::string token = "0123456789abcdef0123456789abcdef";
  EXPECT_TRUE(environment_carries_token(block({"PATH=/bin", "RAMIFY_WORKER_TOKEN=" + token, "HOME=/"}), token));
  EXPECT_TRUE(environment_carries_token("RAMIFY_WORKER_TOKEN=" + token, token));  // no final NUL
  EXPECT_TRUE(environment_carries_token(block({"RAMIFY_WORKER_OUTER_TOKENS=" + token}), token));
  EXPECT_TRUE(environment_carries_token(block({"RAMIFY_WORKER_OUTER_TOKENS=aa:" + token + ":bb"}), token));
  EXPECT_TRUE(environment_carries_token(block({"RAMIFY_WORKER_OUTER_TOKENS=aa:" + token}), token));

  EXPECT_FALSE(environment_carries_token(block({"RAMIFY_WORKER_TOKEN=" + token + "0"}), token));
  EXPECT_FALSE(environment_carries_token(block({"RAMIFY_WORKER_TOKEN=x" + token}), token));
  EXPECT_FALSE(environment_carries_token(block({"RAMIFY_WORKER_TOKENS=" + token}), token));
  EXPECT_FALSE(environment_carries_token(block({"X_RAMIFY_WORKER_TOKEN=" + token}), token));
  EXPECT_FALSE(environment_carries_token(block({"NOTE=RAMIFY_WORKER_TOKEN=" + token}), token));
  EXPECT_FALSE(environment_carries_token(block({"RAMIFY_WORKER_OUTER_TOKENS=aa:" + token + "b"}), token));
  EXPECT_FALSE(environment_carries_token(block({"RAMIFY_WORKER_OUTER_TOKENS=" + token.substr(1)}), token));
  EXPECT_FALSE(environment_carries_token("", token));
  EXPECT_FALSE(environment_carries_token(block({"RAMIFY_WORKER_TOKEN="}), ""));
}

TEST(ProcessSweep, TokensAreRandomHex) {
  const std::string a = make_worker_token(), b = make_worker_token();
  EXPECT_EQ(a.size(), 32u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos) << a;
  EXPECT_NE(a, b);
}

// Restores two variables of this process's environment.
struct SavedEnvironment {
  std::optional<std::string> token, outer;
  SavedEnvironment() {
    if (const char* value = getenv("RAMIFY_WORKER_TOKEN")) token = value;
    if (const char* value = getenv("RAMIFY_WORKER_OUTER_TOKENS")) outer = value;
  }
  ~SavedEnvironment() {
    token ? setenv("RAMIFY_WORKER_TOKEN", token->c_str(), 1) : unsetenv("RAMIFY_WORKER_TOKEN");
    outer ? setenv("RAMIFY_WORKER_OUTER_TOKENS", outer->c_str(), 1) : unsetenv("RAMIFY_WORKER_OUTER_TOKENS");
  }
};

TEST(ProcessSweep, ANestedWorkerTakesItsOwnTokenAndKeepsTheOuterOnes) {
  SavedEnvironment saved;
  unsetenv("RAMIFY_WORKER_TOKEN");
  unsetenv("RAMIFY_WORKER_OUTER_TOKENS");
  mark_environment("first");
  EXPECT_STREQ(getenv("RAMIFY_WORKER_TOKEN"), "first");
  EXPECT_EQ(getenv("RAMIFY_WORKER_OUTER_TOKENS"), nullptr);
  mark_environment("second");
  EXPECT_STREQ(getenv("RAMIFY_WORKER_TOKEN"), "second");
  EXPECT_STREQ(getenv("RAMIFY_WORKER_OUTER_TOKENS"), "first");
  mark_environment("third");
  EXPECT_STREQ(getenv("RAMIFY_WORKER_TOKEN"), "third");
  EXPECT_STREQ(getenv("RAMIFY_WORKER_OUTER_TOKENS"), "first:second");
}

// A child of this process running argv with exactly `env`.
pid_t spawn_with(const std::vector<std::string>& argv, std::vector<std::string> env) {
  env.push_back("PATH=/usr/bin:/bin");
  std::vector<char*> args, envp;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  for (const auto& entry : env) envp.push_back(const_cast<char*>(entry.c_str()));
  envp.push_back(nullptr);
  pid_t pid = -1;
  EXPECT_EQ(posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), envp.data()), 0);
  return pid;
}

std::vector<pid_t> carrying(const std::string& token) {
  std::vector<pid_t> pids;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "environ", std::ios::binary);
    const std::string env((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (environment_carries_token(env, token)) pids.push_back(std::stoi(name));
  }
  return pids;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

std::optional<int> exit_signal(pid_t child, std::chrono::milliseconds timeout) {
  int status = 0;
  const bool ended = eventually([&] { return waitpid(child, &status, WNOHANG) == child; }, timeout);
  if (!ended || !WIFSIGNALED(status)) return std::nullopt;
  return WTERMSIG(status);
}

TEST(ProcessSweep, KillsEveryProcessCarryingTheTokenAndNoOther) {
  const std::string token = make_worker_token();
  // A shell whose child left its session, and a process of a nested worker.
  const pid_t shell = spawn_with({"sh", "-c", "setsid sleep 60 & wait"}, {"RAMIFY_WORKER_TOKEN=" + token});
  const pid_t nested =
      spawn_with({"sleep", "60"}, {"RAMIFY_WORKER_TOKEN=other", "RAMIFY_WORKER_OUTER_TOKENS=x:" + token});
  // Near misses.
  std::vector<pid_t> decoys{spawn_with({"sleep", "60"}, {"RAMIFY_WORKER_TOKEN=" + token + "0"}),
                            spawn_with({"sleep", "60"}, {"NOTE=RAMIFY_WORKER_TOKEN=" + token}),
                            spawn_with({"sleep", "60"}, {"RAMIFY_WORKER_TOKEN=" + make_worker_token()})};
  ASSERT_TRUE(eventually([&] { return carrying(token).size() == 3; }, 10s));

  EXPECT_EQ(sweep_token(token), 3u);
  EXPECT_EQ(exit_signal(shell, 5s), SIGKILL);
  EXPECT_EQ(exit_signal(nested, 5s), SIGKILL);
  EXPECT_TRUE(eventually([&] { return carrying(token).empty(); }, 5s)) << "the setsid'd grandchild survived";
  for (pid_t decoy : decoys) {
    EXPECT_EQ(waitpid(decoy, nullptr, WNOHANG), 0) << "a process without the token was killed";
    kill(decoy, SIGKILL);
    waitpid(decoy, nullptr, 0);
  }
  EXPECT_EQ(sweep_token(token), 0u);
}

}  // namespace
}  // namespace ramify
