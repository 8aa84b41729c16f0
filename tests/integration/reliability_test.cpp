// Nothing lost: workers killed or stopped mid-run, a broker restarted with its
// journal, a sink started late and restarted, the kill's latency, the failure
// policies, a broker that is down. Real processes on ipc:// endpoints in the
// test's folder; every wait has a deadline.

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <filesystem>
#include <map>
#include <set>

#include "support/background.hpp"
#include "support/ramify_binary.hpp"
#include "support/temp_dir.hpp"

namespace ramify {
namespace {

using namespace std::chrono_literals;
using testing::Background;
using testing::eventually;
using testing::TempDir;

// SUBJECTS subjects of FILES files each; every level has a command, so every
// node's outcome is "ok". Each file's command leaves a mark in DIR/progress
// (one per execution) and appends its id to DIR/ran.log.
struct Study {
  TempDir dir;
  std::string root, progress, ran_log, report;
  std::size_t nodes = 0;

  Study(int subjects, int files) {
    for (int s = 1; s <= subjects; ++s)
      for (int f = 1; f <= files; ++f) dir.write("p/sub-" + std::to_string(s) + "/f" + std::to_string(f) + ".txt", "x");
    root = (dir.path() / "p").string();
    progress = dir.mkdir("progress");
    ran_log = (dir.path() / "ran.log").string();
    report = (dir.path() / "report.jsonl").string();
    nodes = 1 + static_cast<std::size_t>(subjects) * (1 + static_cast<std::size_t>(files));
  }

  // Job options: a command per level; files take `seconds` each.
  std::vector<std::string> job(const std::string& seconds) const {
    return {"--root", root, "--levels", "project,subject", "--exec", "project=true", "--exec", "subject=true",
            "--exec",
            "file=sh -c 'mktemp \"$0/p.XXXXXX\" > /dev/null; echo \"$1\" >> \"$0/../ran.log\"; echo \"did $1\"; sleep " +
                seconds + "' " + progress + " {id}",
            "--set", "job.heartbeat=0.2"};
  }
  std::string ipc(const std::string& name) const { return "ipc://" + dir.str() + "/" + name; }
  std::size_t marks() const { return testing::count_files(progress); }

