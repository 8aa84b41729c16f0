// Worker supervision: slot processes forked from a clean fork server, crash
// isolation, memory limits, the nanny.

#include <gtest/gtest.h>
#include <signal.h>

#include <cstdint>
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

// What the leak plugin recorded on one file node.
struct LeakRow {
  std::uint64_t leaked_mb = 0, resident_kb = 0;
  std::string slot_pid;
};

// Runs the leak plugin over `files` files (one worker, one slot process at a
// time) with `options`; returns the file nodes' rows, every outcome ok.
std::vector<LeakRow> run_leak(int files, const std::vector<std::string>& options) {
  TempDir dir;
  const std::string root = make_tree(dir, 1, files);
  const std::string report = (dir.path() / "r.jsonl").string();
  std::vector<std::string> args{"run", "--root", root, "--levels", "project,subject", "--curator", "plugin",
                                "--set", std::string("job.plugin=") + RAMIFY_LEAK_PLUGIN, "--set",
                                "job.isolation=process", "--workers", "1", "--concurrency", "1", "--report", report};
  args.insert(args.end(), options.begin(), options.end());
  auto result = testing::run_ramify(args, dir.str());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  std::vector<LeakRow> rows;
  for (const auto& row : testing::outcomes(testing::read_report(report))) {  // in the order they were curated
    EXPECT_EQ(row.get("status"), "ok") << row.get("container_id") << ": " << row.get("err");
    if (!row.find("results")) continue;
    const JsonValue& results = *row.find("results");
    rows.push_back({std::stoull(results.get("leaked_mb")), std::stoull(results.get("resident_kb")),
                    results.get("slot_pid")});
  }
  EXPECT_EQ(rows.size(), static_cast<std::size_t>(files));
  return rows;
}

TEST(Isolation, ALeakingCuratorIsRecycledBySlotMemoryLimitAndTheRunCompletes) {
  // How big a slot process is differs between machines and builds (a sanitizer
  // build's is far bigger): a first run without a leak measures it here.
  std::uint64_t baseline_kb = 0;
  for (const LeakRow& row : run_leak(4, {"--set", "curator.leak_mb=0"})) baseline_kb = std::max(baseline_kb, row.resident_kb);
  ASSERT_GT(baseline_kb, 0u);
  // Room for three 8 MiB leaks and a half: a process passes the limit on its
  // 4th file node and is replaced; 18 files pass it 4 times (at least 3 even
  // if a fresh process starts a few MiB smaller than measured).
  const std::uint64_t leak_mb = 8;
  const std::uint64_t limit_kb = baseline_kb + (3 * leak_mb + leak_mb / 2) * 1024;
  const auto rows = run_leak(18, {"--set", "curator.leak_mb=" + std::to_string(leak_mb), "--set",
                                  "job.slot_memory_limit=" + std::to_string(limit_kb) + "K"});
  // The slot processes by pid: what each leaked at least and at most, how big it got.
  struct Process {
    std::uint64_t first_leak_mb = UINT64_MAX, most_kb = 0;
  };
  std::map<std::string, Process> processes;
  for (const LeakRow& row : rows) {
    Process& process = processes[row.slot_pid];
    process.first_leak_mb = std::min(process.first_leak_mb, row.leaked_mb);
    process.most_kb = std::max(process.most_kb, row.resident_kb);
  }
  const std::string figures = "baseline " + std::to_string(baseline_kb) + " KiB, limit " + std::to_string(limit_kb) + " KiB";
  EXPECT_GE(processes.size(), 3u) << "recycled fewer than twice; " << figures;
  std::size_t passed_the_limit = 0;
  for (const auto& [pid, process] : processes) {
    EXPECT_EQ(process.first_leak_mb, leak_mb) << "slot process " << pid << " did not start from nothing";
    // statm in the plugin is read a little before the slot's own check: 1 MiB of slack.
    if (process.most_kb + 1024 > limit_kb) ++passed_the_limit;
    // Never far past the limit: one leak's step (and the sanitizer's shadow of it) at most.
    EXPECT_LE(process.most_kb, limit_kb + (leak_mb + leak_mb / 4 + 2) * 1024) << pid << ", " << figures;
  }
  // Every process was replaced because it passed the limit; the last one may have run out of nodes first.
  EXPECT_GE(passed_the_limit + 1, processes.size()) << figures;
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
