// Worker supervision: slot processes forked from a clean fork server, crash
// isolation, memory limits, the nanny.

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "support/background.hpp"
#include "support/ramify_binary.hpp"
#include "support/small_tree.hpp"
#include "support/temp_dir.hpp"

namespace ramify {
namespace {

using namespace std::chrono_literals;
using testing::Background;
using testing::eventually;
using testing::TempDir;
using testing::ipc;
using testing::make_tree;

// /proc facts about one process.
struct ProcessFacts {
  std::string comm;
  pid_t parent = 0;
  int threads = 0;
  std::vector<std::string> fd_targets;
};

std::optional<ProcessFacts> facts(pid_t pid) {
  const std::string base = "/proc/" + std::to_string(pid);
  std::ifstream status(base + "/status");
  if (!status) return std::nullopt;
  ProcessFacts f;
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("Name:", 0) == 0) f.comm = line.substr(line.find_first_not_of(" \t", 5));
    if (line.rfind("PPid:", 0) == 0) f.parent = std::stoi(line.substr(5));
    if (line.rfind("Threads:", 0) == 0) f.threads = std::stoi(line.substr(8));
  }
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(base + "/fd", ec))
    f.fd_targets.push_back(std::filesystem::read_symlink(entry.path(), ec).string());
  return f;
}

std::vector<pid_t> children_named(pid_t parent, const std::string& comm) {
  std::vector<pid_t> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    auto f = facts(std::stoi(name));
    if (f && f->parent == parent && f->comm == comm) out.push_back(std::stoi(name));
  }
  return out;
}

bool holds_an_event_loop(const ProcessFacts& f) {
  for (const auto& target : f.fd_targets)
    if (target.find("eventpoll") != std::string::npos) return true;  // every ZMQ context polls with epoll
  return false;
}

std::map<std::string, JsonValue> outcomes_by_id(const std::string& report) {
  std::map<std::string, JsonValue> out;
  for (const auto& row : testing::outcomes(testing::read_report(report))) {
    EXPECT_TRUE(out.emplace(row.get("container_id"), row).second) << "two outcomes for " << row.get("container_id");
  }
  return out;
}

TEST(Isolation, InProcessModeACrashFailsOnlyItsNode) {
  TempDir dir;
  const std::string root = make_tree(dir, 4, 6);
  dir.write("p/sub-2/boom.txt", "x");
  const std::string report = (dir.path() / "r.jsonl").string();
  auto result = testing::run_ramify({"run", "--root", root, "--levels", "project,subject", "--curator", "plugin",
                                     "--set", std::string("job.plugin=") + RAMIFY_CRASH_PLUGIN, "--set",
                                     "job.isolation=process", "--on-failure", "continue", "--workers", "2",
                                     "--concurrency", "2", "--report", report},
                                    dir.str());
  EXPECT_EQ(result.exit_code, 1) << result.err;
  auto rows = outcomes_by_id(report);
  EXPECT_EQ(rows.size(), 1u + 4u + 25u);
  for (const auto& [id, row] : rows) {
    if (id == "sub-2/boom.txt") {
      EXPECT_EQ(row.get("status"), "failed");
#ifdef RAMIFY_SANITIZED
      const char* signal = "killed by signal SIG";  // AddressSanitizer turns the SIGSEGV into an abort
#else
      const char* signal = "killed by signal SIGSEGV";
#endif
      EXPECT_NE(row.get("err").find(signal), std::string::npos) << row.get("err");
    } else {
      EXPECT_EQ(row.get("status"), "ok") << id << ": " << row.get("err");
    }
  }
}

TEST(Isolation, InThreadModeACrashKillsTheWorkerAndIsQuarantined) {
  TempDir dir;
  const std::string root = make_tree(dir, 2, 3);
  dir.write("p/sub-1/boom.txt", "x");
  auto result = testing::run_ramify({"run", "--root", root, "--levels", "project,subject", "--curator", "plugin",
                                     "--set", std::string("job.plugin=") + RAMIFY_CRASH_PLUGIN, "--set",
                                     "job.max_attempts=2", "--set", "job.heartbeat=0.2", "--workers", "3",
                                     "--concurrency", "1"},
                                    dir.str(), 90s);
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.out.find("quarantined after 2 attempts"), std::string::npos) << result.out << result.err;
}