  std::map<std::string, std::size_t> executions() const {
    std::map<std::string, std::size_t> counts;
    std::ifstream in(ran_log);
    for (std::string line; std::getline(in, line);) ++counts[line];
    return counts;
  }
};

// Checks that the report holds exactly one outcome per node, every one ok.
void expect_one_ok_outcome_per_node(const Study& study) {
  std::map<std::string, int> seen;
  for (const auto& row : testing::outcomes(testing::read_report(study.report))) {
    ++seen[row.get("container_id")];
    EXPECT_EQ(row.get("status"), "ok") << row.get("container_id") << ": " << row.get("msg") << row.get("err");
  }
  EXPECT_EQ(seen.size(), study.nodes);
  for (const auto& [id, count] : seen) EXPECT_EQ(count, 1) << id;
}

TEST(Reliability, AWorkerKilledMidRunLosesNothing) {
  Study study(6, 12);
  auto args = study.job("0.05");
  args.insert(args.begin(), {"run", "--workers", "3", "--concurrency", "1", "--report", study.report});
  Background run(study.dir.str(), "run", args);
  ASSERT_TRUE(eventually([&] { return study.marks() >= 10; }, 30s)) << run.err();
  pid_t victim = 0;
  ASSERT_TRUE(eventually([&] { return (victim = testing::busy_worker(study.dir.str())) != 0; }, 10s));
  kill(victim, SIGKILL);
  auto status = run.wait_for(60s);
  ASSERT_TRUE(status.has_value()) << run.err();
  EXPECT_EQ(*status, 0) << run.out() << run.err();
  expect_one_ok_outcome_per_node(study);
  EXPECT_NE(run.out().find("re-dispatched: "), std::string::npos) << run.out();
  EXPECT_NE(run.out().find("log records lost: 0"), std::string::npos) << run.out();
}

TEST(Reliability, AStoppedWorkerIsDeclaredDeadAndItsLateResultsAreIgnored) {
  Study study(6, 12);
  auto args = study.job("0.05");
  args.insert(args.begin(), {"run", "--workers", "3", "--concurrency", "1", "--verbose", "--report", study.report});
  Background run(study.dir.str(), "run", args);
  ASSERT_TRUE(eventually([&] { return study.marks() >= 10; }, 30s)) << run.err();
  pid_t victim = 0;
  ASSERT_TRUE(eventually([&] { return (victim = testing::busy_worker(study.dir.str())) != 0; }, 10s));
  kill(victim, SIGSTOP);
  const auto stopped_at = std::chrono::steady_clock::now();
  const std::string dead_line = "-" + std::to_string(victim) + "-";
  ASSERT_TRUE(eventually(
      [&] {
        const std::string err = run.err();
        auto at = err.find("is dead: no heartbeat");
        while (at != std::string::npos) {
          auto start = err.rfind('\n', at);
          if (err.substr(start + 1, at - start).find(dead_line) != std::string::npos) return true;
          at = err.find("is dead: no heartbeat", at + 1);
        }
        return false;
      },
      10s))
      << run.err();
  // Heartbeats every 0.2 s, liveness 3: dead after 0.6 s of silence (plus scheduling slack).
  EXPECT_LT(std::chrono::steady_clock::now() - stopped_at, 600ms + 400ms * testing::kSlowdown);
  kill(victim, SIGCONT);
  auto status = run.wait_for(60s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 0) << run.out() << run.err();
  expect_one_ok_outcome_per_node(study);
}

std::set<std::string> done_assignment_roots(const std::string& journal) {
  std::set<std::string> roots;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(journal.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);  // a failed open still allocates the handle
    return roots;
  }
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT root FROM assignments WHERE state = 'done'", -1, &stmt, nullptr);
  while (sqlite3_step(stmt) == SQLITE_ROW) roots.insert(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return roots;
}

TEST(Reliability, ABrokerKilledAndRestartedWithItsJournalFinishesTheRun) {
  Study study(8, 10);
  const std::string journal = (study.dir.path() / "journal.db").string();
  auto broker_args = study.job("0.05");
  broker_args.insert(broker_args.begin(), {"broker", "--bind", study.ipc("broker"), "--set", "job.journal=" + journal});
  auto first = std::make_unique<Background>(study.dir.str(), "broker1", broker_args);
  Background sink(study.dir.str(), "sink",
                  {"sink", "--bind", study.ipc("sink"), "--broker", study.ipc("broker"), "--report", study.report, "-q"});
  std::vector<std::unique_ptr<Background>> workers;
  for (int i = 0; i < 2; ++i)
    workers.push_back(std::make_unique<Background>(
        study.dir.str(), "worker" + std::to_string(i),
        std::vector<std::string>{"worker", "--broker", study.ipc("broker"), "--sink", study.ipc("sink"),
                                 "--concurrency", "1", "--broker-wait", "30"}));
  ASSERT_TRUE(eventually([&] { return done_assignment_roots(journal).size() >= 3; }, 30s)) << first->err();
  first->signal(SIGKILL);
  ASSERT_TRUE(first->wait_for(5s).has_value());
  const std::set<std::string> done_before = done_assignment_roots(journal);
  const auto ran_before = study.executions();

  Background second(study.dir.str(), "broker2", broker_args);
  auto status = second.wait_for(60s);
  ASSERT_TRUE(status.has_value()) << second.err();
  EXPECT_EQ(*status, 0) << second.err();
  ASSERT_TRUE(sink.wait_for(10s).has_value());
  for (auto& w : workers) EXPECT_TRUE(w->wait_for(10s).has_value());
  expect_one_ok_outcome_per_node(study);
  // Files of subjects done before the crash ran exactly once.
  const auto ran = study.executions();
  std::size_t checked = 0;
  for (const auto& [id, count] : ran) {
    const std::string subject = id.substr(0, id.find('/'));
    if (!done_before.count(subject)) continue;
    EXPECT_EQ(count, 1u) << id << " ran again after the restart";
    EXPECT_EQ(ran_before.at(id), 1u);
    ++checked;
  }
  EXPECT_GT(checked, 0u);
  EXPECT_NE(sink.out().find("log records lost: 0"), std::string::npos) << sink.out();
}

TEST(Reliability, ASinkStartedLateAndRestartedMidRunLosesNoRecord) {
  Study study(6, 12);
  auto broker_args = study.job("0.03");
  broker_args.insert(broker_args.begin(), {"broker", "--bind", study.ipc("broker")});
  Background broker(study.dir.str(), "broker", broker_args);
  std::vector<std::unique_ptr<Background>> workers;
  for (int i = 0; i < 2; ++i)
    workers.push_back(std::make_unique<Background>(
        study.dir.str(), "worker" + std::to_string(i),
        std::vector<std::string>{"worker", "--broker", study.ipc("broker"), "--sink", study.ipc("sink"),
                                 "--concurrency", "1"}));
  // Nothing is dispatched before a sink has joined.
  ASSERT_TRUE(eventually([&] { return broker.err().find("worker") != std::string::npos; }, 30s)) << broker.err();
  EXPECT_FALSE(eventually([&] { return study.marks() > 0; }, 500ms)) << "work began with no sink";
  const std::vector<std::string> sink_args{"sink", "--bind", study.ipc("sink"), "--broker", study.ipc("broker"),
                                           "--report", study.report, "--append", "-q"};
  auto first_sink = std::make_unique<Background>(study.dir.str(), "sink1", sink_args);
  ASSERT_TRUE(eventually([&] { return study.marks() >= 40; }, 30s));
  first_sink->signal(SIGKILL);
  ASSERT_TRUE(first_sink->wait_for(5s).has_value());
  Background second_sink(study.dir.str(), "sink2", sink_args);

  auto status = broker.wait_for(60s);
  ASSERT_TRUE(status.has_value()) << broker.err();
  EXPECT_EQ(*status, 0) << broker.err();
  auto sink_status = second_sink.wait_for(10s);
  ASSERT_TRUE(sink_status.has_value());
  EXPECT_EQ(*sink_status, 0) << second_sink.out() << second_sink.err();
  EXPECT_NE(second_sink.out().find("log records lost: 0"), std::string::npos) << second_sink.out();
  expect_one_ok_outcome_per_node(study);

  // Every record is there once: a "did ID" log row for each command that ran.
  std::set<std::pair<std::string, std::uint64_t>> keys;
  std::map<std::string, std::size_t> did;
  for (const auto& row : testing::read_report(study.report)) {
    EXPECT_TRUE(keys.emplace(row.get("worker"), row.get_uint("seq")).second) << "duplicate row";
    if (row.get("kind") == "log" && row.get("msg").rfind("did ", 0) == 0) ++did[row.get("msg").substr(4)];
  }
  EXPECT_EQ(did, study.executions());
}

TEST(Reliability, TheKillStopsEveryWorkerWithinHalfASecond) {
  Study study(4, 6);
  study.dir.write("p/sub-3/bad.txt", "x");  // the first file of its subject
  const std::string marker = (study.dir.path() / "failed-at").string();
  const std::vector<std::string> job{
      "--root", study.root, "--levels", "project,subject", "--set", "job.heartbeat=0.2", "--exec",
      "file=sh -c 'if [ \"$RAMIFY_LABEL\" = bad.txt ]; then : > \"$0\"; exit 3; fi; exec sleep 30' " + marker};
  auto broker_args = job;
  broker_args.insert(broker_args.begin(), {"broker", "--bind", study.ipc("broker")});
  Background broker(study.dir.str(), "broker", broker_args);
  Background sink(study.dir.str(), "sink",
                  {"sink", "--bind", study.ipc("sink"), "--broker", study.ipc("broker"), "--report", study.report, "-q"});
  std::vector<std::unique_ptr<Background>> workers;
  for (int i = 0; i < 2; ++i)
    workers.push_back(std::make_unique<Background>(
        study.dir.str(), "worker" + std::to_string(i),
        std::vector<std::string>{"worker", "--broker", study.ipc("broker"), "--sink", study.ipc("sink"),
                                 "--concurrency", "2"}));
  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(marker); }, 30s)) << broker.err();
  const auto failed_at = std::filesystem::last_write_time(marker);
  ASSERT_TRUE(eventually([&] { return workers[0]->poll() && workers[1]->poll(); }, 10s));
  const auto all_stopped = std::filesystem::file_time_type::clock::now();
  EXPECT_LT(all_stopped - failed_at, 500ms * testing::kSlowdown);
  EXPECT_EQ(*workers[0]->poll(), 1);  // a worker of an aborted run exits 1
  EXPECT_TRUE(eventually([&] { return testing::busy_worker(study.dir.str()) == 0; }, 2s)) << "a command survived the kill";
  auto status = broker.wait_for(30s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 1);
}

