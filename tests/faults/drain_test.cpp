// Draining workers: what Slurm sends at walltime and on scancel, and
// Kubernetes at scale-down. A SIGTERM'd worker takes no more work, lets its
// running assignment go on for --drain-timeout, then hands back the rest
// after its node in progress and leaves with exit 0; --max-lifetime does the
// same on its own before a deadline. The run completes elsewhere with one
// outcome per node, no command run twice, and no attempt counted
// (max_attempts = 1: a counted attempt would quarantine the assignment).

#include "faults/fault_support.hpp"

namespace ramify {
namespace {

using namespace std::chrono_literals;
using testing::Daemons;
using testing::eventually;
using testing::FaultStudy;

constexpr int kSubjects = 4;
constexpr int kFiles = 12;

// The workers that wrote outcome rows for the files of each subject.
std::map<std::string, std::set<std::string>> workers_by_subject(const FaultStudy& study) {
  std::map<std::string, std::set<std::string>> by_subject;
  for (const auto& row : testing::whole_rows(study.report)) {
    if (row.get("kind") != "outcome" || row.get("container_type") != "file") continue;
    const std::string id = row.get("container_id");
    by_subject[id.substr(0, id.find('/', 2))].insert(row.get("worker"));
  }
  return by_subject;
}

// Every live descendant of `parent`.
std::vector<pid_t> descendants_of(pid_t parent) {
  std::vector<pid_t> all;
  for (const auto& child : testing::children_of(parent)) {
    all.push_back(child.pid);
    for (pid_t below : descendants_of(child.pid)) all.push_back(below);
  }
  return all;
}

// What a user checks after a run with a drained worker: exit 0, the report
// complete, every command run once (or, with `cut_short`, the commands the
// signal killed run once more), and the summary naming the hand-back.
void expect_clean_run_after_a_drain(Daemons& d, std::size_t cut_short = 0) {
  auto status = d.broker->wait_for(60s);
  ASSERT_TRUE(status.has_value()) << d.broker->err();
  EXPECT_EQ(*status, 0) << d.broker->err();
  ASSERT_TRUE(d.sink->wait_for(10s).has_value());
  testing::expect_complete_report(d.study);
  EXPECT_GE(d.study.marks(), static_cast<std::size_t>(kSubjects * kFiles)) << "a command never ran";
  EXPECT_LE(d.study.marks(), static_cast<std::size_t>(kSubjects * kFiles) + cut_short) << "a command ran twice";
  EXPECT_NE(d.sink->out().find("handed back by draining workers: "), std::string::npos) << d.sink->out();
  EXPECT_EQ(d.sink->out().find("re-dispatched"), std::string::npos) << d.sink->out();
  // The assignment handed back was finished by the other worker: its files have rows from both.
  bool shared = false;
  for (const auto& [subject, workers] : workers_by_subject(d.study)) shared = shared || workers.size() == 2;
  EXPECT_TRUE(shared) << "no subject was curated partly by each worker";
}

// Starts a run (each file's command taking `seconds`, max_attempts = 1)
// whose first worker, started with `first_worker` flags at `*first_started`,
// is the one that drains; a second worker joins once `marks` files are done.
void start_run_with_a_worker_to_drain(Daemons& d, const std::string& seconds, std::vector<std::string> broker_flags,
                                      const std::vector<std::string>& first_worker, std::size_t marks,
                                      std::chrono::steady_clock::time_point* first_started = nullptr) {
  d.seconds = seconds;
  broker_flags.insert(broker_flags.begin(), {"--set", "job.max_attempts=1"});
  d.start_broker("broker", broker_flags);
  d.start_sink();
  if (first_started) *first_started = std::chrono::steady_clock::now();
  d.start_worker(first_worker);
  ASSERT_TRUE(eventually([&] { return d.study.marks() >= marks; }, 30s)) << d.broker->err();
  d.start_worker();
}

TEST(Drain, SigtermToAWorkerHandsBackTheRestOfItsAssignmentAndTheRunCompletes) {
  FaultStudy study(kSubjects, kFiles);
  Daemons d(study);
  ASSERT_NO_FATAL_FAILURE(start_run_with_a_worker_to_drain(d, "0.15", {}, {"--drain-timeout", "1"}, 3));
  const auto signalled = std::chrono::steady_clock::now();
  d.workers[0]->signal(SIGTERM);
  auto drained = d.workers[0]->wait_for(30s);
  ASSERT_TRUE(drained.has_value()) << d.workers[0]->err();
  EXPECT_EQ(*drained, 0) << d.workers[0]->err();
  // One second of drain, the node in progress, the records flushed.
  EXPECT_LT(std::chrono::steady_clock::now() - signalled, 5s * testing::kSlowdown);
  EXPECT_NE(d.workers[0]->err().find("draining"), std::string::npos) << d.workers[0]->err();
  EXPECT_NE(d.workers[0]->err().find("handed back the rest of assignment"), std::string::npos)
      << d.workers[0]->err();
  expect_clean_run_after_a_drain(d);
}

// What Slurm's scancel and walltime do: SIGTERM to every process of the
// job, the worker, its slot processes and the commands they run. The
// command killed mid-node does not fail its node: it is handed back with the
// rest and runs again on the other worker.
TEST(Drain, SigtermToAWorkerAndEveryProcessItStartedHandsBackTheNodeItKilled) {
  FaultStudy study(kSubjects, kFiles);
  Daemons d(study);
  ASSERT_NO_FATAL_FAILURE(start_run_with_a_worker_to_drain(d, "0.3", {"--set", "job.isolation=process"},
                                                           {"--drain-timeout", "1"}, 3));
  const std::vector<pid_t> job = descendants_of(d.workers[0]->pid());
  ASSERT_GE(job.size(), 3u) << "a fork server, a slot process and a command";
  d.workers[0]->signal(SIGTERM);
  for (pid_t pid : job) ::kill(pid, SIGTERM);
  auto drained = d.workers[0]->wait_for(30s);
  ASSERT_TRUE(drained.has_value()) << d.workers[0]->err();
  EXPECT_EQ(*drained, 0) << d.workers[0]->err();
  expect_clean_run_after_a_drain(d, /*cut_short=*/1);
}

TEST(Drain, AWorkerWithAMaxLifetimeLeavesCleanlyBeforeItsDeadline) {
  FaultStudy study(kSubjects, kFiles);
  Daemons d(study);
  std::chrono::steady_clock::time_point started;
  // A subject takes at least 3 s; the drain starts at 1.5 s and hands back at 2 s.
  ASSERT_NO_FATAL_FAILURE(start_run_with_a_worker_to_drain(
      d, "0.25", {}, {"--max-lifetime", "2.5s", "--drain-timeout", "0.5"}, 2, &started));
  auto left = d.workers[0]->wait_for(30s);
  ASSERT_TRUE(left.has_value()) << d.workers[0]->err();
  EXPECT_EQ(*left, 0) << d.workers[0]->err();
  // Gone by its deadline: the drain starts 1 s before it; the flush follows.
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2500ms + 2s * testing::kSlowdown);
  EXPECT_NE(d.workers[0]->err().find("--max-lifetime 2.5 s is near"), std::string::npos) << d.workers[0]->err();
  expect_clean_run_after_a_drain(d);
}

}  // namespace
}  // namespace ramify