TEST(Isolation, ALeakingCuratorIsRecycledBySlotMemoryLimitAndTheRunCompletes) {
  TempDir dir;
  // Sanitizer builds start a slot process far bigger: the limit has to be too.
  const std::uint64_t limit_mb = testing::kSlowdown == 1 ? 40 : 400;
  const std::string root = make_tree(dir, 2, testing::kSlowdown == 1 ? 8 : 40);
  const std::string report = (dir.path() / "r.jsonl").string();
  auto result = testing::run_ramify({"run", "--root", root, "--levels", "project,subject", "--curator", "plugin",
                                     "--set", std::string("job.plugin=") + RAMIFY_LEAK_PLUGIN, "--set",
                                     "job.isolation=process", "--set",
                                     "job.slot_memory_limit=" + std::to_string(limit_mb) + "M", "--set",
                                     "curator.leak_mb=8", "--workers", "1", "--concurrency", "1", "--report", report},
                                    dir.str());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  std::uint64_t most = 0, recycled = 0, previous = 0;
  for (const auto& [id, row] : outcomes_by_id(report)) {
    EXPECT_EQ(row.get("status"), "ok") << id;
    if (!row.find("results")) continue;
    const std::uint64_t leaked = std::stoull(row.find("results")->get("leaked_mb"));
    most = std::max(most, leaked);
    if (leaked < previous) ++recycled;  // a fresh process starts from nothing
    previous = leaked;
  }
  EXPECT_GE(recycled, 2u);
  EXPECT_LE(most, limit_mb + 8);  // never far past the limit: one 8 MiB step
}

TEST(Isolation, TheForkServerHasOneThreadAndNoZmqContextWhenItForks) {
  TempDir dir;
  const std::string root = make_tree(dir, 2, 40);
  Background broker(dir.str(), "broker", {"broker", "--bind", ipc(dir, "broker"), "--root", root, "--levels",
                                          "project,subject", "--exec", "file=sleep 0.05", "--set",
                                          "job.isolation=process", "--no-sink"});
  Background worker(dir.str(), "worker", {"worker", "--broker", ipc(dir, "broker"), "--sink", ipc(dir, "sink"), "-j",
                                          "2", "--flush-timeout", "0.2"});
  std::vector<pid_t> servers, slots;
  ASSERT_TRUE(eventually(
      [&] {
        servers = children_named(worker.pid(), "ramify-forksrv");
        if (servers.size() != 1) return false;
        slots = children_named(servers[0], "ramify-slot");
        return slots.size() == 2;
      },
      20s))
      << worker.err();
  auto server = facts(servers[0]);
  ASSERT_TRUE(server);
  EXPECT_EQ(server->threads, 1);
  EXPECT_FALSE(holds_an_event_loop(*server)) << "the fork server holds a ZMQ context";
  for (pid_t slot : slots) {
    auto f = facts(slot);
    ASSERT_TRUE(f);
    EXPECT_FALSE(holds_an_event_loop(*f)) << "a slot process inherited a ZMQ context";
  }
  auto parent = facts(worker.pid());
  ASSERT_TRUE(parent);
  EXPECT_TRUE(holds_an_event_loop(*parent)) << "the check cannot see a ZMQ context";
  EXPECT_GT(parent->threads, 1);
  broker.signal(SIGTERM);
  EXPECT_TRUE(broker.wait_for(20s).has_value());
  EXPECT_TRUE(worker.wait_for(20s).has_value());
  EXPECT_TRUE(eventually([&] { return facts(servers[0]) == std::nullopt || facts(servers[0])->comm.empty(); }, 5s));
}

TEST(Isolation, TheNannyBringsAKilledWorkerBackAndTheRunCompletes) {
  TempDir dir;
  const std::string root = make_tree(dir, 4, 10);
  const std::string report = (dir.path() / "r.jsonl").string();
  const std::string progress = dir.mkdir("progress");
  Background broker(dir.str(), "broker",
                    {"broker", "--bind", ipc(dir, "broker"), "--root", root, "--levels", "project,subject", "--exec",
                     "file=sh -c 'mktemp \"$0/p.XXXXXX\" > /dev/null; sleep 0.05' " + progress, "--set",
                     "job.heartbeat=0.2"});
  Background sink(dir.str(), "sink",
                  {"sink", "--bind", ipc(dir, "sink"), "--broker", ipc(dir, "broker"), "--report", report, "-q"});
  Background nanny(dir.str(), "nanny", {"worker", "--nanny", "--broker", ipc(dir, "broker"), "--sink",
                                        ipc(dir, "sink"), "-j", "1", "--log-level", "info"});
  ASSERT_TRUE(eventually([&] { return testing::count_files(progress) >= 8; }, 30s)) << nanny.err();
  auto workers = children_named(nanny.pid(), "ramify");
  ASSERT_EQ(workers.size(), 1u);
  kill(workers[0], SIGKILL);
  auto status = broker.wait_for(60s);
  ASSERT_TRUE(status.has_value()) << broker.err();
  EXPECT_EQ(*status, 0) << broker.err();
  EXPECT_NE(nanny.err().find("restarting it"), std::string::npos) << nanny.err();
  auto nanny_status = nanny.wait_for(20s);
  ASSERT_TRUE(nanny_status.has_value());
  EXPECT_EQ(*nanny_status, 0);
  ASSERT_TRUE(sink.wait_for(10s).has_value());
  auto rows = outcomes_by_id(report);
  EXPECT_EQ(rows.size(), 1u + 4u + 40u);
}

}  // namespace
}  // namespace ramify