TEST(Reliability, AWorkerThatStartsAfterTheKillDoesNoWork) {
  Study study(3, 4);
  study.dir.write("p/sub-1/bad.txt", "x");
  std::vector<std::string> broker_args{"broker", "--bind", study.ipc("broker"), "--report-timeout", "60",
                                       "--root", study.root, "--levels", "project,subject", "--exec",
                                       "file=sh -c 'test \"$RAMIFY_LABEL\" != bad.txt'"};
  Background broker(study.dir.str(), "broker", broker_args);
  // A sink that joins, then stops answering: the broker waits for its report after the run.
  Background sink(study.dir.str(), "sink", {"sink", "--bind", study.ipc("sink"), "--broker", study.ipc("broker")});
  ASSERT_TRUE(eventually([&] { return broker.err().find("the sink joined") != std::string::npos; }, 30s))
      << broker.err();
  sink.signal(SIGSTOP);
  Background worker(study.dir.str(), "worker",
                    {"worker", "--broker", study.ipc("broker"), "--sink", study.ipc("sink"), "--flush-timeout", "0.2"});
  auto first = worker.wait_for(30s);
  ASSERT_TRUE(first.has_value()) << worker.err();
  EXPECT_EQ(*first, 1);
  auto late_result = testing::run_ramify(
      {"worker", "--broker", study.ipc("broker"), "--sink", study.ipc("sink"), "--connect-timeout", "10"},
      study.dir.str(), 20s);
  EXPECT_EQ(late_result.exit_code, 1) << late_result.err;
  EXPECT_NE(late_result.err.find("was aborted before this worker started"), std::string::npos) << late_result.err;
  EXPECT_EQ(late_result.err.find("runs"), std::string::npos) << "the late worker started slots";
  sink.signal(SIGKILL);
  broker.signal(SIGTERM);
  EXPECT_TRUE(broker.wait_for(10s).has_value());
}

