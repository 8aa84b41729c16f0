// Ctrl-C and SIGTERM: to `ramify run` alone, to its whole process group (a
// terminal's Ctrl-C), to every process of the run (what `scancel` does), and
// a second Ctrl-C. The run stops within 2 s with 130 / 143, the nodes that
// were running are `skipped` and marked interrupted, the report is whole,
// and nothing is left running.

#include "faults/fault_support.hpp"

namespace ramify {
namespace {

using namespace std::chrono_literals;
using testing::Background;
using testing::eventually;
using testing::FaultStudy;

enum class Target { run_alone, process_group, every_process };

struct Stopped {
  int status = -1;
  std::chrono::steady_clock::duration took{};
  std::vector<testing::ProcessInfo> daemons;  // the run's processes, found before the signal
};

// Starts `ramify run` on a study of slow commands, waits until work is under
// way, sends `signal` to `target`, and waits for the run to end.
Stopped stop_a_run(FaultStudy& study, Background& run, int signal, Target target) {
  Stopped stopped;
  EXPECT_TRUE(eventually([&] { return study.marks() >= 4; }, 30s)) << run.err();
  stopped.daemons = testing::children_of(run.pid());
  EXPECT_EQ(stopped.daemons.size(), 4u);  // a broker, a sink and two workers
  const auto signalled_at = std::chrono::steady_clock::now();
  switch (target) {
    case Target::run_alone: run.signal(signal); break;
    case Target::process_group: run.signal_group(signal); break;
    case Target::every_process:
      run.signal(signal);
      for (const auto& daemon : stopped.daemons) ::kill(daemon.pid, signal);
      break;
  }
  auto status = run.wait_for(10s);
  stopped.took = std::chrono::steady_clock::now() - signalled_at;
  if (status) stopped.status = *status;
  return stopped;
}

// What a user checks after stopping a run: every row whole, no node twice,
// every command that started has its row (ok, or skipped as interrupted),
// the summary says which signal, and no process of the run is left.
void expect_stopped_cleanly(const FaultStudy& study, const Background& run, const Stopped& stopped,
                            const std::string& signal_name) {
  EXPECT_LT(stopped.took, 2s * testing::kSlowdown) << run.err();
  const auto rows = testing::whole_rows(study.report);
  std::size_t file_outcomes = 0, interrupted = 0;
  for (const auto& [id, count] : testing::outcome_counts(rows)) EXPECT_EQ(count, 1) << id;
  for (const auto& row : rows) {
    if (row.get("kind") != "outcome") continue;
    if (row.get("container_type") == "file") ++file_outcomes;
    if (row.get("msg").find("interrupted") != std::string::npos) {
      ++interrupted;
      EXPECT_EQ(row.get("status"), "skipped") << row.get("container_id");
    } else {
      EXPECT_EQ(row.get("status"), "ok") << row.get("container_id") << ": " << row.get("err");
    }
  }
  EXPECT_GE(file_outcomes, study.marks()) << "a command ran, but its node has no row";
  EXPECT_GT(interrupted, 0u) << "no running node was marked interrupted";
  EXPECT_NE(run.out().find("stopped by " + signal_name), std::string::npos) << run.out();
  for (const auto& daemon : stopped.daemons)
    EXPECT_TRUE(eventually([&] { return testing::gone(daemon.pid); }, 2s)) << daemon.command << " is still running";
  EXPECT_TRUE(eventually([&] { return testing::processes_mentioning(study.progress).empty(); }, 2s))
      << "a command outlived the run";
}

std::vector<std::string> slow_run(const FaultStudy& study) {
  auto args = study.job("0.3");
  args.insert(args.begin(), {"run", "--workers", "2", "--concurrency", "2", "--report", study.report});
  return args;
}

TEST(Faults, CtrlCToTheProcessGroupStopsTheRunWithin2sAndMarksRunningNodesInterrupted) {
  FaultStudy study(6, 10);
  Background run(study.dir.str(), "run", slow_run(study), /*own_group=*/true);
  const Stopped stopped = stop_a_run(study, run, SIGINT, Target::process_group);
  EXPECT_EQ(stopped.status, 130) << run.err();
  expect_stopped_cleanly(study, run, stopped, "SIGINT");
}

TEST(Faults, SigtermToTheProcessGroupStopsTheRunWith143) {
  FaultStudy study(6, 10);
  Background run(study.dir.str(), "run", slow_run(study), /*own_group=*/true);
  const Stopped stopped = stop_a_run(study, run, SIGTERM, Target::process_group);
  EXPECT_EQ(stopped.status, 143) << run.err();
  expect_stopped_cleanly(study, run, stopped, "SIGTERM");
}

TEST(Faults, SigintToTheRunAloneStopsItTheSameWay) {
  FaultStudy study(6, 10);
  Background run(study.dir.str(), "run", slow_run(study), /*own_group=*/true);
  const Stopped stopped = stop_a_run(study, run, SIGINT, Target::run_alone);
  EXPECT_EQ(stopped.status, 130) << run.err();
  expect_stopped_cleanly(study, run, stopped, "SIGINT");
}

TEST(Faults, SigtermToEveryProcessOfTheRunAsScancelDoesStopsItTheSameWay) {
  FaultStudy study(6, 10);
  Background run(study.dir.str(), "run", slow_run(study), /*own_group=*/true);
  const Stopped stopped = stop_a_run(study, run, SIGTERM, Target::every_process);
  EXPECT_EQ(stopped.status, 143) << run.err();
  expect_stopped_cleanly(study, run, stopped, "SIGTERM");
}

TEST(Faults, ASecondCtrlCEndsEveryProcessAtOnce) {
  FaultStudy study(6, 10);
  Background run(study.dir.str(), "run", slow_run(study), /*own_group=*/true);
  ASSERT_TRUE(eventually([&] { return study.marks() >= 4; }, 30s)) << run.err();
  const auto daemons = testing::children_of(run.pid());
  // A sink that cannot answer makes the first stop wait for the report.
  pid_t sink = 0;
  for (const auto& daemon : daemons)
    if (daemon.command.find(" sink ") != std::string::npos) sink = daemon.pid;
  ASSERT_NE(sink, 0) << "no sink among the run's processes";
  ::kill(sink, SIGSTOP);
  run.signal_group(SIGINT);
  EXPECT_FALSE(run.wait_for(500ms).has_value()) << "the first Ctrl-C did not wait for the report";
  const auto second_at = std::chrono::steady_clock::now();
  run.signal_group(SIGINT);
  auto status = run.wait_for(10s);
  ASSERT_TRUE(status.has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - second_at, 1s * testing::kSlowdown);
  EXPECT_EQ(*status, 130);
  for (const auto& daemon : daemons)
    EXPECT_TRUE(eventually([&] { return testing::gone(daemon.pid); }, 2s)) << daemon.command << " is still running";
  EXPECT_TRUE(eventually([&] { return testing::processes_mentioning(study.progress).empty(); }, 2s))
      << "a command outlived the run";
}

}  // namespace
}  // namespace ramify