// A worker that finished its assignments but could not deliver their rows (the
// sink stopped answering) outlasts the broker's wait for its goodbye and is
// declared dead: its rows were not run again, so the run fails and says why.
TEST(Reliability, AWorkerLostBeforeItsFinishedAssignmentsRowsArrivedFailsTheRun) {
  Study study(3, 4);
  auto broker_args = study.job("0");
  broker_args.insert(broker_args.begin(), {"broker", "--bind", study.ipc("broker"), "--report-timeout", "60"});
  Background broker(study.dir.str(), "broker", broker_args);
  Background sink(study.dir.str(), "sink",
                  {"sink", "--bind", study.ipc("sink"), "--broker", study.ipc("broker"), "--report", study.report,
                   "--drain-timeout", "1"});
  ASSERT_TRUE(eventually([&] { return broker.err().find("the sink joined") != std::string::npos; }, 30s))
      << broker.err();
  sink.signal(SIGSTOP);
  // The broker waits 5 s for goodbyes once nothing is acknowledged; the worker, 8.
  Background worker(study.dir.str(), "worker",
                    {"worker", "--broker", study.ipc("broker"), "--sink", study.ipc("sink"), "--flush-timeout", "8"});
  const auto worker_status = worker.wait_for(60s);
  sink.signal(SIGCONT);
  ASSERT_TRUE(worker_status.has_value()) << worker.err();
  EXPECT_EQ(*worker_status, 4) << worker.err();
  EXPECT_NE(worker.err().find("the sink acknowledged nothing for 8 s"), std::string::npos) << worker.err();
  const auto broker_status = broker.wait_for(60s);
  ASSERT_TRUE(broker_status.has_value()) << broker.err();
  EXPECT_EQ(*broker_status, 1) << broker.err();
  EXPECT_NE(broker.err().find("log record(s) were lost"), std::string::npos) << broker.err();
  const auto sink_status = sink.wait_for(30s);
  ASSERT_TRUE(sink_status.has_value()) << sink.err();
  EXPECT_EQ(*sink_status, 1) << sink.out() << sink.err();
  EXPECT_NE(sink.err().find("record(s) of its finished assignments reached the sink"), std::string::npos)
      << sink.err();
  EXPECT_NE(sink.out().find("FAILED"), std::string::npos) << sink.out();
  EXPECT_EQ(sink.out().find("log records lost: 0"), std::string::npos) << sink.out();
  EXPECT_EQ(sink.out().find("(their assignments were run again)"), std::string::npos) << sink.out();
}

// A worker killed while the sink was not taking rows had finished assignments
// whose rows never arrived: the broker runs those again too, and the run
// ends complete.
TEST(Reliability, AWorkerKilledBeforeItsFinishedAssignmentsRowsArrivedHasThemRunAgain) {
  Study study(6, 12);
  auto broker_args = study.job("0.05");
  broker_args.insert(broker_args.begin(), {"broker", "--bind", study.ipc("broker"), "--report-timeout", "60"});
  Background broker(study.dir.str(), "broker", broker_args);
  Background sink(study.dir.str(), "sink",
                  {"sink", "--bind", study.ipc("sink"), "--broker", study.ipc("broker"), "--report", study.report});
  ASSERT_TRUE(eventually([&] { return broker.err().find("the sink joined") != std::string::npos; }, 30s))
      << broker.err();
  sink.signal(SIGSTOP);
  const std::vector<std::string> worker_args{"worker", "--broker", study.ipc("broker"), "--sink", study.ipc("sink"),
                                             "--concurrency", "1"};
  Background first(study.dir.str(), "worker1", worker_args);
  // 20 files curated: the first subject (12 files) is done, its rows unacknowledged.
  ASSERT_TRUE(eventually([&] { return study.marks() >= 20; }, 30s)) << first.err();
  first.signal(SIGKILL);
  ASSERT_TRUE(first.wait_for(10s).has_value());
  Background second(study.dir.str(), "worker2", worker_args);
  sink.signal(SIGCONT);
  const auto status = broker.wait_for(60s);
  ASSERT_TRUE(status.has_value()) << broker.err();
  EXPECT_EQ(*status, 0) << broker.err();
  const auto sink_status = sink.wait_for(30s);
  ASSERT_TRUE(sink_status.has_value()) << sink.err();
  EXPECT_EQ(*sink_status, 0) << sink.out() << sink.err();
  EXPECT_NE(sink.out().find("log records lost: 0"), std::string::npos) << sink.out();
  expect_one_ok_outcome_per_node(study);
  // Every subject the first worker finished was curated again by the second.
  std::set<std::string> by_second;
  for (const auto& row : testing::outcomes(testing::read_report(study.report)))
    if (row.get("container_type") == "subject") by_second.insert(row.get("worker"));
  EXPECT_EQ(by_second.size(), 1u) << "a subject's outcome came from the killed worker";
}

// The report of a run with `policy` on a tree where sub-2/bad1.txt and sub-2/bad2.txt fail.
std::map<std::string, std::string> run_with_policy(const std::vector<std::string>& policy, int& exit_code) {
  TempDir dir;
  for (int s = 1; s <= 3; ++s)
    for (int f = 1; f <= 3; ++f) dir.write("p/sub-" + std::to_string(s) + "/f" + std::to_string(f) + ".txt", "x");
  dir.write("p/sub-2/bad1.txt", "x");
  dir.write("p/sub-2/bad2.txt", "x");
  const std::string report = (dir.path() / "r.jsonl").string();
  std::vector<std::string> args{"run", "--root", (dir.path() / "p").string(), "--levels", "project,subject",
                                "--workers", "1", "--concurrency", "1", "--report", report, "--exec",
                                "file=sh -c 'case \"$RAMIFY_LABEL\" in bad*) exit 3;; esac'"};
  args.insert(args.end(), policy.begin(), policy.end());
  auto result = testing::run_ramify(args, dir.str());
  exit_code = result.exit_code;
  std::map<std::string, std::string> status;
  for (const auto& row : testing::outcomes(testing::read_report(report)))
    if (row.get("container_type") == "file") status[row.get("container_id")] = row.get("status");
  return status;
}

TEST(Reliability, FailurePoliciesBehaveAsDocumented) {
  int code = 0;
  // One slot, depth-first, subjects in order: sub-2's bad1.txt is the first failure.
  auto kill = run_with_policy({}, code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(kill["sub-2/bad1.txt"], "failed");
  EXPECT_EQ(kill.count("sub-2/f1.txt"), 0u) << "kill: nothing after the failure is curated";
  EXPECT_EQ(kill.count("sub-3/f1.txt"), 0u);

  auto finish = run_with_policy({"--on-failure", "finish"}, code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(finish["sub-2/bad2.txt"], "failed") << "finish: the running assignment goes on";
  EXPECT_EQ(finish["sub-2/f3.txt"], "ok");
  EXPECT_EQ(finish.count("sub-3/f1.txt"), 0u) << "finish: nothing new is dispatched";

  auto keep_going = run_with_policy({"--on-failure", "continue"}, code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(keep_going.size(), 11u) << "continue: every file is curated";
  EXPECT_EQ(keep_going["sub-3/f3.txt"], "ok");

  auto max_two = run_with_policy({"--set", "job.max_failures=2"}, code);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(max_two["sub-2/bad1.txt"], "failed");
  EXPECT_EQ(max_two["sub-2/bad2.txt"], "failed") << "max_failures: the first failure does not stop the run";
  EXPECT_EQ(max_two.count("sub-3/f1.txt"), 0u) << "max_failures: the second one kills the run";
}

TEST(Reliability, ARerunWithTheJournalSkipsWhatIsDoneAndRunsWhatFailed) {
  Study study(4, 3);
  const std::string bad = study.dir.write("p/sub-2/bad.txt", "x");
  const std::string journal = (study.dir.path() / "journal.db").string();
  auto args = study.job("0");
  args[args.size() - 3] =  // the file command fails on bad.txt while it exists
      "file=sh -c 'echo \"$1\" >> \"$0/../ran.log\"; case \"$1\" in *bad.txt) exit 3;; esac' " + study.progress +
      " {id}";
  args.insert(args.begin(), {"run", "--workers", "2", "--on-failure", "continue", "--set", "job.journal=" + journal,
                             "--report", study.report});
  auto first = testing::run_ramify(args, study.dir.str());
  EXPECT_EQ(first.exit_code, 1) << first.err;
  EXPECT_EQ(study.executions().size(), 13u);

  std::filesystem::remove(bad);
  std::filesystem::remove(study.ran_log);
  args.push_back("--force");
  auto second = testing::run_ramify(args, study.dir.str());
  EXPECT_EQ(second.exit_code, 0) << second.err << second.out;
  // Only sub-2 (the assignment that failed) ran again.
  auto ran = study.executions();
  EXPECT_EQ(ran.size(), 3u);
  for (const auto& [id, count] : ran) EXPECT_EQ(id.rfind("sub-2/", 0), 0u) << id;
  EXPECT_NE(second.out.find("assignments skipped, done by an earlier run: 4"), std::string::npos) << second.out;
}

TEST(Reliability, AConfigRequestToABrokerThatIsDownFailsClearly) {
  TempDir dir;
  const auto started = std::chrono::steady_clock::now();
  auto result = testing::run_ramify({"worker", "--broker", "ipc://" + dir.str() + "/nobody", "--sink",
                                     "ipc://" + dir.str() + "/nosink", "--connect-timeout", "1.5"},
                                    dir.str(), 20s);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 6s);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("did not answer within"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace ramify
